import { UsageError } from '../../core/errors.js';

/** Lambda's largest request payload for a synchronous (or streamed) invoke: 6 MB. */
const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** Lambda's largest request payload for an asynchronous invoke (`--detach`): 1 MB. */
const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024;

/**
 * The admin event as the bytes Lambda receives, refused before anything is
 * sent when it is over Lambda's limit for the kind of invoke.
 *
 * @throws UsageError (exit 64) naming the size and the limit.
 */
function payloadOf(event: unknown, kind: 'synchronous' | 'asynchronous'): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(event));
  const limit = kind === 'synchronous' ? SYNC_PAYLOAD_LIMIT_BYTES : ASYNC_PAYLOAD_LIMIT_BYTES;
  if (bytes.byteLength > limit) {
    const kindText = kind === 'synchronous' ? 'an attached' : 'an asynchronous (--detach)';
    throw new UsageError(
      `The admin event is ${sizeOf(bytes.byteLength)} bytes, and Lambda takes at most ${sizeOf(limit)} bytes (${limit / 1024 / 1024} MB) for ${kindText} invoke; nothing was sent.`,
      { hint: 'Pass large inputs by reference instead: an S3 key, a URL or a config parameter the task reads.' },
    );
  }
  return bytes;
}

function sizeOf(bytes: number): string {
  return bytes.toLocaleString('en-US');
}

export { payloadOf };
