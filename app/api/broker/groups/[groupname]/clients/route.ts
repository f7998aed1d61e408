import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { addGroupClient } from "@/lib/broker/groups.ts";
import { addGroupClientSchema, groupnameParams } from "@/lib/schemas/broker.ts";

// POST /api/broker/groups/{groupname}/clients {username, priority?} - add a client (not Tessera's); answers the group
export const POST = withAuth(async ({ params, body }) => addGroupClient(brokerContext(), params.groupname, body), {
  params: groupnameParams,
  body: addGroupClientSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
