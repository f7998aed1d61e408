import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeProtectedHeader } from "jose";
import { engine } from "./helpers/database.ts";
import { admin, api, tessera } from "./helpers/file-instance.ts";
import { signingKey } from "./helpers/instance.ts";
import { assertInvalidToken, inDays, nextId, sha256, createToken, setUpTokensInstance } from "./helpers/tokens.ts";
import { sleep, sleepUntil, until } from "./helpers/wait.ts";

// The token list and what is stored: lastUsed, the list's JSON and paging,
// no token in logs or in the database; then restarts with other settings
// (key rotation, the feature switched off).

setUpTokensInstance();

describe(`the application token list on ${engine}`, () => {
  test("lastUsed is written once per interval per token, not on every request", async () => {
    const { token, hash } = await createToken("viewer");
    for (let i = 0; i < 5; i++) assert.equal((await api("/api/me", { token })).status, 200);
    const readLastUsed = async () => (await admin(`/api/tokens/${hash}`)).body.lastUsed as string | null;
    // Written off the request path: poll until it is there.
    const first = await until(readLastUsed);
    assert.ok(first, "lastUsed is set after use");
    for (let i = 0; i < 5; i++) await api("/api/me", { token });
    await sleep(200);
    assert.equal(await readLastUsed(), first, "not rewritten within the interval (2 s here)");
    // Once the interval since that write has passed, the next request writes again.
    await sleepUntil(Date.parse(first!) + 2_000 + 100);
    await api("/api/me", { token });
    const second = await until(async () => {
      const now = await readLastUsed();
      return now !== first && now;
    });
    assert.ok(second && Date.parse(second) > Date.parse(first!), "written again once the interval has passed");
    const listed = ((await admin("/api/tokens")).body as { hash: string; lastUsed: string }[]).find(
      (t) => t.hash === hash,
    );
    assert.equal(listed?.lastUsed, second, "the list shows the new lastUsed too (patched into its cached copy)");
  });

  test("the list is compact JSON, field for field what GET one answers, and follows every create and delete", async () => {
    const quoted = await createToken("editor", inDays(3), `q"uote\\ é ${nextId()}`);
    const response = await fetch(`${tessera.url}/api/tokens`, {
      headers: { authorization: `Bearer ${tessera.adminToken}` },
    });
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("cache-control"), "no-store");
    const text = await response.text();
    const list = JSON.parse(text) as { hash: string; issueDate: string; name: string }[];
    assert.equal(text, JSON.stringify(list), "byte for byte what JSON.stringify writes");
    for (const token of list.slice(-3)) assert.deepEqual((await admin(`/api/tokens/${token.hash}`)).body, token);
    assert.deepEqual((await admin(`/api/tokens/${quoted.hash}`)).body.name, quoted.name);
    const order = list.map((t) => `${t.issueDate} ${t.name}`);
    assert.deepEqual(order, [...order].sort(), "oldest first");

    const added = await createToken("viewer");
    const afterCreate = (await admin("/api/tokens")).body as { hash: string }[];
    assert.equal(afterCreate.length, list.length + 1);
    assert.equal(afterCreate.at(-1)!.hash, added.hash);
    await admin(`/api/tokens/${quoted.hash}`, { method: "DELETE" });
    const afterDelete = (await admin("/api/tokens")).body as { hash: string }[];
    assert.deepEqual(
      afterDelete.map((t) => t.hash),
      afterCreate.map((t) => t.hash).filter((h) => h !== quoted.hash),
    );
  });

  test("?limit and ?cursor page through the same list; the default answer is unchanged", async () => {
    for (let i = 0; i < 5; i++) await createToken("viewer");
    const full = (await admin("/api/tokens")).body as { hash: string }[];
    const pages: { hash: string }[][] = [];
    let url: string | null = "/api/tokens?limit=3";
    while (url) {
      const response = await admin(url);
      assert.equal(response.status, 200);
      pages.push(response.body);
      const cursor = response.headers.get("x-next-cursor");
      const link = response.headers.get("link");
      if (cursor) {
        assert.equal(link, `</api/tokens?limit=3&cursor=${cursor}>; rel="next"`);
        url = `/api/tokens?limit=3&cursor=${cursor}`;
      } else {
        assert.equal(link, null, "the last page has no next link");
        url = null;
      }
      assert.ok(pages.length <= full.length, "paging ends");
    }
    assert.ok(pages.slice(0, -1).every((page) => page.length === 3));
    assert.deepEqual(pages.flat(), full, "the pages are the list, in order, once each");

    // Keyset paging: deleting a token already seen does not shift the next page.
    const first = await admin("/api/tokens?limit=3");
    const second = await admin(`/api/tokens?limit=2&cursor=${first.headers.get("x-next-cursor")}`);
    assert.deepEqual(second.body, full.slice(3, 5));
    const victim = (second.body as { hash: string }[])[0]!.hash;
    assert.notEqual(victim, sha256(tessera.adminToken));
    await admin(`/api/tokens/${victim}`, { method: "DELETE" });
    const third = await admin(`/api/tokens?limit=2&cursor=${second.headers.get("x-next-cursor")}`);
    assert.deepEqual(third.body, full.slice(5, 7));

    const viaQueryToken = await api(`/api/tokens?limit=1&token=${tessera.adminToken}`);
    assert.ok(!viaQueryToken.headers.get("link")!.includes("token="), "the next link never carries a credential");

    for (const [query, message] of [
      ["limit=0", "limit must be an integer from 1 to 1000"],
      ["limit=1001", "limit must be an integer from 1 to 1000"],
      ["limit=2.5", "limit must be an integer from 1 to 1000"],
      ["limit=abc", "limit must be an integer from 1 to 1000"],
      ["cursor=%%%", "Malformed cursor: pass back the value of X-Next-Cursor unchanged"],
      [
        `cursor=${Buffer.from('["not a date","x"]').toString("base64url")}`,
        "Malformed cursor: pass back the value of X-Next-Cursor unchanged",
      ],
    ]) {
      const response = await admin(`/api/tokens?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.body, message, query);
    }
  });

  test("tokens in URLs never reach the server's log", async () => {
    const { token } = await createToken("viewer");
    await api(`/api/me?token=${token}`);
    await api(`/api/tokens?token=${token}`);
    await api(`/api/no-such-route?token=${token}`);
    assert.ok(!tessera.server.output().includes(token));
    assert.ok(!tessera.server.output().includes(token.split(".")[2]!));
  });

  test("the database holds no token string, only hashes", async () => {
    const created = [await createToken("admin"), await createToken("viewer"), await createToken("editor")];
    const dump = await tessera.dumpDatabase();
    assert.ok(dump.includes(created[0]!.hash), "the dump does contain the rows");
    for (const { token } of created) {
      assert.ok(!dump.includes(token), "no token");
      for (const part of token.split(".").slice(1)) assert.ok(!dump.includes(part), "no payload or signature segment");
    }
    assert.ok(!dump.includes(tessera.adminToken));
  });

  test("key rotation: a new signing key signs, old tokens keep working until their key is dropped", async () => {
    const old = await createToken("viewer");
    const oldKeys = tessera.env.TESSERA_TOKEN_KEYS!;
    const newKey = signingKey("k2");
    await tessera.restart({ TESSERA_TOKEN_KEYS: `${newKey},${oldKeys}` });
    assert.equal((await api("/api/me", { token: old.token })).status, 200, "old key still verifies");
    const fresh = await createToken("viewer");
    assert.equal(decodeProtectedHeader(fresh.token).kid, "k2", "the newest key signs");
    assert.equal((await api("/api/me", { token: fresh.token })).status, 200);

    // Keep the admin token usable: mint a k2 admin before dropping k1.
    const newAdmin = await createToken("admin");
    await tessera.restart({ TESSERA_TOKEN_KEYS: newKey });
    assertInvalidToken(await api("/api/me", { token: old.token }));
    assert.equal((await api("/api/me", { token: fresh.token })).status, 200);
    tessera.adminToken = newAdmin.token;
  });

  test("switched off: /api/tokens* answer 404 Plugin is not enabled, and app tokens are not accepted", async () => {
    await tessera.restart({ TESSERA_APP_TOKENS_ENABLED: "false" });
    for (const [method, path] of [
      ["GET", "/api/tokens"],
      ["POST", "/api/tokens"],
      ["GET", `/api/tokens/${"a".repeat(64)}`],
      ["DELETE", `/api/tokens/${"a".repeat(64)}`],
    ]) {
      const response = await admin(path!, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.body, "Plugin is not enabled");
    }
    assert.equal((await admin("/api/me")).status, 401);
    await tessera.restart({ TESSERA_APP_TOKENS_ENABLED: "true" });
    assert.equal((await admin("/api/me")).status, 200);
  });
});
