import "server-only";
import { env } from "../env.ts";
import { tokenKeyRing } from "./signing-keys.ts";

/**
 * How long a client may keep the key set (Cache-Control max-age, seconds). A new key must be published this long
 * before it signs (README, "Rotating the signing key"): a verifier that fetched the set just before still knows
 * it when the first token it signs arrives. jose's createRemoteJWKSet also refetches on an unknown kid.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** GET /.well-known/jwks.json: the public halves of TESSERA_SIGNING_KEYS, newest first. */
export function jwksResponse(): Response {
  const settings = env();
  const keys = settings.TESSERA_SIGNING_KEYS
    ? tokenKeyRing({
        keys: settings.TESSERA_TOKEN_KEYS,
        signingKeys: settings.TESSERA_SIGNING_KEYS,
        alg: settings.TESSERA_TOKEN_ALG,
      }).publicKeys
    : [];
  return new Response(JSON.stringify({ keys }), {
    headers: {
      "Content-Type": "application/jwk-set+json",
      "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      "Access-Control-Allow-Origin": "*",
    },
  });
}
