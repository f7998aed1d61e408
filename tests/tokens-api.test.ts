import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { engine } from "./helpers/database.ts";
import { admin, api } from "./helpers/file-instance.ts";
import {
  assertInvalidToken,
  CREATED_TOKEN_FIELDS,
  inDays,
  nextId,
  ROLES,
  sha256,
  createToken,
  setUpTokensInstance,
  uniqueName,
} from "./helpers/tokens.ts";

// The application tokens API (the seed's /api/tokens): who may call it,
// what create, read and delete answer, and what bad input gets. Callers and
// credentials: tokens-api-auth.test.ts; the list, lastUsed and restarts with
// other settings: tokens-api-list.test.ts.

setUpTokensInstance();

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
    assert.deepEqual(Object.keys(created).sort(), CREATED_TOKEN_FIELDS);
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
        "role must be one of admin, editor, viewer, connectionManager, monitoringViewer, introspector",
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

    const nfc = "caf\u00e9-" + nextId();
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
});
