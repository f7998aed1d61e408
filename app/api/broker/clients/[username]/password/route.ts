import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { setClientPassword } from "@/lib/broker/clients.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { setPasswordSchema, usernameParams } from "@/lib/schemas/broker.ts";

// PUT /api/broker/clients/{username}/password - set the password; without one, one is generated and shown in this answer only
export const PUT = withAuth(async ({ params, body }) => setClientPassword(brokerContext(), params.username, body), {
  params: usernameParams,
  body: setPasswordSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PATCH, DELETE, OPTIONS } = otherMethods(["PUT"]);
