import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { inProcessDatabase } from "../helpers/in-process-database.ts";
import { until } from "../helpers/wait.ts";

// Using a token does not change the token list's version (issue 17): the
// cached list is patched with the uses committed since it was read, not
// rebuilt, and a lastUsed write touches no shared counter, so writers of
// different tokens never wait for each other. Everything else that changes a
// token still bumps the version.

const pgdb = await inProcessDatabase("listv");
const { database, db } = await import("../../lib/db.ts");
const { metrics } = await import("../../lib/metrics.ts");
const { createToken } = await import("../../lib/tokens/create-token.ts");
const { getTokenOrThrow } = await import("../../lib/tokens/get-token-or-throw.ts");
const { tokenListJson } = await import("../../lib/tokens/token-list-cache.ts");
const { tokenPageResponse } = await import("../../lib/tokens/list-tokens.ts");
const { touchLastUsed } = await import("../../lib/tokens/token-use.ts");

const LAST_USED_COLUMNS = new Set(["last_used", "last_used_from", "last_used_xid"]);
const version = async () =>
  (
    await database().query<{ v: string }>(
      `SELECT version::text AS v FROM change_counters WHERE name = 'application_tokens'`,
    )
  )[0]!.v;
const listText = async () => new TextDecoder().decode(await tokenListJson());
const inOneDay = () => new Date(Date.now() + 86_400_000);
let serial = 0;
const newToken = (name = `t${serial++}`) =>
  createToken({ label: "list-version test", via: "cli" }, { name, role: "viewer", validUntil: inOneDay() });

