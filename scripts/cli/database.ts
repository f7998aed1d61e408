import { parseArgs } from "node:util";
import { closeDatabase, database } from "../../lib/db.ts";
import { migrate, type MigrateResult } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../../lib/db/prepare.ts";
import { acquireDataDirLock, dataDirOf } from "../../lib/embedded/lock.ts";
import { embeddedSecrets } from "../../lib/embedded/secrets.ts";
import { backfillNameSkeletons } from "../../lib/tokens/name-skeleton.ts";
import { env } from "../../lib/env.ts";

/**
 * Runs fn against the configured database, as one CLI command: takes the data
 * dir lock first when the database is embedded (so it never opens PGlite
 * beside a running server), fills in the embedded secrets (so tokens it signs
 * verify on the server), brings the schema up to date (and the look-alike
 * skeletons of token names made before it had them), and closes again.
 */
export async function withDatabase<T>(
  purpose: string,
  fn: () => Promise<T>,
): Promise<{ value: T; migrations: MigrateResult }> {
  const current = env();
  const lock = current.engine === "pglite" ? acquireDataDirLock(dataDirOf(current), purpose) : undefined;
  try {
    if (current.engine === "pglite")
      Object.assign(
        current,
        embeddedSecrets(current, dataDirOf(current), (line) => console.error(`[tessera] ${line}`)),
      );
    try {
      const log = (line: string) => console.error(`[tessera] ${line}`);
      const migrations = await database().withRunner((runner) => migrate(runner, MIGRATIONS_DIR, log));
      await database().withRunner((runner) => backfillNameSkeletons(runner, log));
      return { value: await fn(), migrations };
    } finally {
      await closeDatabase();
    }
  } finally {
    lock?.release();
  }
}

/** `<resource> list [--json]`: the rows as JSON with --json, else a sentence when there are none, else print(rows). */
export async function listCommand<T>(
  purpose: string,
  args: string[],
  load: () => Promise<T[]>,
  none: string,
  print: (rows: T[]) => void,
): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  const { value } = await withDatabase(purpose, load);
  if (values.json) console.log(JSON.stringify(value, null, 2));
  else if (value.length === 0) console.log(none);
  else print(value);
  return 0;
}
