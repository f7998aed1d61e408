import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerStatus } from "@/lib/broker/status.ts";
import { env } from "@/lib/env.ts";

// GET /api/broker/status - the broker's $SYS snapshot and its age (every role; 404 without a broker, 503 before the first values)
export const GET = withAuth(async () => brokerStatus(env())!.snapshot());

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
