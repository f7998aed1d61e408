import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { decodeProtectedHeader } from "jose";
import { embeddedSecrets, newSigningKey } from "../../lib/embedded/secrets.ts";
import { assertSecrets, EnvError, parseEnv } from "../../lib/env.ts";
import { signAppToken, verifyAppToken } from "../../lib/tokens/app-token.ts";
import { parseSigningKeys, tokenKeyRing } from "../../lib/tokens/signing-keys.ts";

// Asymmetric signing keys (issue 18): what TESSERA_SIGNING_KEYS accepts, how
// the embedded mode makes one, and that a token verifies only under its own
// key's algorithm.

const HMAC = "hs1:0123456789abcdef0123456789abcdef0123456789";
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("TESSERA_SIGNING_KEYS", () => {
  test("refuses what is not a list of Ed25519 or P-256 JWKs with kid and alg, saying what is wrong", () => {
    const ed = newSigningKey("EdDSA");
    const cases: [unknown, RegExp][] = [
      ["not json", /JSON array of JWKs/],
      [[], /non-empty/],
      [[{ ...ed, kid: "bad kid!" }], /kid of 1-64/],
      [[ed, ed], /listed twice/],
      [[{ ...ed, alg: "RS256" }], /alg must be EdDSA or ES256/],
      [[{ ...ed, alg: "ES256" }], /kty EC with crv P-256/],
      [[{ ...ed, x: "not base64url!" }], /x must be base64url/],
    ];
    for (const [value, message] of cases)
      assert.throws(() => parseSigningKeys(typeof value === "string" ? value : JSON.stringify(value)), message);
    assert.equal(parseSigningKeys(JSON.stringify([ed])).length, 1);
  });

  test("TESSERA_TOKEN_ALG=EdDSA needs a private EdDSA key: refused at start otherwise, with the way to get one", () => {
    const es = newSigningKey("ES256");
    const { d: _d, ...publicEd } = newSigningKey("EdDSA");
    for (const keys of [[es], [publicEd]]) {
      assert.throws(
        () => parseEnv({ TESSERA_TOKEN_ALG: "EdDSA", TESSERA_SIGNING_KEYS: JSON.stringify(keys) }),
        (error: Error) => error instanceof EnvError && /needs a private EdDSA key.*keys generate/.test(error.message),
      );
    }
    assert.throws(() => parseEnv({ TESSERA_TOKEN_ALG: "RS256" }), /TESSERA_TOKEN_ALG/);
    const postgres = parseEnv({
      DATABASE_URL: "postgresql://x@127.0.0.1/x",
      TESSERA_TOKEN_ALG: "EdDSA",
      TESSERA_TOKEN_KEYS: HMAC,
      NEXTAUTH_SECRET: "x".repeat(32),
    });
    assert.throws(() => assertSecrets(postgres), /Missing required secret: TESSERA_SIGNING_KEYS/);
  });

  test("a kid may not name both an HMAC secret and a JWK", () => {
    const ed = { ...newSigningKey("EdDSA"), kid: "hs1" };
    assert.throws(
      () => tokenKeyRing({ keys: HMAC, signingKeys: JSON.stringify([ed]), alg: "EdDSA" }),
      /in both TESSERA_TOKEN_KEYS and TESSERA_SIGNING_KEYS/,
    );
  });
});

describe("embedded signing keys", () => {
  test("made on first use in the data dir (0600), kept across starts, and an older key kept beside a new algorithm's", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-keys-"));
    dirs.push(dir);
    const lines: string[] = [];
    const base = parseEnv({ TESSERA_DATA_DIR: dir, TESSERA_TOKEN_ALG: "EdDSA" });
    const first = embeddedSecrets(base, dir, (line) => lines.push(line));
    const [key] = parseSigningKeys(first.TESSERA_SIGNING_KEYS!);
    assert.equal(key!.alg, "EdDSA");
    assert.ok(key!.d, "a private key");
    assert.match(lines.join("\n"), /Generated an EdDSA signing key/);
    const again = embeddedSecrets(base, dir, () => {});
    assert.equal(again.TESSERA_SIGNING_KEYS, first.TESSERA_SIGNING_KEYS, "the same key on the next start");
    const file = path.join(dir, "secrets.json");
    assert.equal((await import("node:fs")).statSync(file).mode & 0o777, 0o600);
    const es = embeddedSecrets(parseEnv({ TESSERA_DATA_DIR: dir, TESSERA_TOKEN_ALG: "ES256" }), dir, () => {});
    assert.deepEqual(
      parseSigningKeys(es.TESSERA_SIGNING_KEYS!).map((jwk) => jwk.alg),
      ["ES256", "EdDSA"],
      "the EdDSA key stays: its tokens still verify",
    );
    assert.equal(JSON.parse(readFileSync(file, "utf8")).TESSERA_SIGNING_KEYS, es.TESSERA_SIGNING_KEYS);
    // HS256 makes none, and passes on the ones made before (their tokens still verify).
    assert.equal(
      embeddedSecrets(parseEnv({ TESSERA_DATA_DIR: dir }), dir, () => {}).TESSERA_SIGNING_KEYS,
      es.TESSERA_SIGNING_KEYS,
    );
    assert.equal(JSON.parse(readFileSync(file, "utf8")).TESSERA_SIGNING_KEYS, es.TESSERA_SIGNING_KEYS);
  });
});

