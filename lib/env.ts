import { z } from "zod";
import { isRole, ROLES } from "./auth/permissions.ts";
import { parseSigningKeys, TOKEN_ALGS } from "./tokens/signing-keys.ts";

// Edge-safe: middleware.ts reads its settings through this module too, so it
// imports nothing from Node.js. Secrets live in process.env only, never in a
// client bundle (Next.js inlines only NEXT_PUBLIC_ variables).

/** A signing key list: `kid:secret` pairs, comma-separated, newest (the signer) first. */
const tokenKeys = z
  .string()
  .trim()
  .refine(
    (value) => value.split(",").every((pair) => /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_\-+/=]{32,}$/.test(pair.trim())),
    "must be comma-separated kid:secret pairs, each kid 1-64 of [A-Za-z0-9._-] and each secret at least 32 characters",
  );

const booleanFlag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  TESSERA_DATA_DIR: z.string().trim().min(1).default("./data"),
  TESSERA_TOKEN_KEYS: tokenKeys.optional(),
  /** What signs new application tokens: HS256 with TESSERA_TOKEN_KEYS, or EdDSA/ES256 with TESSERA_SIGNING_KEYS. */
  TESSERA_TOKEN_ALG: z.enum(TOKEN_ALGS, { error: `must be one of ${TOKEN_ALGS.join(", ")}` }).default("HS256"),
  /** Ed25519/P-256 JWKs, newest first (lib/tokens/signing-keys.ts); embedded mode generates one when needed. */
  TESSERA_SIGNING_KEYS: z
    .string()
    .trim()
    .superRefine((value, context) => {
      try {
        parseSigningKeys(value);
      } catch (error) {
        context.addIssue({ code: "custom", message: (error as Error).message });
      }
    })
    .optional(),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  TESSERA_MIGRATE_ON_START: booleanFlag.default(true),
  TESSERA_DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The `iss` claim of application tokens. */
  TESSERA_ISSUER: z.string().trim().min(1).max(200).default("tessera"),
  /** Where clients reach this Tessera (the `iss` of device tokens); defaults to NEXTAUTH_URL. */
  TESSERA_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** false: /api/tokens* answer 404 "Plugin is not enabled" and app tokens are not accepted. */
  TESSERA_APP_TOKENS_ENABLED: booleanFlag.default(true),
  /** Longest validity a new application token may have. */
  TESSERA_TOKEN_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** lastUsed is written at most once per this many seconds per token. */
  TESSERA_LAST_USED_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Requests with a bad token allowed per client address per minute before 429. */
  TESSERA_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** true behind a reverse proxy: take the client address from X-Forwarded-For. */
  /** Unset: false, except on Vercel (VERCEL=1), where the platform's proxy is the only one that knows the client. */
  TESSERA_TRUST_PROXY: booleanFlag.optional(),

  /** The public URL of the console (next-auth's callback base). `tessera start` defaults it to http://localhost:PORT. */
  NEXTAUTH_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** Hours a console session lasts. */
  TESSERA_SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(8),
  /** Local accounts with passwords. May be false only when SSO is configured. */
  TESSERA_LOCAL_LOGIN: booleanFlag.default(true),
  /** Password of the first local admin, created on first start; generated and printed once when unset. */
  TESSERA_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  TESSERA_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  TESSERA_OIDC_CLIENT_ID: z.string().min(1).optional(),
  TESSERA_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Shown as "Sign in with <name>". */
  TESSERA_OIDC_NAME: z.string().trim().min(1).max(60).default("SSO"),
  /** The ID token / userinfo claim holding the user's groups or roles (a string or an array of strings). */
  TESSERA_OIDC_ROLE_CLAIM: z.string().trim().min(1).default("groups"),
  /** Claim value to Tessera role: "group=role,group=role". The highest role any value maps to wins. */
  TESSERA_OIDC_ROLE_MAP: z
    .string()
    .trim()
    .refine(
      (value) =>
        value.split(",").every((pair) => {
          const match = /^([^=]+)=(.*)$/.exec(pair.trim());
          return match !== null && isRole(match[2]);
        }),
      `must be comma-separated value=role pairs with roles ${ROLES.slice(0, -1).join(", ")} or ${ROLES.at(-1)}`,
    )
    .optional(),
  /** The role of SSO users no mapping applies to; "none" refuses them. */
  TESSERA_OIDC_DEFAULT_ROLE: z.enum([...ROLES, "none"]).default("viewer"),
  /** SSO users with these (verified) emails are admins. Comma-separated. */
  TESSERA_ADMIN_EMAILS: z.string().trim().optional(),

  /** The Mosquitto broker whose dynamic security plugin Tessera manages (MQTT credentials). Unset: the MQTT features answer 404. */
  TESSERA_MQTT_URL: z
    .url({ protocol: /^(mqtts?|wss?|tcp|tls)$/, error: "must be an mqtt://, mqtts://, ws:// or wss:// URL" })
    .optional(),
  /** A broker client allowed to use $CONTROL/dynamic-security/v1 (mosquitto_ctrl dynsec init creates one). */
  TESSERA_MQTT_ADMIN_USERNAME: z.string().min(1).optional(),
  TESSERA_MQTT_ADMIN_PASSWORD: z.string().min(1).optional(),
  /** The organization_id the /v2 compatibility endpoints require; also the suffix of issued usernames (<id>@<organization>). */
  TESSERA_MQTT_ORGANIZATION_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 of [A-Za-z0-9_-]")
    .default("org_tessera"),
  /** Issued credentials may use <prefix>/<username>/# and nothing else. */
  TESSERA_MQTT_TOPIC_PREFIX: z
    .string()
    .trim()
    .regex(/^[^#+$/][^#+]*$/, "must be a topic without wildcards, not starting with / or $")
    .transform((value) => value.replace(/\/+$/, ""))
    .default("users"),
  TESSERA_MQTT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(31 * 86_400)
    .default(3600),
  TESSERA_MQTT_MAX_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(366 * 86_400)
    .default(86_400),
  /** Audit rows older than this are deleted by the housekeeping (lib/worker/housekeeping.ts). */
  TESSERA_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  /** Hourly usage rows and last-used addresses older than this are deleted likewise. */
  TESSERA_USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  /** Webhooks (issue 19): deliver to private, loopback and link-local addresses too (refused by default: SSRF). */
  TESSERA_WEBHOOK_ALLOW_PRIVATE: booleanFlag.default(false),
  /** How long one delivery attempt may take, connect to last byte. */
  TESSERA_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(1).max(60).default(10),
  /**
   * The waits before each retry, in seconds, comma-separated. The default is Standard Webhooks' reference schedule
   * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): 8 attempts over 27.5 hours.
   */
  TESSERA_WEBHOOK_RETRY_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?){0,19}$/, "must be 1 to 20 numbers of seconds, comma-separated")
    .transform((value) => value.split(",").map(Number))
    .refine(
      (waits) => waits.every((wait) => wait > 0 && wait <= 7 * 86_400),
      "each wait must be more than 0 and at most 604800 seconds",
    )
    .default([5, 300, 1800, 7200, 18_000, 36_000, 36_000]),
  /** An endpoint whose deliveries have failed for this many days, without one success, is disabled. */
  TESSERA_WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().min(1).max(90).default(5),
  /** How often each instance looks for due deliveries and for tokens reaching an expiry threshold. */
  TESSERA_WEBHOOK_POLL_SECONDS: z.coerce.number().min(0.2).max(300).default(10),
  /** How often expired credentials are looked for (disabled within this, deleted TESSERA_MQTT_DELETE_AFTER_SECONDS after expiry). */
  TESSERA_MQTT_SWEEP_SECONDS: z.coerce.number().min(0.2).max(300).default(60),
  TESSERA_MQTT_DELETE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(3600),
  /** Seconds to wait for the broker (connecting, or answering one command) before answering 503. */
  TESSERA_MQTT_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(60).default(5),
  /** Device token requests: topics with {id} for the device id (its MQTT username and client id). */
  TESSERA_DEVICE_REQUEST_TOPIC: z
    .string()
    .trim()
    .regex(/^[^#+{}]*\{id\}[^#+{}]*$/, "must contain {id} once and no wildcards")
    .default("tessera/{id}/s/uat"),
  TESSERA_DEVICE_RESPONSE_TOPIC: z
    .string()
    .trim()
    .regex(/^[^#+{}]*\{id\}[^#+{}]*$/, "must contain {id} once and no wildcards")
    .default("tessera/{id}/s/dat"),
  /** Lifetime of a device token. */
  TESSERA_DEVICE_TOKEN_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(31 * 86_400)
    .default(3600),
  /** A device gets at most one token per this many seconds (across all instances); more requests get 42,429. */
  TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  /** The role of newly registered devices unless one is given. */
  TESSERA_DEVICE_ROLE: z.enum(ROLES).default("viewer"),
  /** false: the server does not run the device token responder (run `tessera worker` instead). */
  TESSERA_MQTT_RESPONDER: booleanFlag.default(true),

  /** Set to "1" by Vercel, in its builds and its functions: nothing long-lived runs in this process (README, Deploying). */
  VERCEL: z
    .string()
    .optional()
    .transform((value) => value === "1"),
  /** Vercel Cron's credential: it calls GET /api/cron/sweep with Authorization: Bearer <CRON_SECRET>. Unset: the route refuses. */
  CRON_SECRET: z.string().trim().min(16, "must be at least 16 characters").optional(),
});

export type Env = Omit<z.infer<typeof schema>, "TESSERA_TRUST_PROXY"> & {
  /** "postgres" when DATABASE_URL is set, otherwise the embedded PGlite database. */
  engine: "postgres" | "pglite";
  TESSERA_TRUST_PROXY: boolean;
};

/**
 * Why TESSERA_TRUST_PROXY cannot be false on Vercel: no Tessera server stamps the TCP peer's address there
 * (scripts/server.mjs does not run), so the client's own headers would name its address to the throttles.
 */
export const UNTRUSTED_PROXY_ON_VERCEL =
  "on Vercel (VERCEL=1) the client address comes from Vercel's X-Forwarded-For: leave TESSERA_TRUST_PROXY unset or true " +
  "(false would let clients choose the address the throttles count them by)";

/** Why the embedded database does not start on Vercel (VERCEL=1). */
export const EMBEDDED_ON_VERCEL =
  "on Vercel (VERCEL=1) set DATABASE_URL to a PostgreSQL database: the embedded database lives in one long-lived " +
  "process's data dir, and Vercel's functions are short-lived, many, and have no such dir (README, Deploying)";

export class EnvError extends Error {
  override name = "EnvError";
}

/** Validates an environment (process.env by default); throws EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const parsed = result.data;
  const oidc = [parsed.TESSERA_OIDC_ISSUER, parsed.TESSERA_OIDC_CLIENT_ID, parsed.TESSERA_OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    throw new EnvError(
      "Invalid configuration:\n  TESSERA_OIDC_*: set all of TESSERA_OIDC_ISSUER, TESSERA_OIDC_CLIENT_ID and TESSERA_OIDC_CLIENT_SECRET, or none",
    );
  }
  if (parsed.TESSERA_MQTT_URL && !(parsed.TESSERA_MQTT_ADMIN_USERNAME && parsed.TESSERA_MQTT_ADMIN_PASSWORD)) {
    throw new EnvError(
      "Invalid configuration:\n  TESSERA_MQTT_*: TESSERA_MQTT_URL needs TESSERA_MQTT_ADMIN_USERNAME and TESSERA_MQTT_ADMIN_PASSWORD",
    );
  }
  if (parsed.TESSERA_MQTT_TTL_SECONDS > parsed.TESSERA_MQTT_MAX_TTL_SECONDS) {
    throw new EnvError(
      "Invalid configuration:\n  TESSERA_MQTT_TTL_SECONDS: must not exceed TESSERA_MQTT_MAX_TTL_SECONDS",
    );
  }
  if (parsed.VERCEL && !parsed.DATABASE_URL) {
    throw new EnvError(`Invalid configuration:\n  DATABASE_URL: ${EMBEDDED_ON_VERCEL}`);
  }
  if (parsed.VERCEL && parsed.TESSERA_TRUST_PROXY === false) {
    throw new EnvError(`Invalid configuration:\n  TESSERA_TRUST_PROXY: ${UNTRUSTED_PROXY_ON_VERCEL}`);
  }
  const alg = parsed.TESSERA_TOKEN_ALG;
  if (
    alg !== "HS256" &&
    parsed.TESSERA_SIGNING_KEYS &&
    !parseSigningKeys(parsed.TESSERA_SIGNING_KEYS).some((jwk) => jwk.alg === alg && jwk.d)
  ) {
    throw new EnvError(
      `Invalid configuration:\n  TESSERA_SIGNING_KEYS: TESSERA_TOKEN_ALG=${alg} needs a private ${alg} key in it (npm run tessera -- keys generate ${alg} prints one)`,
    );
  }
  if (!parsed.TESSERA_LOCAL_LOGIN && !parsed.TESSERA_OIDC_ISSUER) {
    throw new EnvError(
      "Invalid configuration:\n  TESSERA_LOCAL_LOGIN: may be false only when SSO (TESSERA_OIDC_*) is configured",
    );
  }
  return {
    ...parsed,
    engine: parsed.DATABASE_URL ? "postgres" : "pglite",
    TESSERA_TRUST_PROXY: parsed.TESSERA_TRUST_PROXY ?? parsed.VERCEL,
  };
}

/** The secrets a running server needs. In embedded mode `tessera start` supplies them from the data dir. */
export const REQUIRED_SECRETS = ["TESSERA_TOKEN_KEYS", "NEXTAUTH_SECRET"] as const;

/** Throws a clear EnvError when a secret the server needs is missing. */
export function assertSecrets(current: Env): void {
  const missing: string[] = REQUIRED_SECRETS.filter((name) => !current[name]);
  if (current.TESSERA_TOKEN_ALG !== "HS256" && !current.TESSERA_SIGNING_KEYS) missing.push("TESSERA_SIGNING_KEYS");
  if (missing.length === 0) return;
  const hint =
    current.engine === "postgres"
      ? "With DATABASE_URL set, Tessera does not generate secrets: set them in the environment (see README, Configuration)."
      : "Start Tessera with `npm start`, which generates them in the data dir, or set them in the environment.";
  throw new EnvError(`Missing required secret${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}. ${hint}`);
}

let cached: Env | undefined;

/** The validated environment of this process, read once. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
