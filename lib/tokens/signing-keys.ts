import { importJWK, type JWK } from "jose";
import { keyRing as hmacKeyRing } from "./keys.ts";

// The keys application tokens are signed and verified with, by kid. Edge-safe
// (jose on Web Crypto): middleware.ts verifies with the same ring.
//
// - TESSERA_TOKEN_KEYS ("kid:secret,...", newest first): HS256 secrets, the
//   default signer. They also derive MQTT passwords (lib/mqtt/passwords.ts),
//   so they stay required whatever signs tokens.
// - TESSERA_SIGNING_KEYS (a JSON array of JWKs, newest first): Ed25519
//   ("EdDSA") and P-256 ("ES256") keys. A key with its private part ("d") can
//   sign; one without only verifies: a retired key kept until the tokens it
//   signed have expired. Their public parts are what /.well-known/jwks.json
//   publishes, so another service can verify Tessera's tokens offline.
//
// TESSERA_TOKEN_ALG names the signer: HS256 (default) the first HMAC key,
// EdDSA or ES256 the first private key of that algorithm. Every key verifies
// only the algorithm it was made for: a kid names one key and the key one
// algorithm, so a token that names an Ed25519 key's kid with alg HS256 (the
// classic confusion: its public key used as an HMAC secret) is refused, and
// jose's algorithms option refuses anything but the three.

export const TOKEN_ALGS = ["HS256", "EdDSA", "ES256"] as const;
export type TokenAlg = (typeof TOKEN_ALGS)[number];
export type AsymmetricAlg = Exclude<TokenAlg, "HS256">;

export interface TokenKeySettings {
  /** TESSERA_TOKEN_KEYS. */
  keys: string | undefined;
  /** TESSERA_SIGNING_KEYS. */
  signingKeys?: string | undefined;
  /** TESSERA_TOKEN_ALG (HS256 when unset). */
  alg?: TokenAlg | undefined;
}

export interface VerifyingKey {
  kid: string;
  alg: TokenAlg;
  key: Promise<CryptoKey | Uint8Array>;
}

export interface TokenSigner {
  kid: string;
  alg: TokenAlg;
  key: Promise<CryptoKey | Uint8Array>;
}

export interface TokenKeyRing {
  signer: TokenSigner;
  byKid: Map<string, VerifyingKey>;
  /** The public JWKs of the asymmetric keys, newest first: the JWKS document's keys. */
  publicKeys: JWK[];
}

/** What one JWK of TESSERA_SIGNING_KEYS must be; parseSigningKeys says which rule a bad one breaks. */
export interface SigningJwk extends JWK {
  kid: string;
  alg: AsymmetricAlg;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const CURVES: Record<AsymmetricAlg, { kty: string; crv: string; coordinates: string[] }> = {
  EdDSA: { kty: "OKP", crv: "Ed25519", coordinates: ["x"] },
  ES256: { kty: "EC", crv: "P-256", coordinates: ["x", "y"] },
};

/**
 * The JWKs of TESSERA_SIGNING_KEYS, checked: an array of Ed25519 or P-256 keys, each with a kid (1-64 of
 * [A-Za-z0-9._-], unique) and its alg. Throws an Error whose message says what is wrong (lib/env.ts shows it).
 */
export function parseSigningKeys(source: string): SigningJwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new Error("must be a JSON array of JWKs (tessera keys generate prints one)");
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error("must be a non-empty JSON array of JWKs");
  const kids = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const jwk = entry as Partial<SigningJwk> | null;
    const at = `key ${index + 1}`;
    if (!jwk || typeof jwk !== "object") throw new Error(`${at} is not a JWK object`);
    if (typeof jwk.kid !== "string" || !KID.test(jwk.kid)) throw new Error(`${at} needs a kid of 1-64 [A-Za-z0-9._-]`);
    if (kids.has(jwk.kid)) throw new Error(`kid ${jwk.kid} is listed twice`);
    kids.add(jwk.kid);
    if (jwk.alg !== "EdDSA" && jwk.alg !== "ES256") throw new Error(`${jwk.kid}: alg must be EdDSA or ES256`);
    const curve = CURVES[jwk.alg];
    if (jwk.kty !== curve.kty || jwk.crv !== curve.crv)
      throw new Error(`${jwk.kid}: an ${jwk.alg} key is kty ${curve.kty} with crv ${curve.crv}`);
    for (const name of [...curve.coordinates, ...(jwk.d === undefined ? [] : ["d"])])
      if (
        typeof (jwk as Record<string, unknown>)[name] !== "string" ||
        !/^[A-Za-z0-9_-]+$/.test(String((jwk as Record<string, unknown>)[name]))
      )
        throw new Error(`${jwk.kid}: ${name} must be base64url`);
    return jwk as SigningJwk;
  });
}

/** The public half of a JWK: what may be published. */
export function publicJwk(jwk: SigningJwk): JWK {
  const { kty, crv, x, y, kid, alg } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), kid, alg, use: "sig" };
}

let cache: { source: string; ring: TokenKeyRing } | undefined;

/** The ring for these settings, built once per distinct configuration. Throws for a configuration with no signer. */
export function tokenKeyRing(settings: TokenKeySettings): TokenKeyRing {
  const source = `${settings.alg ?? "HS256"}\n${settings.keys ?? ""}\n${settings.signingKeys ?? ""}`;
  if (cache?.source === source) return cache.ring;
  const hmac = hmacKeyRing(settings.keys);
  const byKid = new Map<string, VerifyingKey>();
  for (const key of hmac.byKid.values()) byKid.set(key.kid, { kid: key.kid, alg: "HS256", key: key.verifier });
  const jwks = settings.signingKeys ? parseSigningKeys(settings.signingKeys) : [];
  const signers = new Map<string, Promise<CryptoKey | Uint8Array>>();
  for (const jwk of jwks) {
    if (byKid.has(jwk.kid)) throw new Error(`kid ${jwk.kid} is in both TESSERA_TOKEN_KEYS and TESSERA_SIGNING_KEYS`);
    const verifier = importJWK(publicJwk(jwk), jwk.alg);
    verifier.catch(() => {}); // a bad key surfaces when it is used
    byKid.set(jwk.kid, { kid: jwk.kid, alg: jwk.alg, key: verifier });
    if (jwk.d) {
      const signer = importJWK(jwk, jwk.alg);
      signer.catch(() => {});
      signers.set(jwk.kid, signer);
    }
  }
  const alg = settings.alg ?? "HS256";
  let signer: TokenSigner;
  if (alg === "HS256") signer = { kid: hmac.signer.kid, alg, key: Promise.resolve(hmac.signer.secret) };
  else {
    const first = jwks.find((jwk) => jwk.alg === alg && signers.has(jwk.kid));
    if (!first) throw new Error(`TESSERA_TOKEN_ALG=${alg} needs a private ${alg} key in TESSERA_SIGNING_KEYS`);
    signer = { kid: first.kid, alg, key: signers.get(first.kid)! };
  }
  const ring = { signer, byKid, publicKeys: jwks.map(publicJwk) };
  cache = { source, ring };
  return ring;
}
