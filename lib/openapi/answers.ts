import { z } from "zod";
import { tokenResponse, tokenRole } from "../schemas/token.ts";

// The answers whose handlers build them inline, without a schema of their own
// in lib/schemas (me, health, metrics, the small DELETE answers): written
// here for the OpenAPI document exactly as app/api/** builds them, and
// checked against the real answers by tests/openapi.test.ts.

export const meAnswer = z.union([
  z.object({
    kind: z.literal("token"),
    role: tokenRole,
    name: z.string().describe("The token's name"),
    hash: z.string(),
    validUntil: z.iso.datetime(),
    device: z.string().optional().describe("Set for a device token: the registered device it was issued to"),
  }),
  z.object({
    kind: z.literal("session"),
    role: tokenRole,
    name: z.string().describe("The username"),
    userId: z.string(),
  }),
]);

const reconcile = z.object({
  state: z.enum(["ok", "failing", "pending"]),
  last_success_at: z.iso.datetime().nullable(),
  leader: z.string().nullable().describe("The instance that runs the reconcile, if known"),
});

export const healthAnswer = z.object({
  status: z
    .enum(["ok", "degraded", "unavailable"])
    .describe("unavailable: the database does not answer (then 503); degraded: an MQTT part is not ok"),
  database: z.enum(["ok", "unavailable"]),
  mqtt: z.union([
    z.literal("disabled").describe("No broker configured (TESSERA_MQTT_URL unset)"),
    z.object({
      broker: z.enum(["ok", "unavailable"]),
      responder: z.enum(["starting", "ok", "reconnecting", "stopped", "off"]),
      reconcile,
    }),
  ]),
});

const counter = z.number().int().nonnegative();
export const metricsAnswer = z
  .object({
    dbQueries: counter,
    lastUsedUpdates: counter.describe("lastUsed UPDATE statements sent"),
    lastUsedWrites: counter.describe(
      "lastUsed UPDATEs that changed the row (at most one per token per interval in the cluster)",
    ),
    authFailures: counter,
    rssBytes: counter,
    heapUsedBytes: counter,
    uptimeSeconds: counter,
  })
  .describe("This server process's counters (reset on restart) and memory");

export const createdTokenAnswer = tokenResponse.extend({
  token: z.string().describe("The token itself: in this answer only"),
});
export const tokenListAnswer = z.array(tokenResponse).describe("Every application token, oldest first");

export const sessionsEnded = z.object({ ended: counter.describe("How many sessions were ended, this one included") });
export const deviceRemoved = z.object({ id: z.string(), removed: z.literal(true) });
export const mqttTokenRevoked = z.object({ token_id: z.string(), revoked: z.literal(true) });
