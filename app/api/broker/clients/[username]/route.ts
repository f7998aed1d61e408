import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { deleteClient, getClient, modifyClient } from "@/lib/broker/clients.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { modifyClientSchema, usernameParams } from "@/lib/schemas/broker.ts";

// GET /api/broker/clients/{username} - one client, with managed_by
export const GET = withAuth(async ({ params }) => getClient(brokerContext(), params.username), {
  params: usernameParams,
});

// PATCH /api/broker/clients/{username} - change what is sent (roles and groups replace the lists); not Tessera's clients
export const PATCH = withAuth(async ({ params, body }) => modifyClient(brokerContext(), params.username, body), {
  params: usernameParams,
  body: modifyClientSchema,
});

// DELETE /api/broker/clients/{username} - delete the client (its connections are dropped); not Tessera's clients
export const DELETE = withAuth(async ({ params }) => deleteClient(brokerContext(), params.username), {
  params: usernameParams,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, OPTIONS } = otherMethods(["GET", "PATCH", "DELETE"]);
