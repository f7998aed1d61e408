// Signing keys for application tokens, from TESSERA_TOKEN_KEYS ("kid:secret,
// kid:secret", newest first). Edge-safe. The newest key signs; every listed
// key verifies, so rotation is: prepend a new key, restart, and drop the old
// one once the tokens it signed have expired or been replaced.

export interface SigningKey {
  kid: string;
  secret: Uint8Array;
  /** The secret imported once as an HMAC key: importing it on every verification cost more than the verification. */
  verifier: Promise<CryptoKey>;
}

export interface KeyRing {
  signer: SigningKey;
  byKid: Map<string, SigningKey>;
}

let cache: { source: string; ring: KeyRing } | undefined;

export function keyRing(source: string | undefined): KeyRing {
  if (!source) throw new Error("TESSERA_TOKEN_KEYS is not set");
  if (cache?.source === source) return cache.ring;
  const keys = source.split(",").map((pair) => {
    const trimmed = pair.trim();
    const colon = trimmed.indexOf(":");
    const secret = new TextEncoder().encode(trimmed.slice(colon + 1));
    const verifier = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    verifier.catch(() => {}); // a bad key surfaces when it is used, not as an unhandled rejection
    return { kid: trimmed.slice(0, colon), secret, verifier };
  });
  const ring = { signer: keys[0]!, byKid: new Map(keys.map((key) => [key.kid, key])) };
  cache = { source, ring };
  return ring;
}
