import { z } from "zod";
import { WEBHOOK_EVENTS } from "../webhooks/events.ts";
import { instant } from "./instant.ts";

// /api/webhooks: endpoints that receive Standard Webhooks (issue 19).

export const MAX_WEBHOOK_ENDPOINTS = 50;
export const MAX_DELIVERY_PAGE = 200;

/** Control, zero-width and bidirectional-override characters: refused, as in token names (a row must read as it is). */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const url = z
  .string({ error: "url must be a string" })
  .trim()
  .max(2000, "url must be at most 2000 characters")
  .refine((text) => !INVISIBLE.test(text), {
    message: "url must not contain control or invisible characters",
    abort: true,
  })
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: "url must be an absolute http or https URL",
    abort: true,
  })
  .refine((text) => {
    const parsed = new URL(text);
    return parsed.username === "" && parsed.password === "";
  }, "url must not hold a user name or password (the signature authenticates Tessera)");

const events = z
  .array(z.enum(WEBHOOK_EVENTS, { error: () => `events must each be one of ${WEBHOOK_EVENTS.join(", ")}` }), {
    error: "events must be an array of event types",
  })
  .min(1, "events must name at least one event type")
  .max(WEBHOOK_EVENTS.length)
  .transform((list) => [...new Set(list)]);

const expiringDays = z
  .array(
    z
      .number({ error: "expiringDays must be whole numbers of days from 1 to 365" })
      .int("expiringDays must be whole numbers of days from 1 to 365")
      .min(1, "expiringDays must be whole numbers of days from 1 to 365")
      .max(365, "expiringDays must be whole numbers of days from 1 to 365"),
    { error: "expiringDays must be an array of days" },
  )
  .min(1, "expiringDays must name at least one threshold")
  .max(5, "expiringDays may name at most 5 thresholds")
  .transform((list) => [...new Set(list)].sort((a, b) => b - a));

const description = z
  .string({ error: "description must be a string" })
  .trim()
  .max(200, "description must be at most 200 characters")
  .refine((text) => !INVISIBLE.test(text), "description must not contain control or invisible characters");

export const createWebhookSchema = z.strictObject({
  url,
  description: description.default(""),
  /** Default: every event. */
  events: events.default([...WEBHOOK_EVENTS]),
  /** token.expiring's thresholds in days before the expiry; default 7 and 1. */
  expiringDays: expiringDays.default([7, 1]),
});
export type CreateWebhook = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z
  .strictObject({
    url: url.optional(),
    description: description.optional(),
    events: events.optional(),
    expiringDays: expiringDays.optional(),
    /** true: enable again (clears the failure record); false: stop sending (messages wait). */
    enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    "Nothing to change: send url, description, events, expiringDays or enabled",
  );
export type UpdateWebhook = z.infer<typeof updateWebhookSchema>;

export const webhookIdParams = z.object({
  id: z
    .string()
    .regex(/^ep_[0-9a-f]{32}$/, "Malformed webhook endpoint id: expected ep_ and 32 hexadecimal characters"),
});

export const webhookResponse = z.strictObject({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  expiringDays: z.array(z.number().int()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  failingSince: instant.nullable(),
  createdAt: instant,
  createdBy: z.string(),
  pending: z.number().int().describe("Messages stored and not yet delivered (or given up)"),
});
export type WebhookResponse = z.output<typeof webhookResponse>;

export const createdWebhookResponse = webhookResponse.extend({
  secret: z.string().describe("The whsec_ signing secret: shown in this answer only"),
});
export type CreatedWebhookResponse = z.output<typeof createdWebhookResponse>;

export const deliveriesQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `limit must be an integer from 1 to ${MAX_DELIVERY_PAGE}`)
    .transform(Number)
    .refine(
      (value) => value >= 1 && value <= MAX_DELIVERY_PAGE,
      `limit must be an integer from 1 to ${MAX_DELIVERY_PAGE}`,
    )
    .optional(),
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, "cursor must be the nextCursor of an earlier answer")
    .optional(),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

export const deliveryResponse = z.strictObject({
  id: z.string(),
  messageId: z.string().describe("The webhook-id header: the same on every attempt of one message"),
  type: z.string(),
  attempt: z.number().int(),
  at: instant,
  statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when none came"),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  messageStatus: z.enum(["pending", "delivered", "failed"]),
});

export const deliveriesPageResponse = z.strictObject({
  deliveries: z.array(deliveryResponse),
  nextCursor: z.string().nullable(),
});
export type DeliveryResponse = z.output<typeof deliveryResponse>;
export type DeliveriesPageResponse = z.output<typeof deliveriesPageResponse>;
