import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { webhookIdParams } from "@/lib/schemas/webhooks.ts";
import { sendTestEvent } from "@/lib/webhooks/endpoints.ts";

// POST /api/webhooks/{id}/test - send this endpoint a webhook.test message (signed, retried and logged like any other)
export const POST = withAuth(async ({ params }) => sendTestEvent(params.id), { params: webhookIdParams });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
