import { ApiError } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { createMqttToken } from "@/lib/mqtt/credentials.ts";
import { v2CreateSchema } from "@/lib/schemas/mqtt.ts";

// POST /v2/tokens/create - the seed's create: {organization_id, secret_key, user_email};
// secret_key is a Tessera app token whose role may mint MQTT credentials.
export const POST = withAuth(
  async ({ caller, body }) => {
    if (body.organization_id !== env().TESSERA_MQTT_ORGANIZATION_ID)
      throw new ApiError("forbidden", "organization_id does not match this Tessera");
    const { user_email, ttl_seconds, replace_existing } = body;
    return createMqttToken(actorOf(caller), { user_email, ttl_seconds, replace_existing });
  },
  {
    body: v2CreateSchema,
    bodyToken: (body) => body.secret_key,
  },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