describe("signing and verifying", () => {
  test("EdDSA and ES256 tokens verify under their own kid only; the HMAC key keeps verifying HS256", async () => {
    const ed = newSigningKey("EdDSA");
    const es = newSigningKey("ES256");
    const signingKeys = JSON.stringify([ed, es]);
    const claims = {
      role: "viewer" as const,
      jti: crypto.randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 60,
    };
    const settings = { keys: HMAC, signingKeys, issuer: "tessera" };
    for (const alg of ["EdDSA", "ES256", "HS256"] as const) {
      const { token, kid } = await signAppToken({ ...settings, alg }, { ...claims, jti: crypto.randomUUID() });
      assert.equal(decodeProtectedHeader(token).alg, alg);
      assert.equal(kid, alg === "EdDSA" ? ed.kid : alg === "ES256" ? es.kid : "hs1");
      // Verified whichever algorithm signs now: the key set is mixed.
      for (const now of ["EdDSA", "HS256"] as const)
        assert.equal((await verifyAppToken({ ...settings, alg: now }, token))?.kid, kid, `${alg} under ${now}`);
    }
  });
});

describe("tessera keys generate", () => {
  test("prints a TESSERA_SIGNING_KEYS value that the server accepts; a wrong algorithm is a usage error", async () => {
    const { spawnSync } = await import("node:child_process");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["scripts/tessera.mjs", "keys", ...args], { encoding: "utf8" });
    const made = run("generate", "ES256");
    assert.equal(made.status, 0, made.stderr);
    const keys = parseSigningKeys(made.stdout.trim());
    assert.equal(keys[0]!.alg, "ES256");
    assert.ok(keys[0]!.d);
    assert.doesNotThrow(() => parseEnv({ TESSERA_TOKEN_ALG: "ES256", TESSERA_SIGNING_KEYS: made.stdout.trim() }));
    assert.ok(!made.stderr.includes(keys[0]!.d!), "the private part only on stdout");
    const wrong = run("generate", "HS256");
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /usage: tessera keys generate EdDSA\|ES256/);
  });
});

describe("found by an independent attack", () => {
  test("embedded: a start back at HS256 keeps the data dir's EdDSA key, so its tokens verify and the JWKS lists it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-keys-"));
    dirs.push(dir);
    const made = embeddedSecrets(parseEnv({ TESSERA_DATA_DIR: dir, TESSERA_TOKEN_ALG: "EdDSA" }), dir, () => {});
    assert.ok(made.TESSERA_SIGNING_KEYS);
    // Back to the default algorithm, with and without the other secrets in the environment.
    assert.equal(
      embeddedSecrets(parseEnv({ TESSERA_DATA_DIR: dir }), dir, () => {}).TESSERA_SIGNING_KEYS,
      made.TESSERA_SIGNING_KEYS,
    );
    const withSecrets = parseEnv({ TESSERA_DATA_DIR: dir, TESSERA_TOKEN_KEYS: HMAC, NEXTAUTH_SECRET: "x".repeat(32) });
    assert.equal(embeddedSecrets(withSecrets, dir, () => {}).TESSERA_SIGNING_KEYS, made.TESSERA_SIGNING_KEYS);
  });

  test("ES256: only the low-s spelling of a signature is signed and accepted (ECDSA is malleable)", async () => {
    const es = newSigningKey("ES256");
    const settings = { keys: HMAC, signingKeys: JSON.stringify([es]), alg: "ES256" as const, issuer: "tessera" };
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    let flippedSeen = 0;
    for (let i = 0; i < 12; i++) {
      const now = Math.floor(Date.now() / 1000);
      const { token } = await signAppToken(settings, {
        role: "viewer",
        jti: crypto.randomUUID(),
        iat: now,
        exp: now + 60,
      });
      assert.ok(await verifyAppToken(settings, token), "the token as signed");
      const [h, p, sig] = token.split(".");
      const bytes = Buffer.from(sig!, "base64url");
      const s = BigInt(`0x${bytes.subarray(32).toString("hex")}`);
      assert.ok(s <= n >> 1n, "signed with the low s");
      const high = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
      const other = `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), high]).toString("base64url")}`;
      // The other spelling is a valid ECDSA signature (jose accepts it offline) but not Tessera's token.
      assert.equal(await verifyAppToken(settings, other), null);
      flippedSeen++;
    }
    assert.equal(flippedSeen, 12);
  });
});
