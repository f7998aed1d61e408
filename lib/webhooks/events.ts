// The events a webhook endpoint can subscribe to (issue 19); edge-safe, for the schemas and the console too.

export const WEBHOOK_EVENTS = [
  "token.expiring",
  "token.expired",
  "token.revoked",
  "token.rotated",
  "mqtt_credentials.expired",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Sent by POST /api/webhooks/{id}/test to that endpoint alone, subscribed or not. */
export const TEST_EVENT = "webhook.test";

/** token.expiring's thresholds unless an endpoint names its own: 7 days and 1 day before (as GitLab mails). */
export const DEFAULT_EXPIRING_DAYS = [7, 1];
