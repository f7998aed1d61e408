import "server-only";
import { env } from "./env.ts";
import { openDatabase, type Database } from "./db/open.ts";

// One database per process. The global survives Next.js dev-mode reloads,
// which would otherwise open a second PGlite on the same files.
const globalForDb = globalThis as unknown as { tesseraDatabase?: Database };

let shortLived = false;

/** Called by the CLI for its commands that run a moment (not the worker): the database opens lighter (db/open.ts). */
export function openShortLived(): void {
  shortLived = true;
}

/** This process's database, opened on first use (never at build time). */
export function database(): Database {
  globalForDb.tesseraDatabase ??= openDatabase(env(), { shortLived });
  return globalForDb.tesseraDatabase;
}

/** This process's Prisma client. */
export function db() {
  return database().prisma;
}

/** Closes the database if it was opened; safe to call more than once. */
export async function closeDatabase(): Promise<void> {
  const current = globalForDb.tesseraDatabase;
  globalForDb.tesseraDatabase = undefined;
  await current?.close();
}

/** True when the database answers a trivial query within timeoutMs. */
export async function databaseIsUp(timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const ping = db().$queryRaw`SELECT 1`.then(() => true).catch(() => false);
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
