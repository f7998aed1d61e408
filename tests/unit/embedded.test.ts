import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { assertSecrets, EnvError, parseEnv } from "../../lib/env.ts";
import { acquireDataDirLock, DataDirBusyError, dataDirOf, lockFile } from "../../lib/embedded/lock.ts";
import { loadOrCreateSecrets, secretsFile } from "../../lib/embedded/secrets.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-embedded-"));
  dirs.push(dir);
  return path.join(dir, "data");
}
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A pid that certainly belongs to no live process: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("data dir lock", () => {
  test("a second holder is refused with a sentence naming the first", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, "tessera start");
    try {
      assert.throws(
        () => acquireDataDirLock(dir, "tessera migrate"),
        (error: unknown) => {
          assert.ok(error instanceof DataDirBusyError);
          assert.match(error.message, new RegExp(`in use by "tessera start" \\(pid ${process.pid}`));
          return true;
        },
      );
    } finally {
      lock.release();
    }
    assert.equal(existsSync(lockFile(dir)), false, "release removes the lock file");
    acquireDataDirLock(dir, "again").release();
  });

  test("a lock left by dead processes is taken over", () => {
    const dir = tempDir();
    acquireDataDirLock(dir, "setup").release();
    writeFileSync(
      lockFile(dir),
      JSON.stringify({ purpose: "tessera start", pids: [deadPid(), deadPid()], since: "2026-01-01T00:00:00Z" }),
    );
    const lock = acquireDataDirLock(dir, "tessera migrate");
    assert.equal(JSON.parse(readFileSync(lockFile(dir), "utf8")).purpose, "tessera migrate");
    lock.release();
  });

  test("the lock stays held while any holder (the server child) lives", () => {
    const dir = tempDir();
    acquireDataDirLock(dir, "setup").release();
    writeFileSync(
      lockFile(dir),
      JSON.stringify({ purpose: "tessera start", pids: [deadPid(), process.pid], since: "2026-01-01T00:00:00Z" }),
    );
    assert.throws(() => acquireDataDirLock(dir, "tessera migrate"), DataDirBusyError);
  });
});

describe("data dir mode", () => {
  test("a new data dir is made 0700, and an existing one others can read is tightened to 0700 by the lock (tessera start and every CLI command)", () => {
    const dir = tempDir();
    acquireDataDirLock(dir, "tessera start").release();
    assert.equal(statSync(dir).mode & 0o777, 0o700, "created 0700");
    for (const loose of [0o755, 0o750, 0o777]) {
      chmodSync(dir, loose);
      acquireDataDirLock(dir, "tessera tokens list").release();
      assert.equal(statSync(dir).mode & 0o777, 0o700, `tightened from ${loose.toString(8)}`);
    }
  });
});

describe("embedded secrets", () => {
  test("are generated once with mode 0600, strong, valid for the server, and reused", () => {
    const dir = tempDir();
    const lines: string[] = [];
    const first = loadOrCreateSecrets(dir, (line) => lines.push(line));
    assert.equal(statSync(secretsFile(dir)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /Generated signing secrets .* set TESSERA_TOKEN_KEYS and NEXTAUTH_SECRET/);
    assert.ok(!lines[0]!.includes(first.NEXTAUTH_SECRET), "the log line must not contain a secret");
    assert.ok(Buffer.from(first.NEXTAUTH_SECRET, "base64url").length >= 32);
    const parsed = parseEnv({ ...first, TESSERA_DATA_DIR: dir });
    assertSecrets(parsed);

    const second = loadOrCreateSecrets(dir, (line) => lines.push(line));
    assert.deepEqual(second, first);
    assert.equal(lines.length, 1, "logged only when generated");

    const other = loadOrCreateSecrets(tempDir(), () => {});
    assert.notEqual(other.NEXTAUTH_SECRET, first.NEXTAUTH_SECRET);
    assert.notEqual(other.TESSERA_TOKEN_KEYS, first.TESSERA_TOKEN_KEYS);
  });

  test("a file readable by others is tightened to 0600", () => {
    const dir = tempDir();
    loadOrCreateSecrets(dir, () => {});
    chmodSync(secretsFile(dir), 0o644);
    const lines: string[] = [];
    loadOrCreateSecrets(dir, (line) => lines.push(line));
    assert.equal(statSync(secretsFile(dir)).mode & 0o777, 0o600);
    assert.match(lines[0]!, /Tightened/);
  });

  test("a foreign file is refused, not overwritten", () => {
    const dir = tempDir();
    loadOrCreateSecrets(dir, () => {});
    writeFileSync(secretsFile(dir), JSON.stringify({ hello: "world" }));
    assert.throws(() => loadOrCreateSecrets(dir, () => {}), /is not a Tessera secrets file/);
    assert.deepEqual(JSON.parse(readFileSync(secretsFile(dir), "utf8")), { hello: "world" });
  });
});

describe("configuration", () => {
  test("defaults to the embedded database in ./data on port 3000", () => {
    const parsed = parseEnv({});
    assert.equal(parsed.engine, "pglite");
    assert.equal(dataDirOf(parsed), path.resolve("data"));
    assert.equal(parsed.PORT, 3000);
    assert.equal(parsed.TESSERA_MIGRATE_ON_START, true);
  });

  test("DATABASE_URL selects PostgreSQL, and then missing secrets are a clear error", () => {
    const parsed = parseEnv({ DATABASE_URL: "postgresql://db.example/tessera" });
    assert.equal(parsed.engine, "postgres");
    assert.throws(
      () => assertSecrets(parsed),
      (error: unknown) => {
        assert.ok(error instanceof EnvError);
        assert.equal(
          error.message,
          "Missing required secrets: TESSERA_TOKEN_KEYS, NEXTAUTH_SECRET. With DATABASE_URL set, Tessera does not generate secrets: set them in the environment (see README, Configuration).",
        );
        return true;
      },
    );
  });

  test("bad values name every bad variable", () => {
    assert.throws(
      () =>
        parseEnv({ DATABASE_URL: "mysql://x", TESSERA_TOKEN_KEYS: "nokid", PORT: "70000", NEXTAUTH_SECRET: "short" }),
      (error: unknown) => {
        assert.ok(error instanceof EnvError);
        for (const name of ["DATABASE_URL", "TESSERA_TOKEN_KEYS", "PORT", "NEXTAUTH_SECRET"])
          assert.match(error.message, new RegExp(`  ${name}: `));
        return true;
      },
    );
  });

  test("several signing keys are accepted, newest first", () => {
    const keys = `k2:${"b".repeat(43)},k1:${"a".repeat(43)}`;
    assert.equal(parseEnv({ TESSERA_TOKEN_KEYS: keys }).TESSERA_TOKEN_KEYS, keys);
    assert.throws(() => parseEnv({ TESSERA_TOKEN_KEYS: `k1:${"a".repeat(31)}` }), /TESSERA_TOKEN_KEYS/);
  });
});
