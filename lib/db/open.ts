import "server-only";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Env } from "../env.ts";
import { dataDirOf, ensureDataDir } from "../embedded/lock.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { metrics } from "../metrics.ts";
import { pgliteRunner, pgRunner, type SqlRunner } from "./sql-runner.ts";

/**
 * Secret columns no query returns unless it asks for them by name (select, or
 * omit: { column: false }): a password check is the only reader of a hash.
 * Also the list cache's bookkeeping column (a BigInt, which JSON.stringify of
 * a whole row would throw on): only lib/tokens/list-tokens.ts reads it, in SQL.
 */
const OMIT = {
  user: { passwordHash: true },
  mqttCredential: { passwordHash: true },
  applicationToken: { lastUsedXid: true },
} as const;

/** The Prisma client with the secret columns omitted, as its types say. */
export type TesseraPrisma = PrismaClient<never, typeof OMIT>;

/** Counts every query the client runs (GET /api/metrics); the models and their types stay as they are. */
function counted(client: TesseraPrisma): TesseraPrisma {
  return client.$extends({
    query: {
      async $allOperations({ args, query }) {
        metrics.dbQueries++;
        return query(args);
      },
    },
  }) as unknown as TesseraPrisma;
}

type Query = <Row extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

/** A driver's query, counted like Prisma's (GET /api/metrics). */
function countedQuery(run: (sql: string, params?: unknown[]) => Promise<unknown[]>): Query {
  return async <Row extends Record<string, unknown>>(sql: string, params?: unknown[]) => {
    metrics.dbQueries++;
    return (await run(sql, params)) as Row[];
  };
}

export interface Database {
  engine: Env["engine"];
  prisma: TesseraPrisma;
  /**
   * One parameterised statement straight to the driver, for the few queries on
   * every request's path (revocation, the session's account, the token list):
   * Prisma's query engine costs several times the query itself there.
   */
  query: Query;
  /**
   * PostgreSQL only: the pool's own query, counted like the others, as the
   * store client of rate-limiter-flexible's PostgreSQL store (lib/limits):
   * the throttles share this process's pool instead of opening a second one.
   */
  pool?: { query: (config: pg.QueryConfig) => Promise<pg.QueryResult> };
  /** Runs fn on one raw connection (migrations, schema checks). */
  withRunner<T>(fn: (runner: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the embedded database keeps its files inside the data dir. */
export function pgliteDir(dataDir: string): string {
  return path.join(dataDir, "pglite");
}

/**
 * Opens the configured database: PostgreSQL through a pg pool when
 * DATABASE_URL is set, otherwise PGlite in the data dir. PGlite is one
 * process's database: callers must hold the data dir lock (lib/embedded/lock.ts)
 * or be the server started by `tessera start`, which holds it for them.
 *
 * shortLived (a CLI command): PGlite starts with 16 MB of shared buffers
 * instead of the data dir's 128 MB, which PostgreSQL in WebAssembly spends
 * 0.6 s of CPU setting up at every start (measured: 1.71 s against 1.11 s to
 * open a migrated data dir); a command touches a few pages, the server keeps
 * the 128 MB.
 */
export function openDatabase(current: Env, options: { shortLived?: boolean } = {}): Database {
  if (current.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: current.DATABASE_URL,
      max: current.TESSERA_DB_POOL_MAX,
      // Fail fast when the server is unreachable, so callers can answer 503.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client that loses its server emits 'error' on the pool; without a
    // listener that would crash the process. The next query reports the outage.
    pool.on("error", () => {});
    const prisma = counted(new PrismaClient({ adapter: new PrismaPg(pool), omit: OMIT }));
    return {
      engine: "postgres",
      prisma,
      query: countedQuery(async (sql, params) => (await pool.query(sql, params)).rows),
      pool: {
        query(config) {
          metrics.dbQueries++;
          return pool.query(config);
        },
      },
      async withRunner(fn) {
        const client = await pool.connect();
        try {
          return await fn(pgRunner(client));
        } finally {
          client.release();
        }
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  ensureDataDir(dataDirOf(current));
  const pglite = new PGlite(
    pgliteDir(dataDirOf(current)),
    options.shortLived ? { startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"] } : undefined,
  );
  const prisma = counted(new PrismaClient({ adapter: new PrismaPGlite(pglite), omit: OMIT }));
  return {
    engine: "pglite",
    prisma,
    query: countedQuery(async (sql, params) => (await pglite.query(sql, params)).rows),
    withRunner: (fn) => fn(pgliteRunner(pglite)),
    async close() {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}
