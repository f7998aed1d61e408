import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { deleteGroup, getGroup, modifyGroup } from "@/lib/broker/groups.ts";
import { groupnameParams, modifyGroupSchema } from "@/lib/schemas/broker.ts";

// GET /api/broker/groups/{groupname} - one group with its roles and clients
export const GET = withAuth(async ({ params }) => getGroup(brokerContext(), params.groupname), {
  params: groupnameParams,
});

// PATCH /api/broker/groups/{groupname} - change what is sent (roles replace the list; none of Tessera's)
export const PATCH = withAuth(async ({ params, body }) => modifyGroup(brokerContext(), params.groupname, body), {
  params: groupnameParams,
  body: modifyGroupSchema,
});

// DELETE /api/broker/groups/{groupname} - delete the group (its clients lose its roles)
export const DELETE = withAuth(async ({ params }) => deleteGroup(brokerContext(), params.groupname), {
  params: groupnameParams,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, OPTIONS } = otherMethods(["GET", "PATCH", "DELETE"]);
