import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { removeGroupClient } from "@/lib/broker/groups.ts";
import { groupClientParams } from "@/lib/schemas/broker.ts";

// DELETE /api/broker/groups/{groupname}/clients/{username} - remove the client from the group; answers the group
export const DELETE = withAuth(
  async ({ params }) => removeGroupClient(brokerContext(), params.groupname, params.username),
  { params: groupClientParams },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
