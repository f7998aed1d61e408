import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { verifyAppToken } from "../../lib/tokens/app-token.ts";

// Both gates verify app tokens with one verifier (lib/tokens/app-token.ts,
// jose). Here it judges good and hostile tokens: each must get the expected
// answer, twice (the second time from its cache of verified tokens), claims
// included.

const settings = {
  keys: "k2:second-secret-0123456789abcdef0123456789,k1:first-secret-0123456789abcdef0123456789",
  issuer: "https://tessera.test",
};
const SECRETS: Record<string, string> = {
  k1: "first-secret-0123456789abcdef0123456789",
  k2: "second-secret-0123456789abcdef0123456789",
};
const now = Math.floor(Date.now() / 1000);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function jwt(
  header: Record<string, unknown>,
  payload: unknown,
  secret = SECRETS[String(header.kid)] ?? "unknown",
  algorithm = "sha256",
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(algorithm, secret).update(input).digest("base64url")}`;
}

const header = { alg: "HS256", typ: "JWT", kid: "k2" };
const claims = {
  role: "admin",
  iat: now - 10,
  exp: now + 3600,
  iss: settings.issuer,
  jti: "0b6c3e1e-0000-4000-8000-000000000001",
};
const good = jwt(header, claims);
const [h, p, s] = good.split(".") as [string, string, string];
// The last base64url character of a 32-byte MAC carries 4 bits of padding: flip one of those.
const lastChar = s.at(-1)!;
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const sibling = alphabet[alphabet.indexOf(lastChar) ^ 1]!;

const cases: [string, string, boolean][] = [
  ["valid, newest key", good, true],
  ["valid, older key", jwt({ ...header, kid: "k1" }, claims), true],
  ["typ jwt", jwt({ ...header, typ: "jwt" }, claims), true],
  ["typ application/jwt", jwt({ ...header, typ: "application/jwt" }, claims), true],
  ["nbf in the past", jwt(header, { ...claims, nbf: now - 5 }), true],
  ["extra claims", jwt(header, { ...claims, sub: "device-1" }), true],
  ["expired", jwt(header, { ...claims, exp: now - 1 }), false],
  ["exp is now", jwt(header, { ...claims, exp: now - 0 }), false],
  ["exp a string", jwt(header, { ...claims, exp: String(now + 3600) }), false],
  ["no exp", jwt(header, { ...claims, exp: undefined }), false],
  ["wrong issuer", jwt(header, { ...claims, iss: "https://evil.test" }), false],
  ["no issuer", jwt(header, { ...claims, iss: undefined }), false],
  ["unknown role", jwt(header, { ...claims, role: "root" }), false],
  ["no role", jwt(header, { ...claims, role: undefined }), false],
  ["no jti", jwt(header, { ...claims, jti: undefined }), false],
  ["jti a number", jwt(header, { ...claims, jti: 7 }), false],
  ["no iat", jwt(header, { ...claims, iat: undefined }), false],
  ["iat a string", jwt(header, { ...claims, iat: "yesterday" }), false],
  ["nbf in the future", jwt(header, { ...claims, nbf: now + 600 }), false],
  ["typ JOSE", jwt({ ...header, typ: "JOSE" }, claims), false],
  ["no typ", jwt({ alg: "HS256", kid: "k2" }, claims), false],
  ["alg none", `${b64({ alg: "none", typ: "JWT", kid: "k2" })}.${p}.`, false],
  ["alg HS512 with the right key", jwt({ ...header, alg: "HS512" }, claims, SECRETS.k2, "sha512"), false],
  ["unknown kid", jwt({ ...header, kid: "k9" }, claims), false],
  ["no kid", jwt({ alg: "HS256", typ: "JWT" }, claims, SECRETS.k2), false],
  ["kid a number", jwt({ ...header, kid: 2 }, claims, SECRETS.k2), false],
  ["wrong secret", jwt(header, claims, "not-the-secret-0123456789abcdef0123456"), false],
  ["payload changed", `${h}.${b64({ ...claims, role: "viewer" })}.${s}`, false],
  ["signature of another token", `${h}.${p}.${jwt(header, { ...claims, jti: "other" }).split(".")[2]}`, false],
  ["signature with other padding bits", `${h}.${p}.${s.slice(0, -1)}${sibling}`, false],
  ["signature truncated", `${h}.${p}.${s.slice(0, -2)}`, false],
  ["crit header", jwt({ ...header, crit: ["exp"] }, claims), false],
  ["b64 false", jwt({ ...header, b64: false, crit: ["b64"] }, claims), false],
  ["payload an array", jwt(header, [claims]), false],
  ["payload not JSON", jwt(header, "not json"), false],
  ["header not JSON", `${b64("{")}.${p}.${s}`, false],
  ["two segments", `${h}.${p}`, false],
  ["four segments", `${good}.x`, false],
  ["padding characters", `${h}.${p}.${s}=`, false],
  ["spaces", ` ${good}`, false],
  ["empty", "", false],
  ["too long", `${h}.${p}.${s}${"A".repeat(4096)}`, false],
];

test("the verifier accepts exactly the good tokens, and says the same from its cache", async () => {
  for (const [label, token, valid] of cases) {
    const first = await verifyAppToken(settings, token);
    assert.equal(first !== null, valid, `${label}: ${valid ? "accepted" : "refused"}`);
    assert.deepEqual(await verifyAppToken(settings, token), first, `${label}: the same answer again`);
  }
  assert.deepEqual(await verifyAppToken(settings, good), { ...claims, kid: "k2" }, "the claims of a good token");
});

test("with two accepted issuers (app tokens' and the public URL of device tokens), either is accepted and nothing else", async () => {
  const both = { ...settings, issuer: [settings.issuer, "http://tessera.example:3000"] };
  for (const [label, iss, valid] of [
    ["the app token issuer", settings.issuer, true],
    ["the public URL", "http://tessera.example:3000", true],
    ["another URL", "http://evil.example:3000", false],
    ["the public URL with a trailing slash", "http://tessera.example:3000/", false],
    // v0.1 device tokens named the port the server listened on; they keep working after a move to another port.
    ["a v0.1 device token from another port", "http://localhost:3999", true],
    ["a v0.1-looking issuer with a path", "http://localhost:3999/x", false],
    ["https localhost", "https://localhost:3999", false],
  ] as const) {
    const token = jwt(header, { ...claims, iss, sub: "dev1" });
    assert.equal((await verifyAppToken(both, token)) !== null, valid, label);
  }
});

test("the v0.1 device issuer is accepted only on device tokens (they carry sub)", async () => {
  const token = jwt(header, { ...claims, iss: "http://localhost:3999" });
  assert.equal(await verifyAppToken(settings, token), null, "without sub: refused");
  const device = jwt(header, { ...claims, iss: "http://localhost:3999", sub: "dev1" });
  assert.notEqual(await verifyAppToken(settings, device), null, "with sub: accepted");
});

test("a token that verified is refused once it expires, cache or not", async (t) => {
  // The verifier (jose) and its cache read the clock through Date: a mocked Date moves past exp without a wait.
  t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
  const soon = jwt(header, { ...claims, jti: "expiring", exp: Math.floor(Date.now() / 1000) + 1 });
  assert.notEqual(await verifyAppToken(settings, soon), null, "valid before its exp");
  t.mock.timers.tick(1_100);
  assert.equal(await verifyAppToken(settings, soon), null, "refused after its exp");
});

test("a token verified under one key set is not taken from the cache once its key is dropped", async () => {
  const older = jwt({ ...header, kid: "k1" }, { ...claims, jti: "older-key" });
  assert.notEqual(await verifyAppToken(settings, older), null, "k1 is configured");
  const withoutK1 = { ...settings, keys: "k2:second-secret-0123456789abcdef0123456789" };
  assert.equal(await verifyAppToken(withoutK1, older), null, "k1 dropped: refused");
});
