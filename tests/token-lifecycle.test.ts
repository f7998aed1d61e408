import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SignJWT } from "jose";
import { engine } from "./helpers/database.ts";
import { admin, api, setUpFileInstance } from "./helpers/file-instance.ts";
import { signingKey } from "./helpers/instance.ts";
import { assertInvalidToken, createToken, inDays, sha256, uniqueName, type CreatedToken } from "./helpers/tokens.ts";
import { sleepUntil, until } from "./helpers/wait.ts";

// Issue 18: tokens that rotate with an overlap, are disabled without being
// deleted, and are checked by other services through introspection (RFC 7662).

setUpFileInstance({
  TESSERA_TOKEN_KEYS: signingKey("k1"),
  TESSERA_LAST_USED_INTERVAL_SECONDS: "1",
  // Each test that counts refusals sends them from an address of its own.
  TESSERA_AUTH_FAILURES_PER_MINUTE: "20",
  TESSERA_TRUST_PROXY: "true",
});

let addresses = 0;
/** A client address no other test of this file uses (the throttle counts per address). */
const address = () => `198.51.100.${++addresses}`;
const from = (ip: string) => ({ "x-forwarded-for": ip });

type Listed = { name: string; hash: string; status: string; replacedBy: string | null; revokeAt: string | null };
const listed = async (hash: string) =>
  ((await admin("/api/tokens")).body as Listed[]).find((token) => token.hash === hash);
const me = (token: string, ip = address()) => api("/api/me", { token, headers: from(ip) });
const rotate = (hash: string, body?: unknown, ip = address()) =>
  admin(`/api/tokens/${hash}/rotate`, { method: "POST", body, headers: from(ip) });
const introspect = (token: string, caller: string, ip = address()) =>
  api("/api/tokens/introspect", {
    method: "POST",
    token: caller,
    body: new URLSearchParams({ token }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...from(ip) },
  });

describe(`disable and enable on ${engine}`, () => {
  test("a disabled token is refused like a revoked one and listed Disabled; enabled, it works again", async () => {
    const viewer = await createToken("viewer");
    assert.equal((await me(viewer.token)).status, 200);
    const disabled = await admin(`/api/tokens/${viewer.hash}/disable`, { method: "POST" });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.status, "Disabled");
    assertInvalidToken(await me(viewer.token));
    assert.equal((await listed(viewer.hash))?.status, "Disabled");
    // Idempotent both ways.
    assert.equal((await admin(`/api/tokens/${viewer.hash}/disable`, { method: "POST" })).body.status, "Disabled");
    const enabled = await admin(`/api/tokens/${viewer.hash}/enable`, { method: "POST" });
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.status, "Valid");
    assert.equal((await me(viewer.token)).status, 200);
    assert.equal((await admin(`/api/tokens/${viewer.hash}/enable`, { method: "POST" })).body.status, "Valid");
  });

  test("unknown and malformed hashes, and callers without tokens:manage", async () => {
    const viewer = await createToken("viewer");
    assert.equal((await admin(`/api/tokens/${"0".repeat(64)}/disable`, { method: "POST" })).status, 404);
    assert.equal((await admin(`/api/tokens/nothex/disable`, { method: "POST" })).status, 400);
    const refused = await api(`/api/tokens/${viewer.hash}/disable`, { method: "POST", token: viewer.token });
    assert.equal(refused.status, 403);
    assert.equal((await me(viewer.token)).status, 200, "nothing was disabled");
    assert.equal((await admin(`/api/tokens/${viewer.hash}/disable`)).status, 405);
  });
});

