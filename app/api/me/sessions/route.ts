import { ApiError } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { endAllSessions } from "@/lib/users/sessions.ts";

// DELETE /api/me/sessions - sign out everywhere: ends every session of the signed-in user, this one included
export const DELETE = withAuth(async ({ caller }) => {
  if (caller.kind !== "session")
    throw new ApiError("bad_request", "Only a signed-in console session has sessions to end");
  return { ended: await endAllSessions(caller.userId) };
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
