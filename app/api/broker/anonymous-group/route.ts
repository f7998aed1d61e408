import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { getAnonymousGroup, setAnonymousGroup } from "@/lib/broker/defaults.ts";
import { anonymousGroupSchema } from "@/lib/schemas/broker.ts";

// GET /api/broker/anonymous-group - the group anonymous clients get ({groupname}, null for none)
export const GET = withAuth(async () => getAnonymousGroup(brokerContext()));

// PUT /api/broker/anonymous-group {groupname} - make that (existing) group the anonymous group
export const PUT = withAuth(async ({ body }) => setAnonymousGroup(brokerContext(), body.groupname), {
  body: anonymousGroupSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "PUT"]);
