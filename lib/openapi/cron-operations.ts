import { z } from "zod";
import { CRON_OFF } from "../auth/cron-secret.ts";
import { BROKER_UNAVAILABLE } from "../mqtt/broker-messages.ts";
import type { Route } from "./operations.ts";

// The cron route (app/api/cron/sweep) for the OpenAPI document: called by
// Vercel Cron (vercel.json) with Bearer CRON_SECRET, not by API clients.

const count = z.number().int().nonnegative();

const webhookAttempts = count.describe("Webhook deliveries attempted by this call (lib/webhooks/dispatcher.ts)");

export const cronSweepAnswer = z.union([
  z.object({
    ran: z.literal(true),
    deleted: count.describe("Credentials deleted (expired longer than TESSERA_MQTT_DELETE_AFTER_SECONDS ago)"),
    disabled: count.describe("Credentials newly disabled (expired)"),
    reconcile: z.object({ created: count, fixed: count, removed: count }).describe("Broker clients changed"),
    webhookAttempts,
  }),
  z.object({
    ran: z.literal(false),
    reason: z
      .enum(["mqtt-disabled", "another-leader", "embedded"])
      .describe(
        "mqtt-disabled: no broker configured, nothing to sweep; another-leader: a worker (or another cron call) leads and does this work; embedded: the server's own worker does",
      ),
    webhookAttempts,
  }),
]);

export const CRON_OPERATIONS: Record<string, Route> = {
  "/api/cron/sweep": {
    tag: "server",
    operations: {
      get: {
        caller: "cron-secret",
        summary:
          "Vercel Cron: run the worker's sweep and reconcile once, unless a worker leads the cluster; and send due webhooks",
        description:
          "The fallback where no `tessera worker` runs: it takes the leader lock for the run, so it never runs beside a worker that leads nor beside another call.",
        ok: { json: cronSweepAnswer, description: "What was done" },
        errors: { 401: "Authorization is not Bearer <CRON_SECRET>", 404: CRON_OFF, 503: BROKER_UNAVAILABLE },
      },
    },
  },
};
