import "server-only";
import { assertSecrets, env, EnvError } from "./env.ts";
import { closeDatabase } from "./db.ts";

/**
 * Refuses to serve with a broken configuration (exit 1 with a clear
 * sentence), and closes the database cleanly on shutdown so the embedded
 * PGlite files are left consistent.
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
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void closeDatabase().finally(() => process.exit(0));
    });
  }
}
