import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { getTokenOrThrow } from "@/lib/tokens/get-token-or-throw.ts";
import { tokenListResponse } from "@/lib/tokens/list-tokens.ts";
import { revokeToken } from "@/lib/tokens/revoke-token.ts";

// GET /api/tokens/{hash} - one token (admin)
export const GET = withAuth(async ({ params }) => getTokenOrThrow(params.hash!), {});

// DELETE /api/tokens/{hash} - delete and revoke; answers the remaining tokens (admin)
export const DELETE = withAuth(async ({ params, caller }) => {
  await revokeToken(params.hash!, actorOf(caller));
  return tokenListResponse();
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, OPTIONS } = otherMethods(["GET", "DELETE"]);
