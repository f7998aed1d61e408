import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { engine } from "./helpers/database.ts";
import { call, createInstance, signingKey, type Instance } from "./helpers/instance.ts";

const ROLES = ["admin", "editor", "viewer", "connectionManager", "monitoringViewer"] as const;
const INVALID = "Token not found or was revoked";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
let counter = 0;
const uniqueName = (prefix = "t") => `${prefix}-${process.pid}-${++counter}`.slice(0, 30);

let tessera: Instance;
const api = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, options);
const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  api(path, { token: tessera.adminToken, ...options });

async function createToken(role: (typeof ROLES)[number], validUntil = inDays(7), name = uniqueName(role)) {
  const response = await admin("/api/tokens", { method: "POST", body: { name, role, validUntil } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as { token: string; hash: string; name: string; validUntil: string };
}

function assertInvalidToken(response: Awaited<ReturnType<typeof call>>) {
  assert.equal(response.status, 403);
  assert.equal(response.body, INVALID);
  assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="tessera", error="invalid_token"');
}

before(async () => {
  const keys = signingKey("k1");
  tessera = await createInstance({
    TESSERA_TOKEN_KEYS: keys,
    TESSERA_LAST_USED_INTERVAL_SECONDS: "2",
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
  });
});
after(async () => {
  await tessera?.close();
});

describe(`application tokens API on ${engine}`, () => {
  test("401 without credentials, on every route", async () => {
    const hash = "a".repeat(64);
    for (const [method, path] of [
      ["GET", "/api/me"],
      ["GET", "/api/tokens"],
      ["POST", "/api/tokens"],
      ["GET", `/api/tokens/${hash}`],
      ["DELETE", `/api/tokens/${hash}`],
    ]) {
      const response = await api(path!, { method });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.body, "Not authenticated: send Authorization: Bearer <token> or sign in");
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="tessera"');
    }
  });

  test("POST creates a signed JWT, shown once, stored only as its SHA-256", async () => {
    const validUntil = new Date(Date.now() + 3 * 86_400_000 + 123);
    const response = await admin("/api/tokens", {
      method: "POST",
      body: { name: "  créé-1  ", role: "editor", validUntil: validUntil.toISOString() },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    const created = response.body;
    assert.deepEqual(Object.keys(created).sort(), [
      "hash",
      "issueDate",
      "lastUsed",
      "name",
      "requestedBy",
      "role",
      "status",
      "token",
      "validUntil",
    ]);
    assert.equal(created.name, "créé-1", "trimmed");
    assert.equal(created.role, "editor");
    assert.equal(created.requestedBy, "token:test-admin");
    assert.equal(created.lastUsed, null);
    assert.equal(created.status, "Valid");
    assert.equal(created.hash, sha256(created.token));
    assert.equal(
      created.validUntil,
      new Date(Math.floor(validUntil.getTime() / 1000) * 1000).toISOString(),
      "second precision, like exp",
    );
    assert.ok(Math.abs(Date.parse(created.issueDate) - Date.now()) < 60_000);

    const header = decodeProtectedHeader(created.token);
    assert.deepEqual(header, { alg: "HS256", typ: "JWT", kid: "k1" });
    const claims = decodeJwt(created.token);
    assert.deepEqual(Object.keys(claims).sort(), ["exp", "iat", "iss", "jti", "role"]);
    assert.equal(claims.role, "editor");
    assert.equal(claims.iss, "tessera");
    assert.equal(claims.exp, Date.parse(created.validUntil) / 1000);

    const { token, ...withoutToken } = created;
    const one = await admin(`/api/tokens/${created.hash}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, withoutToken);
    const list = await admin("/api/tokens");
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.find((t: { hash: string }) => t.hash === created.hash),
      withoutToken,
    );
    assert.ok(
      list.body.every((t: Record<string, unknown>) => !("token" in t)),
      "the list never carries a token",
    );

    const me = await api("/api/me", { token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, {
      kind: "token",
      role: "editor",
      name: "créé-1",
      hash: created.hash,
      validUntil: created.validUntil,
    });
  });

  test("each role: /api/me answers for all, /api/tokens only for admin (403 Forbidden otherwise)", async () => {
    for (const role of ROLES) {
      const { token, hash } = await createToken(role);
      const me = await api("/api/me", { token });
      assert.equal(me.status, 200, role);
      assert.equal(me.body.role, role);
      const expected = role === "admin" ? 200 : 403;
      const checks = [
        await api("/api/tokens", { token }),
        await api("/api/tokens", {
          token,
          method: "POST",
          body: { name: uniqueName(), role: "viewer", validUntil: inDays(1) },
        }),
        await api(`/api/tokens/${hash}`, { token }),
      ];
      for (const response of checks) {
        assert.equal(response.status, expected, `${role}: ${JSON.stringify(response.body).slice(0, 80)}`);
        if (expected === 403) assert.equal(response.body, "Forbidden");
      }
      const revoke = await api(`/api/tokens/${"f".repeat(64)}`, { token, method: "DELETE" });
      assert.equal(revoke.status, expected);
    }
  });

  test("400 with a clear sentence for bad input, and nothing is created", async () => {
    const before = (await admin("/api/tokens")).body.length;
    const cases: [unknown, string][] = [
      [{ name: "", role: "viewer", validUntil: inDays(1) }, "name must not be empty"],
      [{ name: "   ", role: "viewer", validUntil: inDays(1) }, "name must not be empty"],
      [{ name: "x".repeat(31), role: "viewer", validUntil: inDays(1) }, "name must be at most 30 characters"],
      [
        { name: "bad\u0000name", role: "viewer", validUntil: inDays(1) },
        "name must not contain control or invisible characters",
      ],
      [
        { name: "bidi\u202Ename", role: "viewer", validUntil: inDays(1) },
        "name must not contain control or invisible characters",
      ],
      [{ role: "viewer", validUntil: inDays(1) }, "name is required"],
      [{ name: 42, role: "viewer", validUntil: inDays(1) }, "name must be a string"],
      [
        { name: uniqueName(), role: "root", validUntil: inDays(1) },
        "role must be one of admin, editor, viewer, connectionManager, monitoringViewer",
      ],
      [
        { name: uniqueName(), role: "viewer", validUntil: "tomorrow" },
        "validUntil must be an ISO-8601 date-time such as 2030-01-31T12:00:00Z",
      ],
      [
        { name: uniqueName(), role: "viewer", validUntil: "2030-02-31T00:00:00Z" },
        "validUntil must be an ISO-8601 date-time such as 2030-01-31T12:00:00Z",
      ],
      [
        { name: uniqueName(), role: "viewer", validUntil: new Date(Date.now() - 1000).toISOString() },
        "validUntil must be in the future",
      ],
      [{ name: uniqueName(), role: "viewer", validUntil: inDays(366) }, "validUntil must be at most 365 days from now"],
      [{ name: uniqueName(), role: "viewer", validUntil: inDays(1), admin: true }, "Unknown field: admin"],
      [[], "The body must be a JSON object"],
      [null, "The body must be a JSON object"],
      ["{not json", "Malformed JSON body"],
    ];
    for (const [body, message] of cases) {
      const response = await admin("/api/tokens", { method: "POST", body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body, message, JSON.stringify(body));
      assert.match(response.headers.get("content-type")!, /^text\/plain/);
    }
    const wrongType = await admin("/api/tokens", {
      method: "POST",
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(wrongType.status, 415);
    const huge = await admin("/api/tokens", {
      method: "POST",
      body: { name: uniqueName(), role: "viewer", validUntil: inDays(1), pad: "x".repeat(20_000) },
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.body, "Request body too large (at most 16384 bytes)");
    assert.equal((await admin("/api/tokens")).body.length, before, "nothing was created");
  });

  test("409 for a duplicate name, also NFC-equal ones and under 10 concurrent creates: exactly one wins", async () => {
    const name = uniqueName("dup");
    await createToken("viewer", inDays(1), name);
    const again = await admin("/api/tokens", { method: "POST", body: { name, role: "admin", validUntil: inDays(1) } });
    assert.equal(again.status, 409);
    assert.equal(again.body, "Token with the same name already exists");

    const nfc = "caf\u00e9-" + counter;
    await createToken("viewer", inDays(1), nfc);
    const nfd = await admin("/api/tokens", {
      method: "POST",
      body: { name: nfc.normalize("NFD"), role: "viewer", validUntil: inDays(1) },
    });
    assert.equal(nfd.status, 409);

    const race = uniqueName("race");
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin("/api/tokens", { method: "POST", body: { name: race, role: "viewer", validUntil: inDays(1) } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const list = (await admin("/api/tokens")).body as { name: string }[];
    assert.equal(list.filter((t) => t.name === race).length, 1);
  });

  test("GET one: 404 for an unknown hash, 400 for a malformed one", async () => {
    const unknown = await admin(`/api/tokens/${"0".repeat(64)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body, "Token not found");
    for (const bad of ["abc", "G".repeat(64), "A".repeat(64), "0".repeat(65)]) {
      const response = await admin(`/api/tokens/${bad}`);
      assert.equal(response.status, 400, bad);
      assert.equal(response.body, "Malformed token hash: expected 64 lowercase hexadecimal characters");
    }
  });

  test("DELETE revokes at once: the very next request with the token is refused; an unknown or malformed hash changes nothing", async () => {
    const { token, hash } = await createToken("viewer");
    assert.equal((await api("/api/me", { token })).status, 200);
    const deleted = await admin(`/api/tokens/${hash}`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.ok(Array.isArray(deleted.body));
    assert.ok(!deleted.body.some((t: { hash: string }) => t.hash === hash));
    assert.ok(
      deleted.body.some((t: { name: string }) => t.name === "test-admin"),
      "answers the remaining tokens",
    );
    assertInvalidToken(await api("/api/me", { token }));
    assertInvalidToken(await api(`/api/me?token=${token}`));

    // lastUsed of the admin token itself may move between the two answers: compare the tokens, not their use.
    const tokensOf = (list: { lastUsed?: string | null }[]) => list.map(({ lastUsed: _used, ...rest }) => rest);
    const before = (await admin("/api/tokens")).body;
    const unknown = await admin(`/api/tokens/${"e".repeat(64)}`, { method: "DELETE" });
    assert.equal(unknown.status, 200);
    assert.deepEqual(tokensOf(unknown.body), tokensOf(before));
    // A malformed hash is no token either: the seed's DELETE "does nothing if the specified token was not found".
    const malformed = await admin("/api/tokens/nothex", { method: "DELETE" });
    assert.equal(malformed.status, 200, "DELETE of a malformed hash");
    assert.deepEqual(
      tokensOf(malformed.body),
      tokensOf(before),
      "DELETE of a malformed hash answers the unchanged list",
    );
  });

  test("an expired token is refused, and listed as Invalid", async () => {
    const { token, hash } = await createToken("viewer", new Date(Date.now() + 2_000).toISOString());
    assert.equal((await api("/api/me", { token })).status, 200);
    const listed = async () =>
      ((await admin("/api/tokens")).body as { hash: string; status: string }[]).find((t) => t.hash === hash)?.status;
    assert.equal(await listed(), "Valid", "the list (now cached) shows it Valid");
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    assertInvalidToken(await api("/api/me", { token }));
    const row = (await admin(`/api/tokens/${hash}`)).body;
    assert.equal(row.status, "Invalid");
    assert.equal(await listed(), "Invalid", "the cached list is rebuilt once a token in it expires");
  });

  test("Bearer (any case) or ?token=; both different is a 400", async () => {
    const { token } = await createToken("viewer");
    const other = await createToken("viewer");
    assert.equal((await api("/api/me", { headers: { authorization: `BEARER ${token}` } })).status, 200);
    assert.equal((await api(`/api/me?token=${token}`)).status, 200);
    assert.equal((await api(`/api/me?token=${token}`, { token })).status, 200, "the same token twice is fine");
    const both = await api(`/api/me?token=${other.token}`, { token });
    assert.equal(both.status, 400);
    assert.equal(both.body, "Different tokens in the Authorization header and the token query parameter");
    const basic = await api("/api/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    assert.equal(basic.status, 400);
    assert.equal(basic.body, "Unsupported Authorization scheme: use Bearer <token>");
  });

  test("tampered, forged and garbage tokens get 403 with WWW-Authenticate, from the edge gate too", async () => {
    const { token } = await createToken("admin");
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, role: "admin", exp: payload.exp + 1000 })).toString(
      "base64url",
    );
    const flipped = s!.slice(0, -2) + (s!.endsWith("A") ? "BB" : "AA");
    for (const bad of [
      `${h}.${forgedPayload}.${s}`,
      `${h}.${p}.${flipped}`,
      `${h}.${p}.`,
      "garbage",
      `${token}x`,
      sha256(token),
    ]) {
      assertInvalidToken(await api("/api/me", { token: bad }));
      assertInvalidToken(await api("/api/tokens", { token: bad }));
    }
    // A path no route handles: only middleware.ts can have answered, so the edge gate verifies on its own.
    assertInvalidToken(await api("/api/no-such-route", { token: "garbage" }));
    assert.equal((await api("/api/no-such-route", { token })).status, 404);
  });

  test("x-middleware-subrequest changes nothing: the handler refuses on its own", async () => {
    const viewer = await createToken("viewer");
    for (const value of [
      "middleware",
      "middleware:middleware:middleware:middleware:middleware",
      "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
      "pages/_middleware",
    ]) {
      const anonymous = await api("/api/tokens", { headers: { "x-middleware-subrequest": value } });
      assert.equal(anonymous.status, 401, value);
      const asViewer = await api("/api/tokens", { token: viewer.token, headers: { "x-middleware-subrequest": value } });
      assert.equal(asViewer.status, 403, value);
      assert.equal(asViewer.body, "Forbidden");
    }
  });

  test("Accept: application/json;version=N selects the version; unknown versions get 406", async () => {
    assert.equal((await admin("/api/tokens", { headers: { accept: "application/json;version=1" } })).status, 200);
    assert.equal((await admin("/api/tokens", { headers: { accept: "application/json" } })).status, 200);
    const unknown = await admin("/api/tokens", { headers: { accept: "application/json;version=2" } });
    assert.equal(unknown.status, 406);
    assert.equal(unknown.body, "API version 2 is not supported; this server speaks version 1");
  });

  test("lastUsed is written once per interval per token, not on every request", async () => {
    const { token, hash } = await createToken("viewer");
    for (let i = 0; i < 5; i++) assert.equal((await api("/api/me", { token })).status, 200);
    const readLastUsed = async () => (await admin(`/api/tokens/${hash}`)).body.lastUsed as string | null;
    let first: string | null = null;
    for (let i = 0; i < 50 && !first; i++) {
      first = await readLastUsed();
      if (!first) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(first, "lastUsed is set after use");
    for (let i = 0; i < 5; i++) await api("/api/me", { token });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await readLastUsed(), first, "not rewritten within the interval (2 s here)");
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await api("/api/me", { token });
    let second: string | null = first;
    for (let i = 0; i < 50 && second === first; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      second = await readLastUsed();
    }
    assert.ok(Date.parse(second!) > Date.parse(first!), "written again once the interval has passed");
    const listed = ((await admin("/api/tokens")).body as { hash: string; lastUsed: string }[]).find(
      (t) => t.hash === hash,
    );
    assert.equal(listed?.lastUsed, second, "the list shows the new lastUsed too (the trigger invalidated its cache)");
  });

  test("the list is compact JSON, field for field what GET one answers, and follows every create and delete", async () => {
    const quoted = await createToken("editor", inDays(3), `q"uote\\ é ${++counter}`);
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

  test("repeated bad tokens from one address are throttled with 429 and Retry-After", async () => {
    await tessera.restart({ TESSERA_AUTH_FAILURES_PER_MINUTE: "5" });
    for (let i = 0; i < 5; i++) assertInvalidToken(await api("/api/me", { token: `bad-${i}` }));
    const throttled = await api("/api/me", { token: "bad-6" });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body, "Too many requests with invalid tokens from this address; try again later");
    const retry = Number(throttled.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    // A forged X-Forwarded-For does not escape it (the proxy header is not trusted by default).
    const spoofed = await api("/api/me", { token: "bad-7", headers: { "x-forwarded-for": "203.0.113.9" } });
    assert.equal(spoofed.status, 429);
    assert.equal((await api("/api/health")).status, 200, "requests without a token are not affected");
    assert.equal(
      (await admin("/api/me")).status,
      200,
      "a correctly signed token from the same address is still served",
    );
  });
});
