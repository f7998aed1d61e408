import path from "node:path";
import type { Env } from "../../lib/env.ts";
import { migrate, type MigrateResult } from "../../lib/db/migrate.ts";
import { openDatabase, type Database } from "../../lib/db/open.ts";
import { acquireDataDirLock } from "../../lib/embedded/lock.ts";

export const MIGRATIONS_DIR = path.resolve("prisma/migrations");

/**
 * Opens the configured database for one CLI command: takes the data dir lock
 * first when the database is embedded (so it never opens PGlite beside a
 * running server), brings the schema up to date, runs fn, and closes again.
 */
export async function withDatabase<T>(
  current: Env,
  purpose: string,
  fn: (database: Database) => Promise<T>,
): Promise<{ value: T; migrations: MigrateResult }> {
  const lock = current.engine === "pglite" ? acquireDataDirLock(current.dataDir, purpose) : undefined;
  try {
    const database = openDatabase(current);
    try {
      const migrations = await database.withRunner((runner) =>
        migrate(runner, MIGRATIONS_DIR, (line) => console.log(line)),
      );
      return { value: await fn(database), migrations };
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}
