import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withoutCaller } from "@/lib/auth/with-auth.ts";
import { jwksResponse } from "@/lib/tokens/jwks.ts";

// GET /.well-known/jwks.json (rewritten here, next.config.mjs) - the public keys that verify Tessera's EdDSA and
// ES256 tokens, by kid; HS256 secrets are never in it (public, cacheable)
export const GET = withoutCaller(async () => jwksResponse());

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
