import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { deleteRole, getRole, modifyRole } from "@/lib/broker/roles.ts";
import { modifyRoleSchema, rolenameParams } from "@/lib/schemas/broker.ts";

// GET /api/broker/roles/{rolename} - one role with its ACLs and managed_by
export const GET = withAuth(async ({ params }) => getRole(brokerContext(), params.rolename), {
  params: rolenameParams,
});

// PATCH /api/broker/roles/{rolename} - change what is sent (acls replace the list); not Tessera's roles
export const PATCH = withAuth(async ({ params, body }) => modifyRole(brokerContext(), params.rolename, body), {
  params: rolenameParams,
  body: modifyRoleSchema,
});

// DELETE /api/broker/roles/{rolename} - delete the role (its clients and groups lose its ACLs); not Tessera's roles
export const DELETE = withAuth(async ({ params }) => deleteRole(brokerContext(), params.rolename), {
  params: rolenameParams,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, OPTIONS } = otherMethods(["GET", "PATCH", "DELETE"]);
