/**
 * Secure values stay secret on the AWS path of the admin handler, in
 * process: parameters from SSM, the ledger in DynamoDB, the run streamed
 * back as frames. Whatever a task prints, returns or throws, no secure value
 * reaches the log, the result or the ledger.
 */
import fs, { writeSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { FrameDecoder } from '../../lib/core/run-frames.js';
import type { RunFrame } from '../../lib/core/platform.js';
import { createAdminHandler, type AdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { SecretRedactor } from '../../lib/runtime/redact-secrets.js';

const SECRET = 'tok-5ecr3t-9f8e7d';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);

let written: string[];

const handler: AdminHandler = createAdminHandler({
  tasks: {
    leak: async () => ({
      default: defineTask({
        name: 'leak',
        description: 'Prints, logs and throws the secret every way a task can',
        run: async ({ config, log }) => {
          const token = String(config.API_TOKEN);
          console.log('plain console.log %s', token);
          console.error({ nested: { token } });
          process.stdout.write(`raw write ${token}\n`);
          log.info(`structured ${token}`);
          throw new Error(`bad token ${token}`);
        },
      }),
    }),
    give: async () => ({
      default: defineTask({
        name: 'give',
        description: 'Returns the secret',
        run: async ({ config }) => ({ token: config.API_TOKEN, nested: [{ url: `https://x:${config.API_TOKEN}@host` }] }),
      }),
    }),
  },
});

async function invokeStreaming(event: unknown, through: AdminHandler = handler): Promise<RunFrame[]> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await through(event, stream, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 });
  const decoder = new FrameDecoder();
  return [...decoder.push(Buffer.concat(chunks).toString('utf8')), ...decoder.end()];
}

beforeEach(() => {
  ssm.reset();
  dynamo.reset();
  vi.stubEnv('CNF_PARAMETER_PATH', '/notes/prod/');
  vi.stubEnv('CNF_PARAMETER_FILE', '');
  vi.stubEnv('CNF_LEDGER_DIR', '');
  vi.stubEnv('CNF_LEDGER_TABLE', 'notes-prod-ledger');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('CNF_RELEASE', 'r-0123456789ab');
  vi.stubEnv('CNF_STAGE', 'prod');
  vi.stubGlobal('awslambda', {
    streamifyResponse: <T extends object>(fn: T): T => Object.assign(fn, { [STREAMING]: 'response' }),
  });
  ssm.on(GetParametersByPathCommand).resolves({
    Parameters: [
      { Name: '/notes/prod/API_TOKEN', Type: 'SecureString', Value: SECRET },
      { Name: '/notes/prod/MODE', Type: 'String', Value: 'live' },
    ],
  });
  dynamo.on(PutItemCommand).resolves({});
  // What the function writes is what CloudWatch keeps: record it, and keep it out of the test output.
  written = [];
  const capture = (chunk: unknown): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['log', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void capture(`${args.map(String).join(' ')}\n`));
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe('the admin handler on AWS, with a secure parameter', () => {
  it('redacts a thrown error, the log (plain and structured) and the ledger record', async () => {
    const frames = await invokeStreaming({ task: 'leak', stream: true });
    // the streamed result and log frames
    const result = frames.find((frame) => frame.type === 'result');
    expect(result).toMatchObject({ type: 'result', result: { exitCode: 1, error: { message: 'bad token [redacted]' } } });
    const logs = frames.filter((frame) => frame.type === 'log').map((frame) => (frame as { line: string }).line);
    expect(logs.some((line) => line.includes('plain console.log [redacted]'))).toBe(true);
    expect(logs.some((line) => line.includes('raw write [redacted]'))).toBe(true);
    expect(JSON.stringify(frames)).not.toContain(SECRET);
    // what went to CloudWatch
    expect(written.join('')).toContain('[redacted]');
    expect(written.join('')).not.toContain(SECRET);
    // the ledger's record of the end
    const records = dynamo.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item ?? {}));
    const ended = records.find((record) => record.endedAt !== undefined);
    expect(ended).toMatchObject({ exitCode: 1, error: { name: 'Error', message: 'bad token [redacted]' } });
    expect(JSON.stringify(records)).not.toContain(SECRET);
  });

  it('redacts the output a task returns, at any depth', async () => {
    const result = await handler({ task: 'give' });
    expect(result.output).toEqual({ token: '[redacted]', nested: [{ url: 'https://x:[redacted]@host' }] });
  });

  it('puts the console methods and streams back as they were after the run', async () => {
    const log = console.log;
    const write = process.stdout.write;
    await handler({ task: 'give' });
    expect(console.log).toBe(log);
    expect(process.stdout.write).toBe(write);
  });
});

/** A PEM-like secure value with every character that JSON or util.inspect escapes. */
const PEM = `-----BEGIN TEST KEY-----\nMIIEvQ"IBADANBgkq\\hkiG9w0B'AQEFAASC\n-----END TEST KEY-----`;

