// The audit log's actions (issue 19); edge-safe, for the schemas and the console too.

/** Every action the log records. */
export const AUDIT_ACTIONS = [
  "token.created",
  "token.rotated",
  "token.disabled",
  "token.enabled",
  "token.revoked",
  "token.family_revoked",
  "token.refused",
  "mqtt_credentials.created",
  "mqtt_credentials.refreshed",
  "mqtt_credentials.replaced",
  "mqtt_credentials.expired",
  "mqtt_credentials.revoked",
  "mqtt_credentials.undone",
  "device.added",
  "device.removed",
  "device.undone",
  "device_token.issued",
  "sign_in.succeeded",
  "sign_in.failed",
  "sign_out",
  "webhook.created",
  "webhook.updated",
  "webhook.deleted",
  "webhook.disabled",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
