import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { checkCronSecret } from "@/lib/auth/cron-secret.ts";
import { withoutCaller } from "@/lib/auth/with-auth.ts";
import { env } from "@/lib/env.ts";
import { dispatchOnce } from "@/lib/webhooks/dispatcher.ts";
import { cronSweep } from "@/lib/worker/cron-sweep.ts";

// GET /api/cron/sweep - Vercel Cron (vercel.json): one sweep and reconcile, unless a worker leads, and one pass of
// the webhook outbox (claims are per message, so it never sends what a worker is sending) (Bearer CRON_SECRET)
export const GET = withoutCaller(async ({ req }) => {
  const settings = env();
  checkCronSecret(req, settings.CRON_SECRET);
  const sweep = await cronSweep(settings);
  // The embedded database is the server process's: its own worker sends.
  const webhookAttempts = settings.engine === "pglite" ? 0 : await dispatchOnce(settings);
  return { ...sweep, webhookAttempts };
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
