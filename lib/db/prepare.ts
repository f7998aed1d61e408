import "server-only";
import path from "node:path";
import { env, type Env, EnvError } from "../env.ts";
import { database } from "../db.ts";
import { isDatabaseUnavailable } from "./errors.ts";
import { migrate, MigrationError } from "./migrate.ts";
import { backfillNameSkeletons } from "../tokens/name-skeleton.ts";
import { ensureFirstAdmin } from "../users/manage-users.ts";

/** Set by `tessera start` for its server process on the embedded database: prepare it there (prepareInServer). */
export const PREPARE_IN_SERVER = "TESSERA_PREPARE_IN_SERVER";

/** Where the migrations are: prisma/migrations under the directory Tessera runs from (as `npm start` runs it). */
export const MIGRATIONS_DIR = path.resolve("prisma/migrations");

/**
 * What a start does to the database before serving: pending migrations (with
 * TESSERA_MIGRATE_ON_START), the look-alike skeletons of names made before
 * they existed, and the first local admin (with local login on), printing a
 * generated password once. `tessera start` runs it in its supervisor on
 * PostgreSQL, and has the server process run it on the embedded database
 * (prepareInServer): PGlite is one process's, and the server opens it anyway.
 */
export async function prepareDatabase(current: Env, log: (line: string) => void): Promise<void> {
  if (current.TESSERA_MIGRATE_ON_START) {
    const result = await database()
      .withRunner((runner) => migrate(runner, MIGRATIONS_DIR, log))
      .catch((error: unknown) => {
        if (!isDatabaseUnavailable(error)) throw error;
        throw new EnvError(`Cannot reach the database to apply migrations: ${(error as Error).message}`);
      });
    log(`database schema up to date (${result.alreadyApplied + result.applied.length} migrations)`);
    await database().withRunner((runner) => backfillNameSkeletons(runner, log));
  }
  if (current.TESSERA_LOCAL_LOGIN) {
    const admin = await ensureFirstAdmin(current.TESSERA_ADMIN_PASSWORD).catch((error: unknown) => {
      // Serve anyway (health answers 503 until the database is back); the next start tries again.
      if (!isDatabaseUnavailable(error)) throw error;
      log("warning: the database is unreachable, so the first admin could not be checked; the server starts anyway");
      return { created: false } as const;
    });
    if (admin.created && admin.generated) {
      log(`created the first local admin "${admin.username}" with the generated password: ${admin.password}`);
      log("it is shown only now; change it with: npm run tessera -- users set-password admin");
    } else if (admin.created) log(`created the first local admin "${admin.username}" with TESSERA_ADMIN_PASSWORD`);
  }
}

/**
 * The embedded database's start, in the server process (instrumentation.ts), before its port opens
 * (scripts/server.mjs waits for it). Measured: it spares each `tessera start` a second opening of PGlite in the
 * supervisor, 2.5 s of CPU of its 3.7. Any failure is one sentence (server.mjs prints it and exits 1): a
 * configuration or migration problem as it was from the supervisor, a data dir PGlite cannot open as what it is.
 */
export async function prepareInServer(): Promise<void> {
  try {
    await prepareDatabase(env(), (line) => console.log(`[tessera] ${line}`));
  } catch (error) {
    if (error instanceof EnvError || error instanceof MigrationError) throw error;
    throw new Error(
      `the embedded database in ${env().TESSERA_DATA_DIR} could not be opened or prepared: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
