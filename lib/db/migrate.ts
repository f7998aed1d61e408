import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlRunner } from "./sql-runner.ts";

/**
 * Applies prisma/migrations without Prisma's schema engine, compatibly with
 * `prisma migrate deploy`: same folder format, same `_prisma_migrations`
 * table, same checksum (SHA-256 of migration.sql), so either tool can take
 * over from the other.
 *
 * Each migration runs in its own transaction together with its bookkeeping
 * row, so a failing migration leaves no trace and can simply be fixed and
 * re-run. Concurrent runners (several app instances starting against one
 * PostgreSQL) serialise on the same advisory lock Prisma uses.
 */

/** Prisma's advisory lock key for migrations. */
const ADVISORY_LOCK_KEY = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function checksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** The migration folders of dir, in the order Prisma applies them (by name). */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const lockFile = await readFile(path.join(dir, "migration_lock.toml"), "utf8").catch(() => null);
  if (lockFile !== null && !/provider\s*=\s*"postgresql"/.test(lockFile)) {
    throw new MigrationError(`${dir}/migration_lock.toml does not name provider "postgresql"`);
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8").catch(() => null);
    if (sql === null) continue; // Prisma also skips folders without migration.sql
    files.push({ name, sql, checksum: checksum(sql) });
  }
  return files;
}

interface AppliedRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
}

/** Applies every pending migration of dir; returns what it did. Throws MigrationError on any problem. */
export async function migrate(
  runner: SqlRunner,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<MigrateResult> {
  const files = await readMigrations(dir);
  await runner.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
  try {
    await runner.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await runner.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
    );
    const unfinished = rows.find((row) => row.finished_at === null);
    if (unfinished) {
      throw new MigrationError(
        `Migration ${unfinished.migration_name} started but did not finish (recorded by another tool). ` +
          `Inspect the database, then mark it with \`prisma migrate resolve\` or delete its row from _prisma_migrations.`,
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    for (const file of files) {
      const recorded = applied.get(file.name);
      if (recorded !== undefined && recorded !== file.checksum) {
        throw new MigrationError(
          `Migration ${file.name} was changed after it was applied (checksum ${recorded.slice(0, 12)}… in the database, ` +
            `${file.checksum.slice(0, 12)}… on disk). Never edit an applied migration: add a new one.`,
        );
      }
    }
    const known = new Set(files.map((file) => file.name));
    for (const name of applied.keys()) {
      if (!known.has(name)) log(`warning: migration ${name} is applied in the database but missing from ${dir}`);
    }

    const pending = files.filter((file) => !applied.has(file.name));
    for (const file of pending) {
      const startedAt = new Date();
      try {
        await runner.transaction(async (tx) => {
          await tx.exec(file.sql);
          await tx.query(
            `INSERT INTO "_prisma_migrations"
               (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
            [randomUUID(), file.checksum, file.name, startedAt],
          );
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${reason}`);
      }
      log(`applied migration ${file.name}`);
    }
    return { applied: pending.map((file) => file.name), alreadyApplied: files.length - pending.length };
  } finally {
    await runner.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => {});
  }
}
