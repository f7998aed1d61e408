import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { setClientEnabled } from "@/lib/broker/clients.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { usernameParams } from "@/lib/schemas/broker.ts";

// POST /api/broker/clients/{username}/disable - disable the client: its open connections are dropped and it may not connect; not Tessera's clients
export const POST = withAuth(async ({ params }) => setClientEnabled(brokerContext(), params.username, false), {
  params: usernameParams,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
