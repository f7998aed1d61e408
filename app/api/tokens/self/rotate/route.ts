import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { ApiError } from "@/lib/api/errors.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { rotateTokenSchema } from "@/lib/schemas/token.ts";
import { DEVICE_TOKEN_ROTATION, rotateToken } from "@/lib/tokens/lifecycle.ts";

// POST /api/tokens/self/rotate - the calling application token replaces itself (any role): the same validUntil,
// a grace of at most a day; a token already rotated that calls it again revokes its whole family
export const POST = withAuth(
  async ({ body, caller }) => {
    if (caller.kind !== "token")
      throw new ApiError("bad_request", "Only an application token rotates itself: send it as the credential");
    if (caller.deviceId) throw new ApiError("bad_request", DEVICE_TOKEN_ROTATION);
    return rotateToken(caller.hash, body, actorOf(caller), { self: true });
  },
  { body: rotateTokenSchema, optionalBody: true },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
