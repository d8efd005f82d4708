import type { SSMClient } from './sdk/ssm.js';

/**
 * AWS's clock, as the `Date` header of its answers tells it: this machine's
 * clock corrected by how far it was from AWS's at the last answer (to the
 * second; the header has no finer grain). A config version is stamped with
 * it, so that its `createdAt` compares with SSM's `LastModifiedDate` of the
 * values it names (a number SSM wrote again later is told by that), whatever
 * this machine's clock says. Before any answer, it is this machine's clock.
 */
class ServerClock {
  #offsetMs = 0;

  /** Reads the `Date` header of every answer `client` gets. */
  watch(client: SSMClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const output = await next(args);
        const date = (output.response as { headers?: Record<string, string | undefined> }).headers?.date;
        const said = date === undefined ? Number.NaN : Date.parse(date);
        if (!Number.isNaN(said)) this.#offsetMs = said - Date.now();
        return output;
      },
      { step: 'deserialize', name: 'cnfServerClock' },
    );
  }

  /** Now, by AWS's clock (ms since the epoch). */
  now(): number {
    return Date.now() + this.#offsetMs;
  }
}

export { ServerClock };
