import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { usageSummaryQuery } from "@/lib/schemas/usage.ts";
import { usageSummary } from "@/lib/usage/read-usage.ts";

// GET /api/tokens/usage - every token's requests and refusals per day for the last ?days (1-31, default 7) (admin)
export const GET = withAuth(async ({ query }) => usageSummary(query.days ?? 7), { query: usageSummaryQuery });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
