import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.js';
import { findProject, loadProject, stageOf } from '../../lib/core/project.js';
import { tempDir } from '../support/temp-dir.js';

function projectWith(cdkJson: unknown): string {
  const dir = tempDir('cnf-project');
  writeFileSync(join(dir, 'cdk.json'), typeof cdkJson === 'string' ? cdkJson : JSON.stringify(cdkJson));
  return dir;
}

describe('loadProject', () => {
  it('reads the app, the stages and the paths from cdk.json', () => {
    const dir = projectWith({
      context: { cnf: { app: 'notes', stages: { local: { database: 'postgres' }, prod: { region: 'eu-west-1' } } } },
    });
    const project = loadProject(dir);
    expect(project.app).toBe('notes');
    expect(project.lambdaDir).toBe(join(dir, 'lambda'));
    expect(project.stateDir).toBe(join(dir, '.cnf'));
    expect(stageOf(project, 'local')).toEqual({ name: 'local', platform: 'local', database: 'postgres' });
    expect(stageOf(project, 'prod')).toEqual({ name: 'prod', platform: 'aws', region: 'eu-west-1' });
  });

  it("has today's layout unless context.cnf names another", () => {
    const dir = projectWith({ context: { cnf: { app: 'notes' } } });
    expect(loadProject(dir)).toMatchObject({
      webEntry: join(dir, 'lambda', 'web.ts'),
      adminEntry: join(dir, 'lambda', 'admin.ts'),
      assetDirs: [],
      scriptsDir: join(dir, 'scripts'),
    });
    const custom = projectWith({
      context: {
        cnf: { app: 'notes', lambdaDir: 'src', adminEntry: 'src/ops/admin.ts', assetDirs: ['sql', 'templates'], scriptsDir: 'ops/scripts' },
      },
    });
    expect(loadProject(custom)).toMatchObject({
      lambdaDir: join(custom, 'src'),
      webEntry: join(custom, 'src', 'web.ts'),
      adminEntry: join(custom, 'src', 'ops', 'admin.ts'),
      assetDirs: ['sql', 'templates'],
      scriptsDir: join(custom, 'ops', 'scripts'),
    });
  });

  it('refuses any database but "postgres", the name from before ("pglite") too', () => {
    const project = loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { local: { database: 'postgres' } } } } }));
    expect(stageOf(project, 'local').database).toBe('postgres');
    expect(() => loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { local: { database: 'pglite' } } } } }))).toThrow(
      /has database "pglite"; only the local stage takes one, and it is "postgres"/,
    );
  });

  it("reads the local stage's autoDeploy setting, and refuses it elsewhere or as a non-boolean", () => {
    const project = loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { local: { autoDeploy: false } } } } }));
    expect(stageOf(project, 'local').autoDeploy).toBe(false);
    expect(stageOf(loadProject(projectWith({ context: { cnf: { app: 'notes' } } })), 'local').autoDeploy).toBeUndefined();
    expect(() => loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { prod: { autoDeploy: true } } } } }))).toThrow(
      /autoDeploy true; only the local stage takes it/,
    );
    expect(() => loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { local: { autoDeploy: 'no' } } } } }))).toThrow(
      UsageError,
    );
  });

  it("names the embedded database's URL DATABASE_URL unless databaseUrlVariable says otherwise", () => {
    expect(loadProject(projectWith({ context: { cnf: { app: 'notes' } } })).databaseUrlVariable).toBe('DATABASE_URL');
    const project = loadProject(projectWith({ context: { cnf: { app: 'notes', databaseUrlVariable: 'PG_URL' } } }));
    expect(project.databaseUrlVariable).toBe('PG_URL');
  });

  it('says what to do with a cdk.json that is not JSON', () => {
    const root = projectWith('{ nope');
    expect(() => loadProject(root)).toThrow(
      expect.objectContaining({ exitCode: 64, hint: expect.stringContaining('Mend it in an editor') }) as Error,
    );
  });

  it('always has the local stage', () => {
    const project = loadProject(projectWith({ context: { cnf: { app: 'notes' } } }));
    expect([...project.stages.keys()]).toEqual(['local']);
  });

  it.each([
    ['not JSON', '{ nope', /not valid JSON/],
    ['no context.cnf', { context: {} }, /no context\.cnf settings/],
    ['no app name', { context: { cnf: {} } }, /App name must be .* got: undefined/],
    ['a bad app name', { context: { cnf: { app: 'Notes_App' } } }, /got: "Notes_App"/],
    ['a bad stage name', { context: { cnf: { app: 'notes', stages: { Prod: {} } } } }, /Stage name .* got: "Prod"/],
    [
      'a local stage under another name',
      { context: { cnf: { app: 'notes', stages: { dev: { platform: 'local' } } } } },
      /only the stage named "local"/,
    ],
    [
      'the stage named local on AWS',
      { context: { cnf: { app: 'notes', stages: { local: { platform: 'aws', database: 'postgres' } } } } },
      /^Stage local in .* has platform "aws"; the stage named "local" lives on this machine\.$/,
    ],
    [
      'a database on an AWS stage',
      { context: { cnf: { app: 'notes', stages: { prod: { database: 'pglite' } } } } },
      /only the local stage takes one/,
    ],
    [
      'an absolute entry',
      { context: { cnf: { app: 'notes', webEntry: '/srv/web.ts' } } },
      /context\.cnf\.webEntry in .*cdk\.json must be a path .* got: "\/srv\/web\.ts"/,
    ],
    [
      'an entry above the root',
      { context: { cnf: { app: 'notes', adminEntry: '../admin.ts' } } },
      /context\.cnf\.adminEntry .* got: "\.\.\/admin\.ts"/,
    ],
    [
      'asset directories that are not a list',
      { context: { cnf: { app: 'notes', assetDirs: 'migrations' } } },
      /context\.cnf\.assetDirs .* must be a list .* got: "migrations"/,
    ],
    [
      'an asset directory that is no path',
      { context: { cnf: { app: 'notes', assetDirs: [3] } } },
      /context\.cnf\.assetDirs .* relative to the lambda directory, inside it, got: 3/,
    ],
    ['an asset directory twice', { context: { cnf: { app: 'notes', assetDirs: ['sql', 'sql/'] } } }, /names "sql" twice/],
    ['an empty scripts directory', { context: { cnf: { app: 'notes', scriptsDir: '' } } }, /context\.cnf\.scriptsDir .* got: ""/],
    ['a databaseUrlVariable that is no variable name', { context: { cnf: { app: 'notes', databaseUrlVariable: 'a/b' } } }, /got: "a\/b"/],
    [
      'a databaseUrlVariable every object answers to',
      { context: { cnf: { app: 'notes', databaseUrlVariable: '__proto__' } } },
      /databaseUrlVariable .* got: "__proto__"/,
    ],
    [
      'an unknown key, with a did-you-mean',
      { context: { cnf: { app: 'notes', scriptDir: 'ops' } } },
      /Unknown key "scriptDir" in context\.cnf of .*cdk\.json\. Did you mean "scriptsDir"\?/,
    ],
    [
      "an unknown key of a stage's",
      { context: { cnf: { app: 'notes', stages: { prod: { regoin: 'eu-west-1' } } } } },
      /Unknown key "regoin" in context\.cnf\.stages\.prod of .*cdk\.json\. Did you mean "region"\?/,
    ],
    [
      'one file as both entries',
      { context: { cnf: { app: 'notes', webEntry: 'lambda/main.ts', adminEntry: 'lambda/main.ts' } } },
      /webEntry and adminEntry in .*cdk\.json name one file, lambda\/main\.ts/,
    ],
  ])('refuses %s, naming the value', (_case, cdkJson, message) => {
    expect(() => loadProject(projectWith(cdkJson))).toThrow(message);
  });
});

describe('findProject', () => {
  it('finds cdk.json in a directory above', () => {
    const dir = projectWith({ context: { cnf: { app: 'notes' } } });
    const nested = join(dir, 'lambda', 'tasks');
    mkdirSync(nested, { recursive: true });
    expect(findProject(nested).root).toBe(dir);
  });

  it('says how to fix running outside a project', () => {
    const outside = tempDir('cnf-nowhere');
    expect(() => findProject(outside)).toThrow(UsageError);
    expect(() => findProject(outside)).toThrow(/No cdk\.json found/);
  });
});

describe('stageOf', () => {
  it('lists the known stages for an unknown one', () => {
    const project = loadProject(projectWith({ context: { cnf: { app: 'notes', stages: { prod: {} } } } }));
    expect(() => stageOf(project, 'staging')).toThrow('Unknown stage "staging". This project\'s stages: local, prod.');
  });
});
