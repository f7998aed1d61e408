import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { clientAddress } from "@/lib/auth/client-address.ts";
import { withoutCaller } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { credentialHolder, refreshMqttToken } from "@/lib/mqtt/credentials.ts";
import { refreshMqttTokenSchema } from "@/lib/schemas/mqtt.ts";

// POST /v2/tokens/refresh - the seed's refresh: {token_id, current_token_password}; the current
// password is the credential (no app token), and stops working the moment this succeeds.
// The audit log names the holder: "mqtt:<username>".
export const POST = withoutCaller(
  async ({ req, body }) => refreshMqttToken(body, credentialHolder(clientAddress(req, env().TESSERA_TRUST_PROXY))),
  { body: refreshMqttTokenSchema },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
