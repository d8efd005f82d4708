import pg from 'pg';

/** The one thing the app asks of its database: run a query, get rows. */
interface Database {
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (db: Database) => Promise<T>): Promise<T>;
}

const pools = new Map<string, pg.Pool>();

/*
 * One pool per URL and per process, kept across warm invocations. Two
 * connections are enough for a Lambda function, which serves one request at
 * a time.
 */
function poolFor(url: string): pg.Pool {
  let pool = pools.get(url);
  if (pool === undefined) {
    pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 30_000 });
    // An idle connection the server ended (a restart, a stop) is dropped by the pool, and the next query connects
    // again: without a listener, pg's 'error' event would end the whole process.
    pool.on('error', (error) => console.error(`An idle database connection ended: ${error.message}`));
    pools.set(url, pool);
  }
  return pool;
}

function onClient(client: pg.Pool | pg.PoolClient): Database {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async transaction<T>(work: (db: Database) => Promise<T>): Promise<T> {
      if (!(client instanceof pg.Pool)) return work(onClient(client));
      const connection = await client.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(onClient(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      } finally {
        connection.release();
      }
    },
  };
}

/**
 * The app's database: PostgreSQL at `DATABASE_URL` from the stage's parameter
 * set. On AWS that is any Postgres; on the local stage it is the embedded
 * PostgreSQL server that cnf-admin runs on this machine.
 *
 * @throws Error when the parameter set has no DATABASE_URL.
 */
function databaseFrom(config: Readonly<Record<string, string>>): Database {
  const url = config.DATABASE_URL;
  if (url === undefined || url === '') {
    throw new Error('DATABASE_URL is not set in the parameter set: cnf-admin config set DATABASE_URL <url> --secure');
  }
  return onClient(poolFor(url));
}

export { databaseFrom };
export type { Database };
