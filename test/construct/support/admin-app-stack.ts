import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { inject } from 'vitest';
import { buildBundle, type Bundle } from '../../../lib/bundle/build-bundle.js';
import { loadProject } from '../../../lib/core/project.js';
import { AdminApp, type AdminAppProps } from '../../../lib/construct/admin-app.js';
import { REPO_ROOT } from '../../support/cli.js';

let exampleBundle: Promise<Bundle> | undefined;

/**
 * The example notes app's bundle: the one built for the whole run by the
 * `cdk` project's global setup (notes-bundle-setup.ts), or, in a project
 * without it, built once per test file (esbuild and one Node process).
 */
function notesBundle(): Promise<Bundle> {
  exampleBundle ??= Promise.resolve(inject('notesBundle') ?? buildBundle(loadProject(REPO_ROOT)));
  return exampleBundle;
}

const outdirs: string[] = [];

/** A new app writing to a temporary directory (removed by {@link removeOutdirs}), and a stack in it. */
function newStack(id = 'notes-prod'): Stack {
  const outdir = mkdtempSync(join(tmpdir(), 'cnf-cdk-test-'));
  outdirs.push(outdir);
  return new Stack(new App({ outdir }), id);
}

/** Removes the output directories of every app made by {@link newStack}. */
function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The props of the example stack, to be overridden per test. */
type TestProps = Omit<AdminAppProps, 'bundle'> & { readonly bundle?: Bundle };

/** An admin app for `notes` on `prod` in a stack of its own, and its template. */
async function adminAppStack(props: Partial<TestProps> = {}) {
  const stack = newStack();
  const app = new AdminApp(stack, 'App', { app: 'notes', stage: 'prod', bundle: await notesBundle(), ...props });
  return { stack, app, template: Template.fromStack(stack) };
}

/** The logical id a construct (or its default child) has in its stack's template. */
function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

/** An ARN in the stack's partition, region and account, as the template writes it: `arn:…:<service>:…:<resource>`. */
function stackArn(service: string, resource: string) {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`],
    ],
  };
}

/**
 * Evaluates the intrinsic functions a value uses (`Fn::Join`, `Ref`,
 * `Fn::GetAtt`) with the given values for references, as CloudFormation would.
 */
function evaluate(value: unknown, refs: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, refs));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return refs[object.Ref as string] ?? `<${String(object.Ref)}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => evaluate(part, refs)).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, evaluate(item, refs)]));
}

export { adminAppStack, evaluate, logicalIdOf, newStack, notesBundle, removeOutdirs, stackArn };
export type { TestProps };
