import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { checkCronSecret } from "@/lib/auth/cron-secret.ts";
import { withoutCaller } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { cronSweep } from "@/lib/worker/cron-sweep.ts";

// GET /api/cron/sweep - Vercel Cron (vercel.json): one sweep and reconcile, unless a worker leads (Bearer CRON_SECRET)
export const GET = withoutCaller(async ({ req }) => {
  checkCronSecret(req, env().CRON_SECRET);
  return cronSweep(env());
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
