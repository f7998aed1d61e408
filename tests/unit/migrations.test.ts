import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { checksum, migrate, MigrationError, readMigrations } from "../../lib/db/migrate.ts";
import { backfillNameSkeletons, nameSkeleton } from "../../lib/tokens/name-skeleton.ts";
import { engine, scratchDatabase, withScratchDatabase } from "../helpers/database.ts";
import { readDatamodel, schemaDrift } from "../helpers/schema-drift.ts";

const MIGRATIONS = path.resolve("prisma/migrations");
const INIT = "20261123000000_application_tokens";
const SKELETON = "20261126000000_token_name_skeleton";
const SESSIONS = "20261125100000_user_sessions";

let work: string;
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "tessera-migrations-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A copy of prisma/migrations that a test may edit. */
async function copyOfMigrations(name: string): Promise<string> {
  const dir = path.join(work, name);
  await cp(MIGRATIONS, dir, { recursive: true });
  return dir;
}

describe(`migrations on ${engine}`, () => {
  test("the migrated database matches prisma/schema.prisma exactly", async () => {
    await withScratchDatabase(async (db) => {
      const result = await migrate(db.runner, MIGRATIONS);
      assert.ok(result.applied.length >= 1);
      assert.deepEqual(await schemaDrift(db.runner, await readDatamodel()), []);
    });
  });

  test("records each migration as prisma migrate deploy does, and a second run applies nothing", async () => {
    await withScratchDatabase(async (db) => {
      const files = await readMigrations(MIGRATIONS);
      const first = await migrate(db.runner, MIGRATIONS);
      assert.deepEqual(first, { applied: files.map((f) => f.name), alreadyApplied: 0 });
      const second = await migrate(db.runner, MIGRATIONS);
      assert.deepEqual(second, { applied: [], alreadyApplied: files.length });

      const rows = await db.runner.query<{
        migration_name: string;
        checksum: string;
        finished_at: unknown;
        applied_steps_count: number;
        rolled_back_at: unknown;
      }>(
        `SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      assert.equal(rows.length, files.length);
      const sql = await readFile(path.join(MIGRATIONS, INIT, "migration.sql"), "utf8");
      assert.equal(rows[0]!.migration_name, INIT);
      assert.equal(rows[0]!.checksum, checksum(sql));
      assert.match(rows[0]!.checksum, /^[0-9a-f]{64}$/);
      assert.notEqual(rows[0]!.finished_at, null);
      assert.equal(rows[0]!.rolled_back_at, null);
      assert.equal(rows[0]!.applied_steps_count, 1);
    });
  });

  test("the drift check fails when a column is removed from a migration", async () => {
    const dir = await copyOfMigrations("removed-column");
    // A column no later migration refers to (application_tokens' are all named by its list-version trigger).
    const file = path.join(dir, SESSIONS, "migration.sql");
    const sql = await readFile(file, "utf8");
    const edited = sql.replace(/^\s*"address" VARCHAR\(64\),\n/m, "");
    assert.notEqual(edited, sql, "the test must actually remove the column");
    await writeFile(file, edited);

    await withScratchDatabase(async (db) => {
      await migrate(db.runner, dir);
      const drift = await schemaDrift(db.runner, await readDatamodel());
      assert.deepEqual(drift, ["user_sessions.address: missing column"]);
    });
  });

  test("the drift check fails on a wrong type, nullability, extra column or missing unique index", async () => {
    const dir = await copyOfMigrations("altered");
    const file = path.join(dir, INIT, "migration.sql");
    const sql = await readFile(file, "utf8");
    const edited = sql
      .replace(`"name" VARCHAR(30) NOT NULL`, `"name" VARCHAR(40) NOT NULL`)
      .replace(`"last_used" TIMESTAMPTZ(3),`, `"last_used" TIMESTAMPTZ(3) NOT NULL,\n    "surprise" INTEGER,`)
      .replace(/CREATE UNIQUE INDEX "application_tokens_jti_key"[^;]*;/, "");
    await writeFile(file, edited);

    await withScratchDatabase(async (db) => {
      await migrate(db.runner, dir);
      const drift = await schemaDrift(db.runner, await readDatamodel());
      assert.deepEqual(drift.sort(), [
        "application_tokens unique index (jti): missing",
        "application_tokens.last_used: NOT NULL, schema says optional",
        "application_tokens.name: type character varying(40), schema says character varying(30)",
        "application_tokens.surprise: column in the database, not in the schema",
      ]);
    });
  });

  test("a failing migration is rolled back whole, recorded nowhere, and applies once fixed", async () => {
    const dir = await copyOfMigrations("failing");
    const broken = path.join(dir, "29990101000000_broken");
    await mkdir(broken);
    await writeFile(
      path.join(broken, "migration.sql"),
      `CREATE TABLE "half_done" ("id" INTEGER);\nINSERT INTO "half_done" VALUES (1);\nSELECT no_such_function();\n`,
    );

    await withScratchDatabase(async (db) => {
      await assert.rejects(migrate(db.runner, dir), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /^Migration 29990101000000_broken failed and was rolled back: .*no_such_function/);
        return true;
      });
      const tables = await db.runner.query(
        `SELECT 1 FROM pg_class WHERE relname = 'half_done' AND relnamespace = current_schema()::regnamespace`,
      );
      assert.equal(tables.length, 0, "the failed migration's table must not exist");
      const recorded = await db.runner.query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations"`,
      );
      const earlier = (await readMigrations(MIGRATIONS)).map((file) => file.name);
      assert.deepEqual(
        recorded.map((r) => r.migration_name).sort(),
        earlier,
        "earlier migrations stay applied; the failed one is not recorded",
      );

      await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE "half_done" ("id" INTEGER);\n`);
      const retry = await migrate(db.runner, dir);
      assert.deepEqual(retry.applied, ["29990101000000_broken"]);
    });
  });

  test("names that already look alike survive the name_skeleton migration: the older keeps the skeleton, the newer is reported, no new look-alike gets in", async () => {
    const dir = await copyOfMigrations("before-skeleton");
    // The database as it was before the skeleton migration: it and every later one (they may use its column) removed.
    const later = (await readMigrations(MIGRATIONS)).map((m) => m.name).filter((name) => name >= SKELETON);
    for (const name of later) await rm(path.join(dir, name), { recursive: true });
    await withScratchDatabase(async (db) => {
      await migrate(db.runner, dir);
      const insert = (name: string, issued: string) =>
        db.runner.query(
          `INSERT INTO application_tokens (hash, name, role, kid, jti, requested_by, issue_date, valid_until)
           VALUES ($1, $2, 'admin', 'k', $3, 'test', $4, now() + interval '1 day')`,
          [randomBytes(32).toString("hex"), name, randomUUID(), issued],
        );
      await insert("rt-admin", "2026-01-01T00:00:00Z");
      await insert("rt-\u0430dmin", "2026-01-02T00:00:00Z"); // Cyrillic а, made while nothing refused it
      await insert("other", "2026-01-03T00:00:00Z");

      const result = await migrate(db.runner, MIGRATIONS);
      assert.deepEqual(result.applied, later, "the migration applies on a database holding look-alikes");
      const lines: string[] = [];
      assert.deepEqual(
        await backfillNameSkeletons(db.runner, (line) => lines.push(line)),
        { filled: 2, lookAlikes: 1 },
        "backfill result",
      );
      assert.match(
        lines.join("\n"),
        /token name "rt-\u0430dmin" looks like the older "rt-admin"/,
        "the look-alike is reported by name",
      );

      const rows = await db.runner.query<{ name: string; skeleton: string | null }>(
        `SELECT name, name_skeleton AS skeleton FROM application_tokens ORDER BY issue_date`,
      );
      assert.deepEqual(
        rows,
        [
          { name: "rt-admin", skeleton: nameSkeleton("rt-admin") },
          { name: "rt-\u0430dmin", skeleton: null },
          { name: "other", skeleton: nameSkeleton("other") },
        ],
        "skeletons after the backfill",
      );
      await assert.rejects(
        db.runner.query(
          `INSERT INTO application_tokens (hash, name, name_skeleton, role, kid, jti, requested_by, valid_until) VALUES ($1, 'rt-adrnin', $2, 'admin', 'k', $3, 'test', now())`,
          [randomBytes(32).toString("hex"), nameSkeleton("rt-adrnin"), randomUUID()],
        ),
        /name_skeleton/,
        "a new look-alike of either is refused by the database",
      );
      assert.deepEqual(
        await backfillNameSkeletons(db.runner, () => {}),
        { filled: 0, lookAlikes: 1 },
        "a second run changes nothing",
      );
    });
  });

  test("refuses to run when an applied migration was edited afterwards", async () => {
    const dir = await copyOfMigrations("edited");
    await withScratchDatabase(async (db) => {
      await migrate(db.runner, dir);
      await writeFile(
        path.join(dir, INIT, "migration.sql"),
        "-- edited\n" + (await readFile(path.join(dir, INIT, "migration.sql"), "utf8")),
      );
      await assert.rejects(
        migrate(db.runner, dir),
        /Migration 20261123000000_application_tokens was changed after it was applied/,
      );
    });
  });

  test("refuses to continue past a migration another tool left unfinished", async () => {
    await withScratchDatabase(async (db) => {
      await migrate(db.runner, MIGRATIONS);
      await db.runner.query(`UPDATE "_prisma_migrations" SET finished_at = NULL`);
      await assert.rejects(migrate(db.runner, MIGRATIONS), /started but did not finish/);
    });
  });

  // PGlite has a single connection: the advisory lock only matters on PostgreSQL.
  if (engine === "postgres")
    test("concurrent runners against one PostgreSQL apply each migration exactly once", async () => {
      const db = await scratchDatabase();
      const connections = await Promise.all([db.connect(), db.connect(), db.connect(), db.connect()]);
      try {
        const results = await Promise.all(connections.map((c) => migrate(c.runner, MIGRATIONS)));
        const files = await readMigrations(MIGRATIONS);
        assert.equal(
          results.reduce((sum, r) => sum + r.applied.length, 0),
          files.length,
        );
        const rows = await db.runner.query(`SELECT migration_name FROM "_prisma_migrations"`);
        assert.equal(rows.length, files.length);
      } finally {
        await Promise.all(connections.map((c) => c.close()));
        await db.close();
      }
    });
});
