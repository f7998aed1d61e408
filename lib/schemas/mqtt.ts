import { z } from "zod";
import { instant } from "./instant.ts";

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

/** POST /v2/tokens/create, as the seed's service takes it (secret_key: a Tessera app token allowed to mint); its own two fields first. */
export const v2CreateSchema = z.strictObject({
  organization_id: z.string({ error: "organization_id is required" }).min(1, "organization_id is required"),
  secret_key: z.string({ error: "secret_key is required" }).min(1, "secret_key is required"),
  ...createMqttTokenSchema.shape,
});

/** The answer of create and refresh (the seed's shape, provider "tessera"); responses are parsed through it. */
export const mqttTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number(),
  mqtt_credentials: z.object({ username: z.string(), password: z.string() }),
  token_id: z.string(),
  user_email: z.string(),
  provider: z.literal("tessera"),
  expires_at: instant,
  refresh_recommended_at: instant,
});
export type MqttTokenResponse = z.output<typeof mqttTokenResponse>;

/** One row of GET /api/mqtt/tokens: no secret. */
export const mqttTokenListItem = z.object({
  token_id: z.string(),
  user_email: z.string(),
  username: z.string(),
  requested_by: z.string(),
  created_at: instant,
  refreshed_at: instant.nullable(),
  expires_at: instant,
  status: z.enum(["active", "expired", "disabled"]),
});
export type MqttTokenListItem = z.output<typeof mqttTokenListItem>;