describe(`the token list's version on ${engine}`, () => {
  test("every column of application_tokens but lastUsed's bumps the version; lastUsed stamps its transaction instead", async () => {
    const token = await newToken();
    const columns = await database().query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'application_tokens'`,
    );
    assert.ok(columns.length >= 13);
    for (const { column_name } of columns) {
      const before = await version();
      await database().query(`UPDATE application_tokens SET "${column_name}" = "${column_name}" WHERE hash = $1`, [
        token.hash,
      ]);
      const bumped = (await version()) !== before;
      assert.equal(bumped, !LAST_USED_COLUMNS.has(column_name), `an UPDATE of ${column_name}`);
    }
    const before = await version();
    await database().query(`UPDATE application_tokens SET last_used = now() WHERE hash = $1`, [token.hash]);
    assert.equal(await version(), before);
    const [row] = await database().query<{ stamped: boolean }>(
      `SELECT last_used_xid IS NOT NULL AS stamped FROM application_tokens WHERE hash = $1`,
      [token.hash],
    );
    assert.equal(row!.stamped, true);
  });

  test("the cached list shows each new lastUsed on the next read, byte for byte what GET one answers, without a rebuild", async () => {
    const tokens: Awaited<ReturnType<typeof newToken>>[] = [];
    for (const name of ['used "q" \\ é', "never used ✓", "used 🚀 </x>"]) tokens.push(await newToken(name));
    const first = await listText();
    const builds = () => metrics.dbQueries;
    const used = [tokens[0]!, tokens[2]!];
    for (const token of used) touchLastUsed(token.hash, "192.0.2.9", 60);
    await until(async () => (await getTokenOrThrow(used[1]!.hash)).lastUsed);
    await until(async () => (await getTokenOrThrow(used[0]!.hash)).lastUsed);

    const queriesBefore = builds();
    const second = await listText();
    assert.equal(builds() - queriesBefore, 1, "one statement: the version and the uses since the cached read");
    assert.notEqual(second, first);
    const all = JSON.parse(second) as { hash: string }[];
    const one = await Promise.all(all.map((token) => getTokenOrThrow(token.hash)));
    assert.equal(second, JSON.stringify(one), "the patched list equals what a fresh read gives");
    for (const token of used) assert.ok(one.find((t) => t.hash === token.hash)!.lastUsed);
    assert.equal(one.find((t) => t.hash === tokens[1]!.hash)!.lastUsed, null);
    // Used again, later: the instant is replaced in place.
    await database().query(
      `UPDATE application_tokens SET last_used = last_used + interval '1 hour 2 minutes 3.456 seconds' WHERE hash = $1`,
      [used[0]!.hash],
    );
    const third = await listText();
    assert.equal(third, JSON.stringify(await Promise.all(all.map((token) => getTokenOrThrow(token.hash)))));
  });

  test("uses spread over many blocks of the cached list are each written in place", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      hash: randomBytes(32).toString("hex"),
      name: `bulk-${i} "é"`,
      role: "viewer" as const,
      kid: "listv",
      jti: randomUUID(),
      requestedBy: "bulk",
      validUntil: inOneDay(),
    }));
    await db().applicationToken.createMany({ data: rows });
    await listText();
    const used = [rows[0]!, rows[127]!, rows[128]!, rows[200]!, rows[299]!];
    for (const [i, row] of used.entries()) {
      await database().query(`UPDATE application_tokens SET last_used = $1, last_used_from = 'x' WHERE hash = $2`, [
        new Date(Date.UTC(2030, 0, 1 + i, 1, 2, 3, 4 + i)),
        row.hash,
      ]);
    }
    const patched = await listText();
    // What SQL writes for the same rows without any cache: the paged answer in the same order.
    const fresh = await (await tokenPageResponse(new URL("http://x/api/tokens"), { limit: 1000 })).text();
    assert.equal(patched, fresh);
    const listed = JSON.parse(patched) as { hash: string; lastUsed: string | null }[];
    assert.deepEqual(
      used.map((row) => listed.find((t) => t.hash === row.hash)!.lastUsed),
      used.map((_, i) => new Date(Date.UTC(2030, 0, 1 + i, 1, 2, 3, 4 + i)).toISOString()),
    );
  });

  test("a create or delete still rebuilds the list", async () => {
    const before = JSON.parse(await listText()) as { hash: string }[];
    const added = await newToken();
    const after = JSON.parse(await listText()) as { hash: string }[];
    assert.deepEqual(
      after.map((t) => t.hash),
      [...before.map((t) => t.hash), added.hash],
    );
  });
});

if (engine === "postgres") {
  describe("lastUsed on PostgreSQL, with other connections", () => {
    const connect = async () => {
      const client = new pg.Client({ connectionString: pgdb.url! });
      await client.connect();
      return client;
    };

    test("a use committed after the list was read, by a transaction that began before, is in the next read", async () => {
      const token = await newToken();
      await listText();
      const late = await connect();
      try {
        await late.query("BEGIN");
        await late.query(`UPDATE application_tokens SET last_used = '2031-02-03T04:05:06.789Z' WHERE hash = $1`, [
          token.hash,
        ]);
        const during = JSON.parse(await listText()) as { hash: string; lastUsed: string | null }[];
        assert.equal(during.find((t) => t.hash === token.hash)!.lastUsed, null, "not committed yet");
        await late.query("COMMIT");
      } finally {
        await late.end();
      }
      const later = JSON.parse(await listText()) as { hash: string; lastUsed: string | null }[];
      assert.equal(later.find((t) => t.hash === token.hash)!.lastUsed, "2031-02-03T04:05:06.789Z");
    });

    test("writers of lastUsed for different tokens do not wait for each other", async () => {
      const [one, two] = [await newToken(), await newToken()];
      const first = await connect();
      const second = await connect();
      try {
        await first.query("BEGIN");
        await first.query(`UPDATE application_tokens SET last_used = now() WHERE hash = $1`, [one.hash]);
        // Before issue 17 this waited on the change_counters row that the first transaction had locked.
        await second.query("SET statement_timeout = '2s'");
        await second.query(`UPDATE application_tokens SET last_used = now() WHERE hash = $1`, [two.hash]);
        await first.query("COMMIT");
      } finally {
        await Promise.all([first.end(), second.end()]);
      }
    });
  });
}
