import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import packageJson from "../package.json" with { type: "json" };
import { engine } from "./helpers/database.ts";
import { freePort, runCli, startServer, tempDataDir } from "./helpers/server.ts";

const secretsEnv = {
  TESSERA_TOKEN_KEYS: `test-key:${randomBytes(32).toString("base64url")}`,
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
};

async function assertHealthy(url: string) {
  const response = await fetch(`${url}/api/health`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), { status: "ok", database: "ok", mqtt: "disabled" });
}

const INSERT_TOKEN = `INSERT INTO application_tokens (hash, name, role, kid, jti, requested_by, valid_until)
  VALUES ($1, $2, 'viewer', 'k', $3, 'test', now() + interval '1 day')`;

describe("any engine", () => {
  test("GET / names the product and its version", async () => {
    const data = tempDataDir();
    const server = await startServer({ TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" });
    try {
      const response = await fetch(`${server.url}/`);
      assert.equal(response.status, 200);
      const html = await response.text();
      assert.match(html, /<h1[^>]*>Tessera<\/h1>/);
      assert.match(html, new RegExp(`data-testid="version"[^>]*>${packageJson.version.replace(/\./g, "\\.")}<`));
      assert.equal(response.headers.get("referrer-policy"), "no-referrer");
      assert.equal(response.headers.get("x-powered-by"), null);
    } finally {
      await server.stop();
      data.remove();
    }
  });

  test("with DATABASE_URL set, missing secrets stop the start with a clear sentence", async () => {
    const result = await runCli(["start"], { DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" });
    assert.equal(result.code, 1);
    assert.match(
      result.output,
      /tessera: Missing required secrets: TESSERA_TOKEN_KEYS, NEXTAUTH_SECRET\. With DATABASE_URL set/,
    );
  });

  test("an unreachable PostgreSQL at start is one clear sentence and exit 1, not a stack trace", async () => {
    const closedPort = await freePort();
    const result = await runCli(["start"], {
      ...secretsEnv,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/tessera`,
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.output.trim(),
      `tessera: Cannot reach the database to apply migrations: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
  });

  test("/api/health answers 503 when PostgreSQL is unreachable", async () => {
    const closedPort = await freePort();
    const server = await startServer({
      ...secretsEnv,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/tessera`,
      TESSERA_MIGRATE_ON_START: "false",
    });
    try {
      const response = await fetch(`${server.url}/api/health`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: "unavailable", database: "unavailable", mqtt: "disabled" });
      assert.doesNotMatch(
        server.output(),
        /ECONNREFUSED.*\n\s+at /,
        "no stack traces in the log for an expected outage",
      );
    } finally {
      await server.stop();
    }
  });
});

if (engine === "pglite")
  describe("embedded database (PGlite)", () => {
    test("a data dir PGlite cannot open, or an edited migration: one sentence and exit 1, the port never opens", async () => {
      const broken = tempDataDir({ migrated: true });
      const edited = tempDataDir({ migrated: true });
      try {
        // A data dir from another PostgreSQL major version (or damaged): PGlite refuses to start on it.
        writeFileSync(path.join(broken.dir, "pglite", "PG_VERSION"), "99\n");
        const db = new PGlite(path.join(edited.dir, "pglite"));
        await db.query(
          `UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = '20261123000000_application_tokens'`,
        );
        await db.close();
        for (const [data, sentence] of [
          [broken, /^tessera: the embedded database in .* could not be opened or prepared: /m],
          [edited, /^tessera: Migration 20261123000000_application_tokens .*changed/m],
        ] as const) {
          const refused = await startServer({ TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" }).then(
            async (server) => {
              await server.stop();
              return "";
            },
            (error: Error) => error.message,
          );
          assert.match(refused, /server did not start \(exited\)/, "the start fails; no server answers meanwhile");
          assert.match(refused, sentence);
          assert.doesNotMatch(refused, /ready on port/);
          assert.doesNotMatch(refused, /\n\s+at /, "no stack trace");
        }
      } finally {
        broken.remove();
        edited.remove();
      }
    });

    test("starts with zero configuration, refuses a second opener, and keeps its data across restarts", async () => {
      const data = tempDataDir();
      try {
        const first = await startServer({ TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" });
        let secrets: Record<string, string>;
        try {
          await assertHealthy(first.url);
          assert.match(first.output(), /Generated signing secrets in .*secrets\.json \(mode 0600\)/);
          assert.match(first.output(), /applied migration 20261123000000_application_tokens/);
          assert.match(
            first.output(),
            /created the first local admin "admin" with the generated password: [A-Za-z0-9_-]{24}\n/,
          );
          // The server migrates the embedded database itself (lib/db/prepare.ts): its port opens after that.
          assert.ok(
            first.output().indexOf("database schema up to date") < first.output().indexOf("ready on port"),
            `"ready" only once the schema is there:\n${first.output()}`,
          );
          secrets = JSON.parse(readFileSync(path.join(data.dir, "secrets.json"), "utf8"));
          for (const value of Object.values(secrets))
            assert.ok(!first.output().includes(value), "secrets never reach the log");

          for (const command of [["migrate"], ["start"]]) {
            const second = await runCli(command, { TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" });
            assert.equal(second.code, 1, `tessera ${command[0]} must refuse while the server runs`);
            assert.match(second.output, /is in use by "tessera start"/);
          }
          await assertHealthy(first.url);
        } finally {
          assert.equal(await first.stop("SIGTERM"), 0);
        }
        assert.equal(existsSync(path.join(data.dir, "tessera.lock")), false, "a clean stop releases the data dir");

        // Data written between runs must survive the next start (which migrates and reopens the files).
        const hash = randomBytes(32).toString("hex");
        const between = new PGlite(path.join(data.dir, "pglite"));
        await between.query(INSERT_TOKEN, [hash, "kept-across-restarts", crypto.randomUUID()]);
        await between.close();

        const again = await startServer({ TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" });
        try {
          await assertHealthy(again.url);
          assert.doesNotMatch(again.output(), /Generated signing secrets/);
          assert.doesNotMatch(again.output(), /applied migration/);
          assert.doesNotMatch(again.output(), /first local admin/, "the generated password is printed once");
        } finally {
          assert.equal(await again.stop("SIGINT"), 0);
        }
        assert.deepEqual(JSON.parse(readFileSync(path.join(data.dir, "secrets.json"), "utf8")), secrets);

        const after = new PGlite(path.join(data.dir, "pglite"));
        try {
          const rows = await after.query<{ name: string }>("SELECT name FROM application_tokens WHERE hash = $1", [
            hash,
          ]);
          assert.deepEqual(rows.rows, [{ name: "kept-across-restarts" }]);
          const migrations = await after.query(`SELECT 1 FROM "_prisma_migrations"`);
          const files = await readdir(path.resolve("prisma/migrations"), { withFileTypes: true });
          assert.equal(
            migrations.rows.length,
            files.filter((f) => f.isDirectory()).length,
            "each migration is applied once, not on every start",
          );
        } finally {
          await after.close();
        }
      } finally {
        data.remove();
      }
    });
  });

if (engine === "postgres")
  describe("PostgreSQL (DATABASE_URL)", () => {
    const name = `tessera_srv_${randomBytes(4).toString("hex")}`;
    let admin: pg.Client;
    let databaseUrl: string;

    before(async () => {
      admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
    });
    after(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });

    test("migrates on start, keeps data across restarts, and reports an outage as 503 until it ends", async () => {
      const first = await startServer({ ...secretsEnv, DATABASE_URL: databaseUrl });
      try {
        await assertHealthy(first.url);
        assert.match(first.output(), /applied migration 20261123000000_application_tokens/);
      } finally {
        assert.equal(await first.stop(), 0);
      }

      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const hash = randomBytes(32).toString("hex");
      await client.query(INSERT_TOKEN, [hash, "kept-across-restarts", crypto.randomUUID()]);
      await client.end();

      const second = await startServer({ ...secretsEnv, DATABASE_URL: databaseUrl });
      try {
        await assertHealthy(second.url);
        assert.doesNotMatch(second.output(), /applied migration/);

        // A real outage: the database stops accepting connections and every session is cut.
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
        const down = await fetch(`${second.url}/api/health`);
        assert.equal(down.status, 503);
        assert.deepEqual(await down.json(), { status: "unavailable", database: "unavailable", mqtt: "disabled" });

        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await assertHealthy(second.url);
      } finally {
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        assert.equal(await second.stop(), 0);
      }

      const check = new pg.Client({ connectionString: databaseUrl });
      await check.connect();
      try {
        const rows = await check.query("SELECT name FROM application_tokens WHERE hash = $1", [hash]);
        assert.deepEqual(rows.rows, [{ name: "kept-across-restarts" }]);
      } finally {
        await check.end();
      }
    });
  });
