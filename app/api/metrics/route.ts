import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { metrics } from "@/lib/metrics.ts";

// GET /api/metrics - this server process's counters and memory (admin, monitoringViewer)
export const GET = withAuth(async () => ({
  ...metrics,
  rssBytes: process.memoryUsage().rss,
  heapUsedBytes: process.memoryUsage().heapUsed,
  uptimeSeconds: Math.round(process.uptime()),
}));

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
