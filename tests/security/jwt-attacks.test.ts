// Engine-independent: forged, altered and confused HS256 JWTs are refused at signature verification, before any database read; the controls read a token row as every other suite does on both engines.
import { createHash, createHmac, generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SignJWT, exportJWK } from "jose";
import { call, createInstance, signingKey, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";

const report = securityReport(import.meta.filename);
const THEME = "Forged and malformed JWTs";
const REFUSED = "403 Token not found or was revoked";

let tessera: Instance;
let kid: string;
let secret: Uint8Array;
let validToken: string;
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

/** HS256 over any header at all, even one jose would refuse to produce. */
function rawSign(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Signs with the server's real key; the header and claims are the attacker's to choose. */
async function sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: Uint8Array = secret) {
  const alg = (header.alg as string) ?? "HS256";
  return new SignJWT(payload).setProtectedHeader({ typ: "JWT", kid, ...header, alg }).sign(key);
}

before(async () => {
  const keys = signingKey("sec1");
  kid = "sec1";
  secret = new TextEncoder().encode(keys.slice(keys.indexOf(":") + 1));
  tessera = await createInstance({ TESSERA_TOKEN_KEYS: keys, TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
  validToken = tessera.adminToken;
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

/** Every forged token is tried on a read and a write route; both must refuse it the same way, and nothing may be created. */
async function expectRefused(name: string, token: string, expected = REFUSED) {
  const before = (await call(`${tessera.url}/api/tokens`, { token: validToken })).body.length;
  const me = await call(`${tessera.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const write = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: {
      name: `forged-${Math.random().toString(36).slice(2, 10)}`,
      role: "admin",
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  report.check(THEME, name, expected, outcome(me));
  assert.equal(outcome(write), expected, `${name} (POST)`);
  assert.equal(
    (await call(`${tessera.url}/api/tokens`, { token: validToken })).body.length,
    before,
    `${name}: nothing created`,
  );
}

describe("forged JWTs", () => {
  test("the real token works (control)", async () => {
    report.check(
      THEME,
      "control: the admin token minted by the CLI",
      "200",
      String((await call(`${tessera.url}/api/me`, { token: validToken })).status),
    );
  });

  test("alg none in every spelling, and stripped or bit-flipped signatures", async () => {
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      await expectRefused(`alg "${alg}", no signature`, `${b64({ alg, typ: "JWT", kid })}.${b64(claims())}.`);
    }
    const [h, p, s] = validToken.split(".");
    await expectRefused("signature stripped", `${h}.${p}.`);
    const flipped = Buffer.from(s!, "base64url");
    flipped[0]! ^= 1;
    await expectRefused("one bit of the signature flipped", `${h}.${p}.${flipped.toString("base64url")}`);
    await expectRefused(
      "payload edited after signing (role viewer -> admin, later exp)",
      `${h}.${b64({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), exp: now() + 999_999 })}.${s}`,
    );
  });

  test("algorithms outside the allow-list, and HS/asymmetric confusion", async () => {
    await expectRefused("HS384 with the real secret", await sign(claims(), { alg: "HS384" }));
    await expectRefused("HS512 with the real secret", await sign(claims(), { alg: "HS512" }));
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await expectRefused(
      "RS256 signed by an attacker's key, our kid",
      await new SignJWT(claims()).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(rsa.privateKey),
    );
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await expectRefused(
      "ES256 signed by an attacker's key, our kid",
      await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "JWT", kid }).sign(ec.privateKey),
    );
    const publicPem = rsa.publicKey.export({ type: "spki", format: "pem" });
    await expectRefused(
      "HS256 keyed with an RSA public key (key confusion)",
      await sign(claims(), {}, new TextEncoder().encode(String(publicPem))),
    );
  });

  test("unknown or hostile kid", async () => {
    const attacker = new TextEncoder().encode("attacker-chosen-secret-of-32-bytes!!");
    await expectRefused("unknown kid", await sign(claims(), { kid: "nope" }, attacker));
    await expectRefused(
      "kid missing",
      `${b64({ alg: "HS256", typ: "JWT" })}.${validToken.split(".")[1]}.${validToken.split(".")[2]}`,
    );
    await expectRefused(
      "kid path traversal ../../../etc/passwd",
      await sign(claims(), { kid: "../../../etc/passwd" }, attacker),
    );
    await expectRefused("kid SQL ' OR '1'='1", await sign(claims(), { kid: "' OR '1'='1" }, attacker));
    await expectRefused("kid of 8 KB", await sign(claims(), { kid: "k".repeat(8192) }, attacker));
  });

  test("jku, x5u and embedded jwk headers are ignored, and nothing is fetched", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = await exportJWK(rsa.publicKey);
    await expectRefused(
      "jku pointing at an attacker's key set",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, jku: `${trapUrl}/jwks.json` })
        .sign(rsa.privateKey),
    );
    await expectRefused(
      "x5u pointing at an attacker's certificate",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5u: `${trapUrl}/cert.pem` })
        .sign(rsa.privateKey),
    );
    await expectRefused(
      "embedded jwk header with the attacker's key",
      await new SignJWT(claims()).setProtectedHeader({ alg: "RS256", typ: "JWT", jwk }).sign(rsa.privateKey),
    );
    await expectRefused(
      "HS256 with the real key plus a jku header (jku ignored; no row)",
      await sign(claims(), { jku: `${trapUrl}/jwks.json` }),
    );
  });

  test("crit headers, issuer, expiry and not-before", async () => {
    await expectRefused(
      "crit naming an unknown extension",
      rawSign({ alg: "HS256", typ: "JWT", kid, crit: ["x-tessera"], "x-tessera": true }, claims()),
    );
    await expectRefused(
      "crit naming exp (a claim, not a header)",
      rawSign({ alg: "HS256", typ: "JWT", kid, crit: ["exp"] }, claims()),
    );
    await expectRefused(
      "iss missing",
      await sign(Object.fromEntries(Object.entries(claims()).filter(([k]) => k !== "iss"))),
    );
    await expectRefused("iss of another issuer", await sign(claims({ iss: "cedalo" })));
    await expectRefused(
      "exp missing",
      await sign(Object.fromEntries(Object.entries(claims()).filter(([k]) => k !== "exp"))),
    );
    await expectRefused("expired now", await sign(claims({ exp: now() })));
    await expectRefused("expired one second ago", await sign(claims({ exp: now() - 1 })));
    await expectRefused("nbf in the future", await sign(claims({ nbf: now() + 600 })));
    await expectRefused("role claim unknown (root)", await sign(claims({ role: "root" })));
    await expectRefused("validly signed but never issued (no row: unknown to the database)", await sign(claims()));
  });

  test("a hash, a session token, or malformed encodings as the token", async () => {
    await expectRefused("the token's SHA-256 hash as the token", createHash("sha256").update(validToken).digest("hex"));
    const [h, p, s] = validToken.split(".");
    await expectRefused("base64 padding added", `${h}==.${p}.${s}`);
    await expectRefused("two segments", `${h}.${p}`);
    await expectRefused("four segments", `${validToken}.${s}`);
    await expectRefused("a JWE-shaped value (five segments, like a next-auth session)", `${h}..${p}.${s}.${s}`);
    const spaced = await call(`${tessera.url}/api/me`, { headers: { authorization: `Bearer ${h}. ${p}.${s}` } });
    report.check(
      THEME,
      "whitespace inside the token",
      "400 Malformed Authorization header: expected Bearer <token>",
      outcome(spaced),
    );
    const percent = await call(`${tessera.url}/api/me`, { headers: { authorization: "Bearer %%" } });
    report.check(THEME, "Bearer %%", REFUSED, outcome(percent));
    const huge = await call(`${tessera.url}/api/me`, { headers: { authorization: `Bearer ${"a".repeat(64 * 1024)}` } });
    report.check(THEME, "64 KB Authorization header", "431", String(huge.status));
    const bigButAccepted = await call(`${tessera.url}/api/me`, {
      headers: { authorization: `Bearer ${"a".repeat(8 * 1024)}` },
    });
    report.check(THEME, "8 KB token (over the 4 KB limit, under the header limit)", REFUSED, outcome(bigButAccepted));
  });

  test("no outbound fetch happened for any header", () => {
    report.check(THEME, "requests the server made to jku/x5u URLs", "0", String(fetchedByServer));
  });
});
