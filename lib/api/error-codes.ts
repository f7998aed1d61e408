// The only map from error code to HTTP status.
export const ERROR_STATUS = {
  bad_request: 400,
  unauthenticated: 401,
  invalid_token: 403,
  forbidden: 403,
  not_found: 404,
  not_acceptable: 406,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Bodies fixed by the seed contract (text/plain). */
export const MESSAGES = {
  invalidToken: "Token not found or was revoked",
  forbidden: "Forbidden",
  pluginDisabled: "Plugin is not enabled",
  brokerNotConfigured:
    "No broker is configured on this server: set TESSERA_MQTT_URL, TESSERA_MQTT_ADMIN_USERNAME and " +
    "TESSERA_MQTT_ADMIN_PASSWORD (README, Broker API)",
  unauthenticated: "Not authenticated: send Authorization: Bearer <token> or sign in",
  crossOrigin: "Forbidden: cross-origin request refused",
  internal: "Internal server error",
  unavailable: "Service unavailable: the database is not answering; try again shortly",
} as const;
