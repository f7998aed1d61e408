import { EnvError } from "../../lib/env.ts";
import { newSigningKey } from "../../lib/embedded/secrets.ts";
import { publicJwk } from "../../lib/tokens/signing-keys.ts";

export const KEYS_USAGE = `  keys generate EdDSA|ES256
             print a new private signing key as TESSERA_SIGNING_KEYS JSON (stdout) and its public JWK (stderr);
             put it first in TESSERA_SIGNING_KEYS to sign with it (README, Rotating the signing key)`;

/**
 * tessera keys generate ALG: a new Ed25519 (EdDSA) or P-256 (ES256) private JWK with a fresh kid, as the one-element
 * JSON array TESSERA_SIGNING_KEYS takes. It touches no database and no data dir: the embedded mode makes its own key
 * on start; this is for a deployment that sets TESSERA_SIGNING_KEYS in its environment.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [action, alg, ...rest] = args;
  if (action !== "generate" || (alg !== "EdDSA" && alg !== "ES256") || rest.length > 0)
    throw new EnvError(`usage: tessera keys generate EdDSA|ES256 (got: ${args.join(" ") || "nothing"})`);
  const key = newSigningKey(alg);
  console.log(JSON.stringify([key]));
  console.error(`public key (what /.well-known/jwks.json will show): ${JSON.stringify(publicJwk(key))}`);
  return 0;
}
