import { afterEach, describe, expect, it, vi } from 'vitest';
import { helperEnvironment } from '../../lib/core/helper-environment.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the environment of cnf-admin's own helper processes", () => {
  it("is this process's, without the extra certificates Node would read as it starts, with what the caller adds", () => {
    vi.stubEnv('NODE_EXTRA_CA_CERTS', '/etc/ssl/certs/ca-certificates.crt');
    vi.stubEnv('CNF_HELPER_PROBE', 'kept');
    const env = helperEnvironment({ EXTRA: 'added' });
    expect(env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
    expect(env).toMatchObject({ CNF_HELPER_PROBE: 'kept', EXTRA: 'added', PATH: process.env.PATH });
    // this process's own environment is left as it was
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt');
  });
});