describe(`rotation on ${engine}`, () => {
  test("the new token keeps name and role; the old one works until its grace ends, then is refused", async () => {
    const old = await createToken("editor", inDays(10));
    const started = Date.now();
    const rotated = await rotate(old.hash, { grace_seconds: 3 });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const fresh = rotated.body as CreatedToken & { role: string; replaced: Listed };
    assert.equal(fresh.name, old.name);
    assert.equal(fresh.role, "editor");
    assert.equal(fresh.hash, sha256(fresh.token));
    assert.notEqual(fresh.hash, old.hash);
    // Same lifetime (10 days) from now.
    assert.ok(Math.abs(Date.parse(fresh.validUntil) - (Date.now() + 10 * 86_400_000)) < 60_000, fresh.validUntil);
    assert.equal(fresh.replaced.replacedBy, fresh.hash);
    // Both listed, with their relation.
    const before = await listed(old.hash);
    assert.equal(before?.replacedBy, fresh.hash);
    assert.ok(before?.revokeAt);
    assert.equal((await listed(fresh.hash))?.replacedBy, null);
    assert.equal((await me(fresh.token)).status, 200);
    assert.equal((await me(old.token)).status, 200, "the old token works during its grace");
    await sleepUntil(started + 4_000);
    assertInvalidToken(await me(old.token));
    assert.equal((await listed(old.hash))?.status, "Invalid");
    assert.equal((await me(fresh.token)).status, 200);
  });

  test("grace 0 revokes the old token at once; without a body the grace is 24 hours", async () => {
    const old = await createToken("viewer");
    const now = await rotate(old.hash, { grace_seconds: 0 });
    assert.equal(now.status, 200);
    assertInvalidToken(await me(old.token));
    assert.equal(await listed(old.hash), undefined);
    const next = await admin(`/api/tokens/${now.body.hash}/rotate`, { method: "POST" });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    const revokeAt = Date.parse((await listed(now.body.hash))!.revokeAt!);
    assert.ok(Math.abs(revokeAt - (Date.now() + 86_400_000)) < 60_000);
    assert.equal((await me(now.body.token)).status, 200);
    for (const bad of [{ grace_seconds: -1 }, { grace_seconds: 1.5 }, { grace_seconds: "60" }, { grace: 60 }]) {
      const refused = await admin(`/api/tokens/${next.body.hash}/rotate`, { method: "POST", body: bad });
      assert.equal(refused.status, 400, JSON.stringify(bad));
    }
    assert.equal((await listed(next.body.hash))?.replacedBy, null, "a refused rotation changed nothing");
  });

  test("a repeat within 10 s (double click, retry, race) is refused and harms nothing; a reuse after it revokes the family", async () => {
    // The race: three rotations of one token at once, one wins and its token lives.
    const raced = await createToken("viewer");
    const answers = await Promise.all([1, 2, 3].map(() => rotate(raced.hash, { grace_seconds: 600 })));
    assert.deepEqual(
      answers.map((answer) => answer.status).sort(),
      [200, 409, 409],
      JSON.stringify(answers.map((answer) => answer.body)),
    );
    const winner = answers.find((answer) => answer.status === 200)!.body as CreatedToken;
    for (const loser of answers.filter((answer) => answer.status !== 200)) {
      assert.equal(loser.status, 409);
      assert.match(String(loser.body), /rotated moments ago/);
    }
    assert.equal((await me(winner.token)).status, 200, "the token the 200 handed out works");
    assert.equal((await me(raced.token)).status, 200, "and the old one is in its grace");

    // Families for the reuse, by an admin and by the token itself (a stolen copy rotating after the holder did).
    const first = await createToken("viewer");
    const second = (await rotate(first.hash, { grace_seconds: 600 })).body as CreatedToken;
    const third = (await rotate(second.hash, { grace_seconds: 600 })).body as CreatedToken;
    const own = await createToken("connectionManager");
    const self = await api("/api/tokens/self/rotate", {
      method: "POST",
      token: own.token,
      body: { grace_seconds: 600 },
      headers: from(address()),
    });
    assert.equal(self.status, 200, JSON.stringify(self.body));
    assert.equal(self.body.role, "connectionManager");
    assert.equal(self.body.requestedBy, `token:${own.name}`);
    assert.equal(self.body.validUntil, own.validUntil, "a token rotating itself keeps its validUntil");
    await sleepUntil(Date.now() + 10_500);
    for (const token of [first, second, third]) assert.equal((await me(token.token)).status, 200);
    const reuse = await rotate(first.hash, { grace_seconds: 600 });
    assert.equal(reuse.status, 409);
    assert.match(String(reuse.body), /already rotated.*family was revoked/);
    for (const token of [first, second, third]) assertInvalidToken(await me(token.token));
    assert.equal(await listed(third.hash), undefined);
    const stolen = await api("/api/tokens/self/rotate", { method: "POST", token: own.token, headers: from(address()) });
    assert.equal(stolen.status, 409);
    assertInvalidToken(await me(self.body.token));
    assertInvalidToken(await me(own.token));
  });

  test("a token rotating itself cannot extend its life nor keep its old self past a day", async () => {
    const own = await createToken("viewer", inDays(3));
    const selfRotate = (body: unknown) =>
      api("/api/tokens/self/rotate", { method: "POST", token: own.token, body, headers: from(address()) });
    const longer = await selfRotate({ validUntil: inDays(300) });
    assert.equal(longer.status, 400);
    assert.equal(longer.headers.get("x-error-field"), "validUntil");
    const longGrace = await selfRotate({ grace_seconds: 2_592_000 });
    assert.equal(longGrace.status, 400);
    assert.equal(longGrace.headers.get("x-error-field"), "grace_seconds");
    assert.equal((await listed(own.hash))?.replacedBy, null, "nothing rotated");
    // An empty JSON body is the defaults.
    const empty = await api("/api/tokens/self/rotate", {
      method: "POST",
      token: own.token,
      body: "",
      headers: { "content-type": "application/json", ...from(address()) },
    });
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
  });

  test("revoking or disabling a rotated token's successor stops its predecessor in grace too; the name stays taken", async () => {
    const old = await createToken("editor");
    const fresh = (await rotate(old.hash, { grace_seconds: 600 })).body as CreatedToken;
    await admin(`/api/tokens/${fresh.hash}/disable`, { method: "POST" });
    assertInvalidToken(await me(old.token));
    await admin(`/api/tokens/${fresh.hash}/enable`, { method: "POST" });
    assert.equal((await me(old.token)).status, 200);
    const taken = await admin("/api/tokens", {
      method: "POST",
      body: { name: old.name, role: "admin", validUntil: inDays(1) },
    });
    assert.equal(taken.status, 409);
    await admin(`/api/tokens/${fresh.hash}`, { method: "DELETE" });
    assertInvalidToken(await me(old.token));
    assert.equal(await listed(old.hash), undefined);
  });

  test("an expired token is not rotated", async () => {
    const expiring = await createToken("viewer", new Date(Date.now() + 1_500).toISOString(), uniqueName("exp"));
    await sleepUntil(Date.parse(expiring.validUntil) + 300);
    const refused = await rotate(expiring.hash);
    assert.equal(refused.status, 409);
    assert.match(String(refused.body), /expired/);
  });

  test("a disabled token is not rotated; an unknown hash is 404; a viewer may not rotate another token", async () => {
    const token = await createToken("viewer");
    await admin(`/api/tokens/${token.hash}/disable`, { method: "POST" });
    assert.equal((await rotate(token.hash)).status, 409);
    assert.equal((await listed(token.hash))?.replacedBy, null);
    assert.equal((await rotate("f".repeat(64))).status, 404);
    const viewer = await createToken("viewer");
    const notAdmin = await api(`/api/tokens/${token.hash}/rotate`, { method: "POST", token: viewer.token });
    assert.equal(notAdmin.status, 403);
  });
});

