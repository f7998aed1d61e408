import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { refreshMqttToken } from "@/lib/mqtt/credentials.ts";
import { refreshMqttTokenSchema } from "@/lib/schemas/mqtt.ts";

// POST /api/mqtt/tokens/refresh - a new password for {token_id, current_token_password}; the old one stops working at once
export const POST = withAuth(async ({ caller, body }) => refreshMqttToken(body, actorOf(caller)), {
  body: refreshMqttTokenSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
