import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/runtime/config-loader.js';
import { tempDir } from '../support/temp-dir.js';

const ssm = mockClient(SSMClient);

beforeEach(() => {
  ssm.reset();
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('CNF_PARAMETER_FILE', '');
  vi.stubEnv('CNF_PARAMETER_PATH', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadConfig on AWS', () => {
  beforeEach(() => {
    vi.stubEnv('CNF_PARAMETER_PATH', '/notes/prod/');
    ssm
      .on(GetParametersByPathCommand, { Path: '/notes/prod/', Recursive: true, WithDecryption: true, NextToken: undefined })
      .resolves({
        Parameters: [
          { Name: '/notes/prod/DATABASE_URL', Type: 'SecureString', Value: 'postgres://u:pw@db/notes' },
          { Name: '/notes/prod/_cnf/stage', Type: 'String', Value: '{"version":1}' },
        ],
        NextToken: 'page-2',
      })
      .on(GetParametersByPathCommand, { Path: '/notes/prod/', Recursive: true, WithDecryption: true, NextToken: 'page-2' })
      .resolves({ Parameters: [{ Name: '/notes/prod/feature/dark-mode', Type: 'String', Value: 'on' }] });
  });

  it('reads the whole path: recursive, decrypted and paginated, without the reserved _cnf/ keys', async () => {
    const config = await loadConfig();
    expect(config.values).toEqual({ DATABASE_URL: 'postgres://u:pw@db/notes', 'feature/dark-mode': 'on' });
    expect(config.secrets).toEqual(['postgres://u:pw@db/notes']);
    expect(config.fingerprint).toMatch(/^cfg-[0-9a-f]{12}$/);
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
  });

  it('reads fresh on every admin run, and serves a cached copy to the web within maxAge', async () => {
    await loadConfig({ maxAgeSeconds: 0 });
    await loadConfig({ maxAgeSeconds: 0 });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(4);
    ssm.resetHistory();
    await loadConfig({ maxAgeSeconds: 30 });
    await loadConfig({ maxAgeSeconds: 30 });
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
  });

  it('names the path when SSM refuses', async () => {
    ssm.reset();
    ssm
      .on(GetParametersByPathCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: ssm:GetParametersByPath'), { name: 'AccessDeniedException' }));
    await expect(loadConfig()).rejects.toThrow(ConfigError);
    await expect(loadConfig()).rejects.toThrow(/Cannot read the parameter set \/notes\/prod\/: .*ssm:GetParametersByPath/);
  });
});

describe('loadConfig on the local stage', () => {
  it('reads the parameter file', async () => {
    const file = join(tempDir('cnf-config'), 'parameters.json');
    writeFileSync(file, JSON.stringify({ parameters: { MODE: { value: 'dev', secure: false }, TOKEN: { value: 't0k3n', secure: true } } }));
    vi.stubEnv('CNF_PARAMETER_FILE', file);
    const config = await loadConfig();
    expect(config.values).toEqual({ MODE: 'dev', TOKEN: 't0k3n' });
    expect(config.secrets).toEqual(['t0k3n']);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('names a corrupted parameter file, and no piece of its text (it holds the secrets)', async () => {
    const file = join(tempDir('cnf-config'), 'parameters.json');
    writeFileSync(file, '{ "parameters": { "TOKEN": { "value": s3cret-token", "secure": true } } }');
    vi.stubEnv('CNF_PARAMETER_FILE', file);
    await expect(loadConfig()).rejects.toThrow(`The parameter file ${file} is not valid JSON`);
    await expect(loadConfig()).rejects.not.toThrow('s3cret');
  });

  it('refuses when no parameter set is configured', async () => {
    await expect(loadConfig()).rejects.toThrow('No parameter set configured');
  });
});
