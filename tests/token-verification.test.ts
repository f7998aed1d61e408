// Engine-independent: offline verification (EdDSA, ES256, the JWKS) and signing-key rotation are cryptography over HTTP; introspection reads the token row through the same query as every request on both engines.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { engine } from "./helpers/database.ts";
import { newSigningKey } from "../lib/embedded/secrets.ts";
import { call, createInstance, signingKey, type Instance } from "./helpers/instance.ts";

// Issue 18: another service verifies Tessera's tokens offline (EdDSA or ES256
// and the JWKS) and learns of revocation online (introspection), shown with
// the example resource server in examples/; and the signing key rotates with
// both keys live.

const A = newSigningKey("EdDSA");
const B = newSigningKey("EdDSA");
const C = newSigningKey("ES256");
let tessera: Instance;
let hsToken: string;
const servers: ChildProcess[] = [];

const keysOf = (...keys: (typeof A)[]) => JSON.stringify(keys);
const create = async (role: string) => {
  const response = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: hsToken,
    body: {
      name: `v-${role}-${Math.random().toString(36).slice(2, 8)}`,
      role,
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as { token: string; hash: string; name: string };
};
const jwks = async (path = "/.well-known/jwks.json") => {
  const response = await fetch(`${tessera.url}${path}`);
  return { response, body: (await response.json()) as { keys: Record<string, string>[] } };
};

/** Starts examples/resource-server.mjs against this Tessera; answers its URL. */
async function resourceServer(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ["examples/resource-server.mjs"], {
    env: { ...process.env, TESSERA_URL: tessera.url, PORT: "0", TESSERA_INTROSPECTION_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => reject(new Error(`resource server exited ${code}: ${output}`)));
  });
}
const ask = (url: string, token: string | undefined, method = "GET") =>
  fetch(`${url}/reports`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

before(async () => {
  // HS256 first (the default), so one token was made the old way; then EdDSA with key A.
  tessera = await createInstance({ TESSERA_TOKEN_KEYS: signingKey("hs1") });
  hsToken = tessera.adminToken;
  await tessera.restart({ TESSERA_TOKEN_ALG: "EdDSA", TESSERA_SIGNING_KEYS: keysOf(A) });
});
after(async () => {
  for (const child of servers) child.kill();
  await tessera?.close();
});

describe(`third-party verification on ${engine}`, () => {
  test("the JWKS publishes the public half of each signing key by kid, cacheable, never a secret", async () => {
    const { response, body } = await jwks();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/jwk-set+json");
    assert.equal(response.headers.get("cache-control"), "public, max-age=300");
    assert.deepEqual(body, { keys: [{ kty: "OKP", crv: "Ed25519", x: A.x, kid: A.kid, alg: "EdDSA", use: "sig" }] });
    assert.deepEqual((await jwks("/api/well-known/jwks")).body, body);
    const text = JSON.stringify(body);
    assert.ok(
      !text.includes(A.d!) && !text.includes(signingKey("hs1").split(":")[1]!),
      "no private key, no HMAC secret",
    );
  });

  test("new tokens are EdDSA under the current kid; jose verifies them offline from the JWKS; HS256 ones still work", async () => {
    const token = await create("viewer");
    assert.deepEqual(decodeProtectedHeader(token.token), { alg: "EdDSA", typ: "JWT", kid: A.kid });
    const keys = createRemoteJWKSet(new URL(`${tessera.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token.token, keys, { issuer: "tessera" });
    assert.equal(payload.role, "viewer");
    assert.equal((await call(`${tessera.url}/api/me`, { token: token.token })).status, 200);
    assert.equal((await call(`${tessera.url}/api/me`, { token: hsToken })).status, 200, "the HS256 token made before");
  });

  test("the example resource server: 200 for a role it allows, 403 for one it does not, 401 for a forged or HS256 token", async () => {
    const url = await resourceServer();
    const viewer = await create("viewer");
    const editor = await create("editor");
    assert.equal((await ask(url, viewer.token)).status, 200);
    assert.equal((await ask(url, viewer.token, "POST")).status, 403);
    assert.equal((await ask(url, editor.token, "POST")).status, 200);
    assert.equal((await ask(url, undefined)).status, 401);
    const [h, p, s] = viewer.token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "admin" })).toString("base64url")}.${s}`;
    const refused = await ask(url, forged, "POST");
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/);
    assert.equal((await ask(url, hsToken)).status, 401, "an HS256 token cannot be verified with public keys");
  });

  test("offline only, a revoked token still passes; with introspection it is refused on the very next request", async () => {
    const introspector = await create("introspector");
    const offline = await resourceServer();
    const online = await resourceServer({ TESSERA_INTROSPECTION_TOKEN: introspector.token });
    const viewer = await create("viewer");
    assert.equal((await ask(online, viewer.token)).status, 200);
    const revoked = await call(`${tessera.url}/api/tokens/${viewer.hash}`, { method: "DELETE", token: hsToken });
    assert.equal(revoked.status, 200);
    assert.equal((await ask(offline, viewer.token)).status, 200, "the signature alone cannot know");
    assert.equal((await ask(online, viewer.token)).status, 401);
    // Disabled, likewise; enabled again, accepted again.
    const other = await create("viewer");
    await call(`${tessera.url}/api/tokens/${other.hash}/disable`, { method: "POST", token: hsToken });
    assert.equal((await ask(online, other.token)).status, 401);
    await call(`${tessera.url}/api/tokens/${other.hash}/enable`, { method: "POST", token: hsToken });
    assert.equal((await ask(online, other.token)).status, 200);
  });

  test("key rotation: a new key signs while the old one still verifies; retired, the old key's tokens are refused", async () => {
    const signedByA = await create("viewer");
    // Publish B first (A still signs), then make B the signer: both live.
    await tessera.restart({ TESSERA_SIGNING_KEYS: keysOf(B, A) });
    const { body } = await jwks();
    assert.deepEqual(
      body.keys.map((key) => key.kid),
      [B.kid, A.kid],
    );
    const signedByB = await create("viewer");
    assert.equal(decodeProtectedHeader(signedByB.token).kid, B.kid);
    for (const token of [signedByA, signedByB])
      assert.equal((await call(`${tessera.url}/api/me`, { token: token.token })).status, 200);
    const url = await resourceServer();
    assert.equal((await ask(url, signedByA.token)).status, 200);
    assert.equal((await ask(url, signedByB.token)).status, 200);

    // ES256 beside them: a P-256 key signs; A is kept as a public key only (it verifies, it cannot sign).
    const { d: _dropped, ...publicA } = A;
    await tessera.restart({ TESSERA_TOKEN_ALG: "ES256", TESSERA_SIGNING_KEYS: JSON.stringify([C, B, publicA]) });
    const signedByC = await create("viewer");
    assert.deepEqual(decodeProtectedHeader(signedByC.token), { alg: "ES256", typ: "JWT", kid: C.kid });
    for (const token of [signedByA, signedByB, signedByC])
      assert.equal((await call(`${tessera.url}/api/me`, { token: token.token })).status, 200);
    assert.equal((await ask(await resourceServer(), signedByC.token)).status, 200);

    // Retire A: its tokens are refused, and the JWKS no longer lists it.
    await tessera.restart({ TESSERA_SIGNING_KEYS: JSON.stringify([C, B]) });
    assert.equal((await call(`${tessera.url}/api/me`, { token: signedByA.token })).status, 403);
    assert.equal((await call(`${tessera.url}/api/me`, { token: signedByC.token })).status, 200);
    assert.deepEqual(
      (await jwks()).body.keys.map((key) => key.kid),
      [C.kid, B.kid],
    );
  });
});
