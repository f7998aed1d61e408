import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { setTokenDisabled } from "@/lib/tokens/lifecycle.ts";

// POST /api/tokens/{hash}/enable - accepted again after a disable (admin)
export const POST = withAuth(async ({ params, caller }) => setTokenDisabled(params.hash!, false, actorOf(caller)));

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
