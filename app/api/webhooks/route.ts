import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { createWebhookSchema } from "@/lib/schemas/webhooks.ts";
import { createWebhook, listWebhooks } from "@/lib/webhooks/endpoints.ts";

// GET /api/webhooks - the webhook endpoints (admin)
export const GET = withAuth(async () => listWebhooks());

// POST /api/webhooks {url, description?, events?, expiringDays?} - register an endpoint; its whsec_ secret is in this answer only
export const POST = withAuth(async ({ caller, body }) => createWebhook(actorOf(caller), body, env()), {
  body: createWebhookSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
