import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { addGroupRole } from "@/lib/broker/groups.ts";
import { addGroupRoleSchema, groupnameParams } from "@/lib/schemas/broker.ts";

// POST /api/broker/groups/{groupname}/roles {rolename, priority?} - add a role (not Tessera's); answers the group
export const POST = withAuth(async ({ params, body }) => addGroupRole(brokerContext(), params.groupname, body), {
  params: groupnameParams,
  body: addGroupRoleSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
