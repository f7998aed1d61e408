import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { deliveriesQuery, webhookIdParams } from "@/lib/schemas/webhooks.ts";
import { listDeliveries } from "@/lib/webhooks/endpoints.ts";

// GET /api/webhooks/{id}/deliveries?limit&cursor - the endpoint's delivery log, newest attempt first (admin)
export const GET = withAuth(async ({ params, query }) => listDeliveries(params.id, query), {
  params: webhookIdParams,
  query: deliveriesQuery,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
