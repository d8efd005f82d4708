/**
 * The built admin entry (`admin.handler` in the bundle root) under an
 * emulation of Lambda's Node runtime: the `awslambda` global is there when
 * the module loads, and the handler is called with a response stream.
 */
import { execFile } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../lib/core/run-frames.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);

/* What Lambda's runtime does around a streaming handler, as far as the admin function can tell. */
const LAMBDA = `
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
globalThis.awslambda = { streamifyResponse: (handler) => Object.assign(handler, { [STREAMING]: 'response' }) };
const { handler } = await import(pathToFileURL(process.env.LAMBDA_TASK_ROOT + '/admin.mjs').href);
if (handler[STREAMING] !== 'response') throw new Error('admin.handler is not a streaming handler');
const chunks = [];
const stream = new Writable({ write(chunk, _encoding, done) { chunks.push(Buffer.from(chunk)); done(); } });
stream.setContentType = (type) => chunks.push(Buffer.from('content-type: ' + type + '\\n'));
await handler(JSON.parse(process.argv[1]), stream, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 });
process.stderr.write(Buffer.concat(chunks));
process.exit(0);
`;

let project: TestProject;
let state: string;

async function lambdaInvoke(event: unknown): Promise<string> {
  const releases = join(project.dir, '.cnf', 'local', 'releases');
  const release = readdirSync(releases)[0] as string;
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', LAMBDA, JSON.stringify(event)], {
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: join(releases, release, 'bundle'),
      CNF_APP: 'fixture',
      CNF_STAGE: 'prod',
      CNF_RELEASE: release,
      CNF_PARAMETER_FILE: join(state, 'parameters.json'),
      CNF_LEDGER_DIR: state,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return stderr;
}

describe('the admin function in Lambda (bundle under an emulated runtime)', () => {
  beforeAll(async () => {
    project = createTestProject('tasks');
    expect((await project.cli(['deploy'])).code).toBe(0);
    state = tempDir('cnf-lambda');
    writeFileSync(join(state, 'parameters.json'), JSON.stringify({ parameters: {} }));
  });

  afterAll(async () => {
    await project.cleanup();
    rmSync(state, { recursive: true, force: true });
  });

  it('streams NDJSON frames, each log line as written and the result last, when asked to', async () => {
    // when
    const answer = await lambdaInvoke({ task: 'echo', args: { count: 3 }, runId: 'lambda-1', source: 'cli', stream: true });

    // then
    const [contentType, ...rest] = answer.split('\n');
    expect(contentType).toBe('content-type: application/x-ndjson');
    const decoder = new FrameDecoder();
    const frames = [...decoder.push(rest.join('\n')), ...decoder.end()];
    expect(
      frames.filter((frame) => frame.type === 'log').map((frame) => JSON.parse(frame.type === 'log' ? frame.line : '{}').message),
    ).toEqual(['Run started', 'echo', 'Run ended']);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { runId: 'lambda-1', exitCode: 0, output: { count: 3 } } });
  });

  it('answers a plain invoke with the run result alone, as JSON', async () => {
    // when
    const answer = await lambdaInvoke({ task: 'exit-code', args: { code: 4 }, runId: 'lambda-2' });

    // then
    const [contentType, body] = answer.split('\n');
    expect(contentType).toBe('content-type: application/json');
    expect(JSON.parse(body ?? '')).toMatchObject({ runId: 'lambda-2', task: 'exit-code', exitCode: 4 });
  });
});
