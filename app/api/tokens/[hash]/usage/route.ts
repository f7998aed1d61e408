import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { usageQuery } from "@/lib/schemas/usage.ts";
import { tokenUsage } from "@/lib/usage/read-usage.ts";

// GET /api/tokens/{hash}/usage - requests and refused attempts per hour, ?from&to (default the last 7 days), and the
// last 5 addresses (admin)
export const GET = withAuth(async ({ params, query }) => tokenUsage(params.hash!, query), { query: usageQuery });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
