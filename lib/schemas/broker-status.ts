import { z } from "zod";

// GET /api/broker/status: the broker's $SYS tree as one snapshot (lib/broker/status.ts). Every figure is what
// Mosquitto last published, parsed strictly: a value the broker sent that is not a number, or a topic it has not
// published (yet), is null, never NaN or a guess.

const count = z.number().int().nonnegative().nullable();
const rate = z.number().nonnegative().nullable();

/** Mosquitto's load averages: exponentially weighted moving averages over 1, 5 and 15 minutes, each per minute. */
const averages = z
  .object({ "1min": rate, "5min": rate, "15min": rate })
  .describe("Per minute, as Mosquitto publishes them under $SYS/broker/load/…/1min|5min|15min");

const direction = z.object({ received: averages, sent: averages });

export const brokerStatusResponse = z
  .object({
    connected: z
      .boolean()
      .describe(
        "Whether Tessera's $SYS subscription is live now; false: the figures are the last ones before it broke",
      ),
    received_at: z.iso.datetime().describe("When the newest $SYS value arrived (ISO-8601, UTC)"),
    age_seconds: z
      .number()
      .nonnegative()
      .describe("How old the newest $SYS value is, in seconds: up to sys_interval while connected, growing while not"),
    version: z.string().nullable().describe("$SYS/broker/version as published, e.g. mosquitto version 2.0.11"),
    uptime_seconds: count.describe("$SYS/broker/uptime"),
    clients: z.object({
      connected: count,
      disconnected: count.describe("Persistent sessions of clients not connected now"),
      total: count,
      maximum: count.describe("The most clients connected at once since the broker started"),
      expired: count,
    }),
    subscriptions: count.describe("$SYS/broker/subscriptions/count"),
    retained: count.describe("$SYS/broker/retained messages/count"),
    messages: z
      .object({ received: count, sent: count, stored: count })
      .describe("Messages of any type since the broker started ($SYS/broker/messages/…); stored: held now"),
    bytes: z.object({ received: count, sent: count }).describe("Bytes since the broker started ($SYS/broker/bytes/…)"),
    per_second: z
      .object({
        messages_received: rate,
        messages_sent: rate,
        bytes_received: rate,
        bytes_sent: rate,
      })
      .describe(
        "Derived, not published: Mosquitto's 1min load averages (which are per minute) divided by 60, rounded to 3 decimals",
      ),
    load: z
      .object({
        messages: direction,
        bytes: direction,
        publish: z.object({ received: averages, sent: averages, dropped: averages }),
        connections: averages,
        sockets: averages,
      })
      .describe("$SYS/broker/load/…: Mosquitto's load averages as it publishes them, per minute"),
    heap: z
      .object({ current: count, maximum: count })
      .describe("$SYS/broker/heap/…: bytes; null when the broker does not publish them"),
  })
  .describe(
    "The broker's $SYS tree, as last published (Mosquitto publishes it every sys_interval seconds, default 10)",
  );
export type BrokerStatusResponse = z.output<typeof brokerStatusResponse>;