function pemLeaks(text: string): string[] {
  const forms = [PEM, ...PEM.split('\n')].flatMap((value) => [value, JSON.stringify(value).slice(1, -1), inspect(value).slice(1, -1)]);
  return [...new Set(forms)].filter((form) => text.includes(form));
}

const leaky: AdminHandler = createAdminHandler({
  tasks: {
    leak: async () => ({
      default: defineTask({
        name: 'leak',
        description: 'Lets the PEM out one way per arg',
        args: z.strictObject({ how: z.string(), value: z.string().default('') }),
        run: async ({ args, config }) => {
          const pem = String(config.PEM);
          const holder = { pem };
          if (args.how === 'log') {
            console.log(holder);
            console.error(JSON.stringify(holder));
            for (const char of `split ${pem}\n`) process.stdout.write(char);
            writeSync(1, `fd1 ${pem}\n`);
            fs.writeSync(2, Buffer.from(`fd2 ${JSON.stringify(pem)}\n`));
            return { a: holder, b: holder, list: [holder, holder] };
          }
          if (args.how === 'reject') {
            void Promise.reject(new Error(`rejected ${pem}`));
            return new Promise(() => undefined);
          }
          if (args.how === 'uncaught') {
            setTimeout(() => {
              throw new Error(`uncaught ${JSON.stringify(pem)}`);
            }, 5);
            return new Promise(() => undefined);
          }
          return { length: args.value.length };
        },
      }),
    }),
  },
});

describe('the admin handler on AWS, with a PEM-like secure parameter', () => {
  let fdWrites: string[];

  beforeEach(() => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/notes/prod/PEM', Type: 'SecureString', Value: PEM }] });
    fdWrites = [];
    vi.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown) => {
      fdWrites.push(`${fd}:${String(data)}`);
      return 0;
    });
  });

  function records(): Record<string, unknown>[] {
    return dynamo.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item ?? {}));
  }

  it('redacts what a task prints in any form, split or through fs.writeSync, and a result holding one object twice', async () => {
    const frames = await invokeStreaming({ task: 'leak', args: { how: 'log' }, stream: true }, leaky);
    const result = frames.find((frame) => frame.type === 'result') as { result: { exitCode: number; output: unknown } };
    const redacted = { pem: '[redacted]' };
    expect(result.result).toMatchObject({ exitCode: 0, output: { a: redacted, b: redacted, list: [redacted, redacted] } });
    expect(pemLeaks(JSON.stringify(frames))).toEqual([]);
    expect(pemLeaks(written.join(''))).toEqual([]);
    expect(written.join('')).toContain('split [redacted]');
    expect(fdWrites.join('')).toContain('1:fd1 [redacted]');
    expect(fdWrites.join('')).toContain('2:fd2 "[redacted]"');
    expect(pemLeaks(fdWrites.join(''))).toEqual([]);
    expect(pemLeaks(JSON.stringify(records()))).toEqual([]);
  });

  it.each(['reject', 'uncaught'])('ends a run whose task leaves an error %s as a throw: exit 1, redacted', async (how) => {
    const result = await leaky({ task: 'leak', args: { how } });
    expect(result).toMatchObject({ exitCode: 1, error: { name: 'Error' } });
    expect(result.error?.message).toMatch(/^(rejected|uncaught) "?\[redacted\]"?$/);
    expect(pemLeaks(written.join(''))).toEqual([]);
    expect(pemLeaks(JSON.stringify(records()))).toEqual([]);
    expect(records().find((record) => record.endedAt !== undefined)).toMatchObject({ exitCode: 1 });
  });

  it('masks a plain arg holding the secure value in the ledger record, from its claim on', async () => {
    const result = await leaky({ task: 'leak', args: { how: 'arg', value: `x ${PEM} y` } });
    expect(result).toMatchObject({ exitCode: 0, output: { length: PEM.length + 4 } });
    expect(records().length).toBeGreaterThan(0);
    for (const record of records()) expect(record.args).toEqual({ how: 'arg', value: 'x [redacted] y' });
  });
});

describe('SecretRedactor on values and errors', () => {
  it('redacts keys and values, applies toJSON, and leaves other values alone', () => {
    const redactor = new SecretRedactor([SECRET, 'tok-']);
    expect(redactor.value({ [`k-${SECRET}`]: [1, true, null, `a ${SECRET}-more`], at: new Date(0) })).toEqual({
      'k-[redacted]': [1, true, null, 'a [redacted]-more'],
      at: '1970-01-01T00:00:00.000Z',
    });
    expect(redactor.runError({ name: 'Error', message: `x ${SECRET}` })).toEqual({ name: 'Error', message: 'x [redacted]' });
    expect(new SecretRedactor(['on']).value({ a: 'on' })).toEqual({ a: 'on' });
  });
});
