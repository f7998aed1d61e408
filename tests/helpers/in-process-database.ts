import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { engine, freshPostgresDatabase } from "./database.ts";

/**
 * For tests that call the services in lib/ directly, in this process: points
 * the environment at a database of this file's own (a fresh PostgreSQL
 * database when the suite runs against DATABASE_URL, else a PGlite data dir),
 * migrates it before the tests and closes and removes it after them. Call it
 * before the first import of lib/db.ts (that reads the environment once).
 * Returns the PostgreSQL database's URL, if any (for other connections).
 */
export async function inProcessDatabase(name: string): Promise<{ url?: string }> {
  const work = mkdtempSync(path.join(os.tmpdir(), `tessera-${name}-`));
  const pgdb = engine === "postgres" ? await freshPostgresDatabase(`tessera_${name}`) : undefined;
  Object.assign(process.env, {
    DATABASE_URL: pgdb?.url ?? "",
    TESSERA_DATA_DIR: work,
    TESSERA_TOKEN_KEYS: `${name}:${randomBytes(32).toString("base64url")}`,
  });
  const { closeDatabase, database } = await import("../../lib/db.ts");
  const { migrate } = await import("../../lib/db/migrate.ts");
  before(async () => {
    await database().withRunner((runner) => migrate(runner, path.resolve("prisma/migrations")));
  });
  after(async () => {
    await closeDatabase();
    await pgdb?.drop();
    rmSync(work, { recursive: true, force: true });
  });
  return { url: pgdb?.url };
}
