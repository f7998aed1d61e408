import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { updateWebhookSchema, webhookIdParams } from "@/lib/schemas/webhooks.ts";
import { deleteWebhook, getWebhook, updateWebhook } from "@/lib/webhooks/endpoints.ts";

// GET /api/webhooks/{id} - one endpoint (admin)
export const GET = withAuth(async ({ params }) => getWebhook(params.id), { params: webhookIdParams });

// PATCH /api/webhooks/{id} {url?, description?, events?, expiringDays?, enabled?} - change it; enabled: true starts its failure record over
export const PATCH = withAuth(
  async ({ params, body, caller }) => updateWebhook(params.id, body, actorOf(caller), env()),
  { params: webhookIdParams, body: updateWebhookSchema },
);

// DELETE /api/webhooks/{id} - delete it with its stored messages and delivery log
export const DELETE = withAuth(async ({ params, caller }) => deleteWebhook(params.id, actorOf(caller)), {
  params: webhookIdParams,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, OPTIONS } = otherMethods(["GET", "PATCH", "DELETE"]);
