import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adminEnvironmentOf,
  CNF_VARIABLES,
  cnfEnvironment,
  readCnfEnvironment,
  webEnvironmentOf,
  writeCnfEnvironment,
} from '../../lib/core/cnf-environment.js';

const identity = { app: 'notes', stage: 'prod', release: 'r-0123456789ab' };

describe('the CNF_* environment a stage is written with', () => {
  it('gives the web side who it is and where its parameter set is, and the admin side its ledger too', () => {
    const aws = { parameterPath: '/notes/prod/', ledgerTable: 'notes-prod-runs' };
    expect(webEnvironmentOf(identity, aws)).toEqual({
      CNF_APP: 'notes',
      CNF_STAGE: 'prod',
      CNF_RELEASE: 'r-0123456789ab',
      CNF_PARAMETER_PATH: '/notes/prod/',
    });
    expect(adminEnvironmentOf(identity, aws, { consoleEnabled: false })).toEqual({
      ...webEnvironmentOf(identity, aws),
      CNF_LEDGER_TABLE: 'notes-prod-runs',
      CNF_CONSOLE_ENABLED: 'false',
    });
    const local = { parameterFile: '/p/.cnf/parameters.json', ledgerDir: '/p/.cnf/runs' };
    expect(adminEnvironmentOf({ ...identity, stage: 'local' }, local, { functionTimeoutSeconds: 900 })).toMatchObject({
      CNF_PARAMETER_FILE: '/p/.cnf/parameters.json',
      CNF_LEDGER_DIR: '/p/.cnf/runs',
      CNF_FUNCTION_TIMEOUT_SECONDS: '900',
    });
  });

  it('reads back, typed, what it wrote', () => {
    const written = cnfEnvironment({ ...identity, consoleEnabled: true, timeLimitSeconds: 3600, runClaimed: true, interrupted: false });
    expect(readCnfEnvironment(written)).toEqual({
      ...identity,
      consoleEnabled: true,
      timeLimitSeconds: 3600,
      runClaimed: true,
      interrupted: false,
    });
  });

  it('reads an empty variable, and a number that is none, as unset', () => {
    expect(readCnfEnvironment({ CNF_RELEASE: '', CNF_TIME_LIMIT_SECONDS: 'soon', CNF_FUNCTION_TIMEOUT_SECONDS: '-1' })).toEqual({});
    expect(readCnfEnvironment({ CNF_DEBUG: '1' }).debug).toBe(true);
  });

  it('writes into a process environment', () => {
    const env: Record<string, string | undefined> = {};
    writeCnfEnvironment(env, { runLog: '/p/.cnf/logs/run.log' });
    expect(env).toEqual({ CNF_RUN_LOG: '/p/.cnf/logs/run.log' });
  });
});

describe('the owner of the CNF_* names', () => {
  it('is the only module under lib/ that spells one', () => {
    const names = Object.values(CNF_VARIABLES);
    const spelled = sources(join(import.meta.dirname, '../../lib'))
      .filter((file) => !file.endsWith('cnf-environment.ts'))
      .flatMap((file) => {
        // Comments may name a variable for the reader; code goes through the owner.
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '');
        return names
          .filter((name) => code.includes(`'${name}'`) || code.includes(`.${name}`) || code.includes(`${name}:`))
          .map((name) => `${file}: ${name}`);
      });
    expect(spelled).toEqual([]);
  });
});

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
