import { z } from "zod";

// MQTT credentials: the one schema for the API, the /v2 compatibility
// endpoints and the console.

export const userEmail = z
  .string({ error: (issue) => (issue.input === undefined ? "user_email is required" : "user_email must be a string") })
  .trim()
  .max(320, "user_email must be at most 320 characters")
  .pipe(z.email({ error: "user_email must be an email address" }))
  .transform((value) => value.toLowerCase());

const ttlSeconds = z
  .number({ error: "ttl_seconds must be a number of seconds" })
  .int({ error: "ttl_seconds must be a whole number of seconds" })
  .min(10, { error: "ttl_seconds must be at least 10" });

export const createMqttTokenSchema = z.strictObject({
  user_email: userEmail,
  ttl_seconds: ttlSeconds.optional(),
  replace_existing: z.boolean({ error: "replace_existing must be true or false" }).optional(),
});
export type CreateMqttTokenInput = z.infer<typeof createMqttTokenSchema>;

const tokenId = z.uuid({ error: "token_id must be the token_id of a create answer" });
const currentPassword = z
  .string({
    error: (issue) =>
      issue.input === undefined ? "current_token_password is required" : "current_token_password must be a string",
  })
  .min(1, "current_token_password is required")
  .max(200, "current_token_password is not a Tessera MQTT password");

export const refreshMqttTokenSchema = z.strictObject({ token_id: tokenId, current_token_password: currentPassword });
export type RefreshMqttTokenInput = z.infer<typeof refreshMqttTokenSchema>;

/** POST /v2/tokens/create, as the seed's service takes it (secret_key: a Tessera app token allowed to mint). */
export const v2CreateSchema = z.strictObject({
  organization_id: z.string({ error: "organization_id is required" }).min(1, "organization_id is required"),
  secret_key: z.string({ error: "secret_key is required" }).min(1, "secret_key is required"),
  user_email: userEmail,
  ttl_seconds: ttlSeconds.optional(),
  replace_existing: z.boolean({ error: "replace_existing must be true or false" }).optional(),
});

/** The answer of create and refresh (the seed's shape, provider "tessera"). */
export interface MqttTokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  mqtt_credentials: { username: string; password: string };
  token_id: string;
  user_email: string;
  provider: "tessera";
  expires_at: string;
  refresh_recommended_at: string;
}

/** One row of GET /api/mqtt/tokens: no secret. */
export interface MqttTokenListItem {
  token_id: string;
  user_email: string;
  username: string;
  requested_by: string;
  created_at: string;
  refreshed_at: string | null;
  expires_at: string;
  status: "active" | "expired" | "disabled";
}
