import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withoutCaller } from "@/lib/auth/with-auth.ts";
import { refreshMqttToken } from "@/lib/mqtt/credentials.ts";
import { refreshMqttTokenSchema } from "@/lib/schemas/mqtt.ts";

// POST /v2/tokens/refresh - the seed's refresh: {token_id, current_token_password}; the current
// password is the credential (no app token), and stops working the moment this succeeds.
export const POST = withoutCaller(async ({ body }) => refreshMqttToken(body), { body: refreshMqttTokenSchema });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
