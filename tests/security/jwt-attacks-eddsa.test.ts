// Engine-independent: forged and confused JWTs against a mixed EdDSA/HS256 key set are refused at signature verification, before any database read; the controls read a token row as every other suite does on both engines.
import { createHmac, generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SignJWT, importJWK } from "jose";
import { newSigningKey } from "../../lib/embedded/secrets.ts";
import { call, createInstance, signingKey, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";

// The JWT attacks again, against a Tessera that signs with EdDSA (Ed25519)
// and still verifies its older HS256 tokens (issue 18): the mixed key set is
// where algorithm confusion lives. The Ed25519 key's public half is public
// (GET /.well-known/jwks.json), so an attacker has it in every form.

const report = securityReport(import.meta.filename);
const THEME = "Forged JWTs against EdDSA signing (mixed key set)";
const REFUSED = "403 Token not found or was revoked";

let tessera: Instance;
const ed = newSigningKey("EdDSA");
const hmacKeys = signingKey("hs1");
const hmacSecret = new TextEncoder().encode(hmacKeys.slice(hmacKeys.indexOf(":") + 1));
let edToken: string;
let hsToken: string;
let fetchedByServer = 0;
let trap: http.Server;
let trapUrl: string;

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  role: "admin",
  iat: now(),
  exp: now() + 3600,
  iss: "tessera",
  jti: crypto.randomUUID(),
  ...extra,
});
/** HS256 over any header, with any secret. */
function hmacSign(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Uint8Array | string) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

before(async () => {
  // First HS256 (the default), to hold a token signed the old way; then EdDSA with the same HMAC keys.
  tessera = await createInstance({ TESSERA_TOKEN_KEYS: hmacKeys, TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
  hsToken = tessera.adminToken;
  await tessera.restart({ TESSERA_TOKEN_ALG: "EdDSA", TESSERA_SIGNING_KEYS: JSON.stringify([ed]) });
  const created = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: hsToken,
    body: { name: "eddsa-admin", role: "admin", validUntil: new Date(Date.now() + 86_400_000).toISOString() },
  });
  assert.equal(created.status, 200);
  edToken = created.body.token;
  trap = http.createServer((_req, res) => {
    fetchedByServer++;
    res.end("{}");
  });
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
});
after(async () => {
  trap?.close();
  await tessera?.close();
});

async function expectRefused(name: string, token: string) {
  const me = await call(`${tessera.url}/api/me`, { token });
  const write = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token,
    body: {
      name: `forged-${Math.random().toString(36).slice(2, 10)}`,
      role: "admin",
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  report.check(THEME, name, REFUSED, outcome(me));
  assert.equal(outcome(write), REFUSED, `${name} (POST)`);
}

describe("forged JWTs against EdDSA signing", () => {
  test("controls: the EdDSA token and the older HS256 token both work (a mixed key set)", async () => {
    assert.equal(JSON.parse(Buffer.from(edToken.split(".")[0]!, "base64url").toString()).alg, "EdDSA");
    report.check(
      THEME,
      "control: an EdDSA token",
      "200",
      String((await call(`${tessera.url}/api/me`, { token: edToken })).status),
    );
    report.check(
      THEME,
      "control: an HS256 token made before the switch",
      "200",
      String((await call(`${tessera.url}/api/me`, { token: hsToken })).status),
    );
  });

  test("algorithm confusion: HS256 keyed with the Ed25519 public key, in every form, under the Ed25519 kid", async () => {
    const { x } = ed;
    const publicJwk = JSON.stringify({ kty: "OKP", crv: "Ed25519", x });
    const publicKey = await importJWK({ kty: "OKP", crv: "Ed25519", x }, "EdDSA", { extractable: true });
    const { createPublicKey } = await import("node:crypto");
    const pem = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: x! }, format: "jwk" }).export({
      type: "spki",
      format: "pem",
    });
    void publicKey;
    const forms: Record<string, Uint8Array | string> = {
      "the raw 32 bytes": Buffer.from(x!, "base64url"),
      "its base64url text": x!,
      "its JWK as JSON": publicJwk,
      "its SPKI PEM": String(pem),
    };
    for (const [form, secret] of Object.entries(forms)) {
      await expectRefused(
        `HS256 keyed with the Ed25519 public key (${form}), the Ed25519 kid`,
        hmacSign({ alg: "HS256", typ: "JWT", kid: ed.kid }, claims(), secret),
      );
    }
  });

  test("a kid and an algorithm that do not belong together", async () => {
    const attacker = generateKeyPairSync("ed25519");
    await expectRefused(
      "EdDSA under the HS256 kid, signed by an attacker's Ed25519 key",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: "hs1" })
        .sign(attacker.privateKey),
    );
    await expectRefused(
      "HS256 under the HS256 kid's name but the Ed25519 kid (HMAC secret, wrong key)",
      hmacSign({ alg: "HS256", typ: "JWT", kid: ed.kid }, claims(), hmacSecret),
    );
    await expectRefused(
      "EdDSA under the Ed25519 kid, signed by an attacker's Ed25519 key",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: ed.kid })
        .sign(attacker.privateKey),
    );
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await expectRefused(
      "ES256 under the Ed25519 kid, signed by an attacker's P-256 key",
      await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "JWT", kid: ed.kid }).sign(ec.privateKey),
    );
    await expectRefused(
      "alg none under the Ed25519 kid",
      `${b64({ alg: "none", typ: "JWT", kid: ed.kid })}.${b64(claims())}.`,
    );
    await expectRefused(
      "alg Ed25519 (the key's curve, not a JWS alg)",
      `${b64({ alg: "Ed25519", typ: "JWT", kid: ed.kid })}.${edToken.split(".")[1]}.${edToken.split(".")[2]}`,
    );
  });

  test("the attacker's own key in the header, and keys fetched from a URL", async () => {
    const attacker = generateKeyPairSync("ed25519");
    const jwk = attacker.publicKey.export({ format: "jwk" });
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: ed.kid, jwk: { ...jwk, kid: ed.kid } as never })
      .sign(attacker.privateKey);
    await expectRefused("an embedded jwk header with the attacker's Ed25519 key", token);
    for (const header of ["jku", "x5u"]) {
      await expectRefused(
        `${header} pointing at an attacker's server`,
        await new SignJWT(claims())
          .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: "remote", [header]: trapUrl } as never)
          .sign(attacker.privateKey),
      );
    }
    report.check(THEME, "outbound fetches the server made for those headers", "0", String(fetchedByServer));
  });

  test("the real EdDSA token edited: payload, signature bits, a second spelling of the signature", async () => {
    const [h, p, s] = edToken.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    await expectRefused(
      "payload edited after signing (later exp)",
      `${h}.${b64({ ...payload, exp: payload.exp + 999_999 })}.${s}`,
    );
    const flipped = Buffer.from(s!, "base64url");
    flipped[10]! ^= 1;
    await expectRefused("one bit of the Ed25519 signature flipped", `${h}.${p}.${flipped.toString("base64url")}`);
    // The last of 86 characters carries 4 unused bits: set one, and the same bytes decode from another spelling.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(s!.at(-1)!);
    const respelled = `${s!.slice(0, -1)}${alphabet[last | 1]}`;
    assert.deepEqual(Buffer.from(respelled, "base64url"), Buffer.from(s!, "base64url"), "the same signature bytes");
    await expectRefused("the same signature in a non-canonical spelling", `${h}.${p}.${respelled}`);
    await expectRefused("the signature stripped", `${h}.${p}.`);
  });
});
