import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { createMqttToken, listMqttTokens } from "@/lib/mqtt/credentials.ts";
import { createMqttTokenSchema } from "@/lib/schemas/mqtt.ts";

// GET /api/mqtt/tokens - the MQTT credentials Tessera manages, no secrets (admin, connectionManager)
export const GET = withAuth(async () => listMqttTokens());

// POST /api/mqtt/tokens - mint credentials for an end user; the password is in this answer only
export const POST = withAuth(async ({ caller, body }) => createMqttToken(actorOf(caller), body), {
  body: createMqttTokenSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
