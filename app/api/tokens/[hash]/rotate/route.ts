import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { rotateTokenSchema } from "@/lib/schemas/token.ts";
import { rotateToken } from "@/lib/tokens/lifecycle.ts";

// POST /api/tokens/{hash}/rotate - a new token with the same name and role; the old one works until
// grace_seconds (default 86400, 0 = at once) have passed; rotating a token already rotated revokes its family (admin)
export const POST = withAuth(async ({ params, body, caller }) => rotateToken(params.hash!, body, actorOf(caller)), {
  body: rotateTokenSchema,
  optionalBody: true,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
