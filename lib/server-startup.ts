import "server-only";
import { assertSecrets, env, EnvError } from "./env.ts";

/**
 * Refuses to serve with a broken configuration: exit 1 with a clear sentence
 * instead of a server that fails on its first request.
 *
 * No shutdown hook closes the database: next start drains its connections on
 * SIGTERM and exits, and both engines are crash-safe for committed data
 * (PGlite runs with synchronous_commit on; a reopen replays its WAL), so a
 * close racing the last requests would do more harm than good.
 */
export async function checkServerEnvironment(): Promise<void> {
  try {
    assertSecrets(env());
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`[tessera] ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
