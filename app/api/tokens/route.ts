import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { createTokenSchema } from "@/lib/schemas/token.ts";
import { createToken } from "@/lib/tokens/create-token.ts";
import { pageRequest, tokenListResponse, tokenPageResponse } from "@/lib/tokens/list-tokens.ts";

// GET /api/tokens - every application token, oldest first (admin);
// ?limit=N (1-1000) and ?cursor=<X-Next-Cursor> page through the same list.
export const GET = withAuth(async ({ req }) => {
  const page = pageRequest(req.nextUrl);
  return page ? tokenPageResponse(req.nextUrl, page) : tokenListResponse();
});

// POST /api/tokens - create a token; the token string is in this answer only (admin)
export const POST = withAuth(async ({ caller, body }) => createToken(actorOf(caller), body), {
  body: createTokenSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