describe(`introspection on ${engine}`, () => {
  let introspector: CreatedToken;
  test("an introspector token answers for a valid token: its role, times, issuer, name and hash", async () => {
    introspector = await createToken("introspector");
    const subject = await createToken("editor");
    const answer = await introspect(subject.token, introspector.token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.headers.get("cache-control"), "no-store");
    const claims = JSON.parse(Buffer.from(subject.token.split(".")[1]!, "base64url").toString());
    assert.deepEqual(answer.body, {
      active: true,
      role: "editor",
      exp: claims.exp,
      iat: claims.iat,
      iss: "tessera",
      name: subject.name,
      hash: subject.hash,
      token_type: "application",
    });
    // JSON works as well as the form; the introspector can do nothing else.
    const json = await api("/api/tokens/introspect", {
      method: "POST",
      token: introspector.token,
      body: { token: subject.token },
    });
    assert.equal(json.body.active, true);
    assert.equal((await api("/api/tokens", { token: introspector.token })).status, 403);
    assert.equal((await api("/api/me", { token: introspector.token })).status, 200);
  });

  test("each use by introspection is a use of the token (lastUsed)", async () => {
    const subject = await createToken("viewer");
    assert.equal((await admin(`/api/tokens/${subject.hash}`)).body.lastUsed, null);
    await introspect(subject.token, introspector.token);
    await until(async () => (await admin(`/api/tokens/${subject.hash}`)).body.lastUsed !== null, 5_000);
  });

  test("revoked, expired, disabled, rotated out, forged, another issuer's, garbage: exactly {active: false}", async () => {
    const ip = address();
    const revoked = await createToken("viewer");
    await admin(`/api/tokens/${revoked.hash}`, { method: "DELETE" });
    const expired = await createToken("viewer", new Date(Date.now() + 2_000).toISOString(), uniqueName("exp"));
    const disabled = await createToken("viewer");
    await admin(`/api/tokens/${disabled.hash}/disable`, { method: "POST" });
    const rotatedOut = await createToken("viewer");
    const successor = (await rotate(rotatedOut.hash, { grace_seconds: 0 })).body as CreatedToken;
    const inGrace = await createToken("viewer");
    await rotate(inGrace.hash, { grace_seconds: 600 });
    const keys = signingKey("k1");
    const secret = new TextEncoder().encode(keys.slice(keys.indexOf(":") + 1));
    const claims = { role: "admin", jti: crypto.randomUUID() };
    const otherIssuer = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "k1" })
      .setIssuedAt()
      .setExpirationTime("1h")
      .setIssuer("someone-else")
      .sign(secret);
    const [h, p, s] = successor.token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "admin" })).toString("base64url")}.${s}`;
    await sleepUntil(Date.parse(expired.validUntil) + 500);
    const cases = {
      revoked: revoked.token,
      expired: expired.token,
      disabled: disabled.token,
      "rotated out": rotatedOut.token,
      forged,
      "another issuer": otherIssuer,
      "unknown but well signed": await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "k1" })
        .setIssuedAt()
        .setExpirationTime("1h")
        .setIssuer("tessera")
        .sign(secret),
      garbage: "garbage",
      empty: "",
      huge: "x".repeat(10_000),
    };
    for (const [name, token] of Object.entries(cases)) {
      const answer = await introspect(token, introspector.token, ip);
      assert.equal(answer.status, 200, name);
      assert.equal(JSON.stringify(answer.body), '{"active":false}', name);
    }
    assert.equal((await introspect(inGrace.token, introspector.token, ip)).body.active, true, "in its grace");
    assert.equal((await introspect(successor.token, introspector.token, ip)).body.active, true);
  });

  test("callers without the permission, without credentials, and bad bodies", async () => {
    const subject = await createToken("viewer");
    const viewer = await createToken("viewer");
    assert.equal((await introspect(subject.token, viewer.token)).status, 403);
    const anonymous = await api("/api/tokens/introspect", { method: "POST", body: { token: subject.token } });
    assert.equal(anonymous.status, 401);
    const missing = await api("/api/tokens/introspect", { method: "POST", token: introspector.token, body: {} });
    assert.equal(missing.status, 400);
    assert.equal(missing.body, "token is required");
    const repeated = await api("/api/tokens/introspect", {
      method: "POST",
      token: introspector.token,
      body: `token=${subject.token}&token=x`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(repeated.status, 400);
    const repeatedJson = await api("/api/tokens/introspect", {
      method: "POST",
      token: introspector.token,
      body: `{"token":"garbage","token":${JSON.stringify(subject.token)}}`,
    });
    assert.equal(repeatedJson.status, 400);
    assert.equal(repeatedJson.body, "token is given more than once");
    const text = await api("/api/tokens/introspect", {
      method: "POST",
      token: introspector.token,
      body: subject.token,
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 415);
    assert.equal((await api("/api/tokens/introspect", { token: introspector.token })).status, 405);
  });

  test("inactive answers count against the caller like bad tokens: 429 past the limit, valid ones still answered", async () => {
    const ip = address();
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await introspect("garbage", introspector.token, ip)).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
    assert.equal(statuses.at(-1), 429);
    // Over the limit, a valid token gets the 429 as well: the status must not tell valid from not.
    const good = await createToken("viewer");
    assert.equal((await introspect(good.token, introspector.token, ip)).status, 429);
    // Another caller's address is not affected.
    assert.equal((await introspect("garbage", introspector.token, address())).status, 200);
  });
});
