import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { addRoleAcl, removeRoleAcl } from "@/lib/broker/roles.ts";
import { addAclSchema, removeAclQuery, rolenameParams } from "@/lib/schemas/broker.ts";

// POST /api/broker/roles/{rolename}/acls - add one ACL {acltype, topic, priority, allow}; answers the role
export const POST = withAuth(async ({ params, body }) => addRoleAcl(brokerContext(), params.rolename, body), {
  params: rolenameParams,
  body: addAclSchema,
});

// DELETE /api/broker/roles/{rolename}/acls?acltype=&topic= - remove that ACL; answers the role
export const DELETE = withAuth(async ({ params, query }) => removeRoleAcl(brokerContext(), params.rolename, query), {
  params: rolenameParams,
  query: removeAclQuery,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, OPTIONS } = otherMethods(["POST", "DELETE"]);
