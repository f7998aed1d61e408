import type { PGlite, Transaction } from "@electric-sql/pglite";
import type pg from "pg";

/**
 * The few raw-SQL operations the migrator and the schema checks need, over
 * either engine. Prisma's client cannot run multi-statement SQL, so these go
 * to the driver underneath it.
 */
export interface SqlRunner {
  /** One statement, optionally with $1.. parameters; returns its rows. */
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** A script of one or more statements, no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs fn inside BEGIN/COMMIT; any throw rolls everything back. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

function pgliteLike(db: PGlite | Transaction): Omit<SqlRunner, "transaction"> {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

export function pgliteRunner(db: PGlite): SqlRunner {
  return {
    ...pgliteLike(db),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...pgliteLike(tx),
          transaction: () => Promise.reject(new Error("nested transactions are not supported")),
        }),
      ),
  };
}

/** A runner on one dedicated pg connection (session state such as advisory locks stays on it). */
export function pgRunner(client: pg.Client | pg.PoolClient): SqlRunner {
  const runner: SqlRunner = {
    async query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      const result = await client.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        const value = await fn({
          ...runner,
          transaction: () => Promise.reject(new Error("nested transactions are not supported")),
        });
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    },
  };
  return runner;
}
