import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { removeGroupRole } from "@/lib/broker/groups.ts";
import { groupRoleParams } from "@/lib/schemas/broker.ts";

// DELETE /api/broker/groups/{groupname}/roles/{rolename} - remove the role from the group; answers the group
export const DELETE = withAuth(
  async ({ params }) => removeGroupRole(brokerContext(), params.groupname, params.rolename),
  { params: groupRoleParams },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
