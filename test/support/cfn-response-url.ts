/**
 * CloudFormation's pre-signed response URL, for tests of the custom resource
 * providers: a local HTTP server that keeps every response PUT to it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A provider's response to CloudFormation, as the tests read it. */
interface CfnResponse {
  Status: string;
  Reason: string;
  PhysicalResourceId: string;
  RequestId: string;
  Data?: Record<string, string>;
}

/** A response URL being listened on. */
interface CfnResponseUrl {
  /** The URL to give as an event's `ResponseURL`. */
  readonly url: string;
  /** The responses received, oldest first (empty it with `responses.length = 0`). */
  readonly responses: CfnResponse[];
  close(): Promise<void>;
}

/** Starts a response URL on 127.0.0.1, on a free port. */
async function startCfnResponseUrl(): Promise<CfnResponseUrl> {
  const responses: CfnResponse[] = [];
  const server = createServer((request, reply) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      responses.push(JSON.parse(body) as CfnResponse);
      reply.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?signed`,
    responses,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { startCfnResponseUrl };
export type { CfnResponse, CfnResponseUrl };
