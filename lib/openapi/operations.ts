import { z } from "zod";
import { MESSAGES } from "../api/error-codes.ts";
import { BROKER_UNAVAILABLE } from "../mqtt/broker-messages.ts";
import { deviceResponse, registeredDevice, registerDeviceSchema } from "../schemas/device.ts";
import {
  createMqttTokenSchema,
  mqttTokenListItem,
  mqttTokenResponse,
  refreshMqttTokenSchema,
  v2CreateSchema,
} from "../schemas/mqtt.ts";
import { createTokenSchema, tokenResponse } from "../schemas/token.ts";
import * as answers from "./answers.ts";
import { BROKER_OPERATIONS } from "./broker-operations.ts";
import { CRON_OPERATIONS } from "./cron-operations.ts";
import { TOKEN_OPERATIONS } from "./token-operations.ts";
import { AUDIT_OPERATIONS } from "./audit-operations.ts";
import { WEBHOOK_OPERATIONS } from "./webhook-operations.ts";

// What each route handler in app/ serves, for the OpenAPI document
// (lib/openapi/document.ts): keyed by route as in app/ and in ROUTES
// (lib/auth/permissions.ts, which names each operation's permission), the
// request and answer schemas the handlers themselves use. Methods a route
// does not serve (its otherMethods 405s and OPTIONS) are added by the
// document. tests/openapi.test.ts checks this table against the route files.

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** Who may call: an app token or session (the default), nobody in particular, an app token in the body, ... */
export type Caller = "authenticated" | "public" | "body-token" | "mqtt-password" | "cron-secret";

export interface Operation {
  summary: string;
  description?: string;
  caller?: Caller;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** The 200 answer: a JSON schema, or a text/plain description. */
  ok: { json: z.ZodType; description: string; headers?: Record<string, string> } | { text: string };
  /** Errors this operation answers besides the ones every authenticated operation can (their descriptions). */
  errors?: Partial<Record<400 | 401 | 403 | 404 | 409 | 503, string>>;
}

export type Route = { tag: string; operations: Partial<Record<HttpMethod, Operation>> };

const mqttErrors = {
  404: "No broker is configured (TESSERA_MQTT_URL unset), or the named object does not exist",
  503: BROKER_UNAVAILABLE,
};
/** POST /api/mqtt/tokens and the seed's /v2/tokens/create mint the same way and refuse the same bodies. */
const mqttCreateErrors = {
  ...mqttErrors,
  400: "The first problem with the body",
  409: "Credentials for this user_email are active and replace_existing is false (the default, true, replaces them)",
};
const tokensErrors = { 404: `${MESSAGES.pluginDisabled} (TESSERA_APP_TOKENS_ENABLED=false)` };

export const OPERATIONS: Record<string, Route> = {
  "/api/auth/[...nextauth]": {
    tag: "console",
    operations: {
      get: {
        caller: "public",
        summary: "next-auth: providers, csrf, session, sign-in pages and OAuth callbacks",
        description:
          "next-auth's own endpoints (/api/auth/providers, /csrf, /session, /signin/{provider}, /callback/{provider}, /signout, /error); the path segment may hold slashes. Answers are next-auth's: JSON, HTML or redirects.",
        ok: { text: "next-auth's answer (JSON, HTML or a redirect)" },
      },
      post: {
        caller: "public",
        summary: "next-auth: sign in (local accounts and SSO) and sign out",
        description: "Form posts with next-auth's CSRF token; answered with redirects (302) or JSON.",
        ok: { text: "next-auth's answer" },
      },
    },
  },
  "/api/health": {
    tag: "server",
    operations: {
      get: {
        caller: "public",
        summary: "The state of each component; 200 while the database answers, 503 when it does not",
        ok: { json: answers.healthAnswer, description: "The database answers" },
      },
    },
  },
  "/api/openapi.json": {
    tag: "server",
    operations: {
      get: {
        caller: "public",
        summary: "This document",
        ok: {
          json: z.looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({}), paths: z.looseObject({}) }),
          description: "The OpenAPI 3.1 document",
        },
      },
    },
  },
  "/api/me": {
    tag: "me",
    operations: {
      get: { summary: "Who is calling", ok: { json: answers.meAnswer, description: "The caller" } },
    },
  },
  "/api/me/sessions": {
    tag: "me",
    operations: {
      delete: {
        summary: "Sign out everywhere: end every console session of the signed-in user, this one included",
        ok: { json: answers.sessionsEnded, description: "The sessions were ended" },
        errors: { 400: "Only a signed-in console session has sessions to end" },
      },
    },
  },
  "/api/metrics": {
    tag: "server",
    operations: {
      get: {
        summary: "This server process's counters and memory",
        ok: { json: answers.metricsAnswer, description: "The counters" },
      },
    },
  },
  "/api/tokens": {
    tag: "tokens",
    operations: {
      get: {
        summary: "Every application token, oldest first; ?limit=N (1-1000) and ?cursor= page through the same list",
        query: z.object({
          limit: z
            .string()
            .optional()
            .describe("A page of at most this many (1-1000); without limit and cursor, the whole list"),
          cursor: z.string().optional().describe("The X-Next-Cursor of the previous page, unchanged"),
        }),
        ok: {
          json: answers.tokenListAnswer,
          description: "The tokens (a page of them with ?limit or ?cursor)",
          headers: {
            "X-Next-Cursor": "When paging and more follow: the cursor of the next page",
            Link: 'When paging and more follow: <URL of the next page>; rel="next"',
          },
        },
        errors: { ...tokensErrors, 400: "limit must be an integer from 1 to 1000, or a malformed cursor" },
      },
      post: {
        summary: "Create a token; the token itself is in this answer only",
        body: createTokenSchema,
        ok: { json: answers.createdTokenAnswer, description: "The created token" },
        errors: {
          ...tokensErrors,
          400: "The first problem with the body",
          409: "A token with this name (or one that looks like it) exists",
        },
      },
    },
  },
  "/api/tokens/[hash]": {
    tag: "tokens",
    operations: {
      get: {
        summary: "One token",
        ok: { json: tokenResponse, description: "The token" },
        errors: {
          400: "Malformed token hash: expected 64 lowercase hexadecimal characters",
          404: "Token not found; or Plugin is not enabled",
        },
      },
      delete: {
        summary: "Delete and revoke a token; answers the remaining tokens (the seed's answer)",
        ok: { json: answers.tokenListAnswer, description: "The remaining tokens, as GET /api/tokens answers them" },
        errors: {
          400: "Malformed token hash: expected 64 lowercase hexadecimal characters",
          404: "Token not found; or Plugin is not enabled",
        },
      },
    },
  },
  "/api/mqtt/tokens": {
    tag: "mqtt",
    operations: {
      get: {
        summary: "The MQTT credentials Tessera manages, no secrets",
        ok: { json: z.array(mqttTokenListItem), description: "The credentials" },
        errors: mqttErrors,
      },
      post: {
        summary: "Mint MQTT credentials for an end user; the password is in this answer only",
        body: createMqttTokenSchema,
        ok: { json: mqttTokenResponse, description: "The credentials" },
        errors: mqttCreateErrors,
      },
    },
  },
  "/api/mqtt/tokens/refresh": {
    tag: "mqtt",
    operations: {
      post: {
        summary: "A new password for {token_id, current_token_password}; the old one stops working at once",
        body: refreshMqttTokenSchema,
        ok: { json: mqttTokenResponse, description: "The new credentials" },
        errors: { ...mqttErrors, 400: "The first problem with the body" },
      },
    },
  },
  "/api/mqtt/tokens/[id]": {
    tag: "mqtt",
    operations: {
      delete: {
        summary: "Revoke MQTT credentials now: the broker drops the connection",
        params: z.object({ id: z.uuid().describe("The token_id") }),
        ok: { json: answers.mqttTokenRevoked, description: "Revoked" },
        errors: { ...mqttErrors, 400: "Malformed token_id: expected a UUID" },
      },
    },
  },
  "/api/devices": {
    tag: "devices",
    operations: {
      get: {
        summary: "The registered devices",
        ok: { json: z.array(deviceResponse), description: "The devices" },
        errors: mqttErrors,
      },
      post: {
        summary: "Register a device: its broker client is created, its MQTT password shown in this answer only",
        body: registerDeviceSchema,
        ok: { json: registeredDevice, description: "The device and its broker credentials" },
        errors: { ...mqttErrors, 400: "The first problem with the body", 409: "A device with this id exists" },
      },
    },
  },
  "/api/devices/[id]": {
    tag: "devices",
    operations: {
      delete: {
        summary: "Remove a device: its broker client (connection dropped) and every token it was issued",
        ok: { json: answers.deviceRemoved, description: "Removed" },
        errors: { ...mqttErrors, 404: "Device not found; or no broker is configured" },
      },
    },
  },
  "/api/devices/[id]/bridge-config": {
    tag: "devices",
    operations: {
      get: {
        summary: "The mosquitto.conf snippet for the device's own broker (no password in it)",
        query: z.object({
          address: z.string().optional().describe("host:port of Tessera's broker as the device reaches it"),
        }),
        ok: { text: "The mosquitto.conf bridge section (text/plain)" },
        errors: { 400: "Malformed device id or address", 404: "Device not found; or no broker is configured" },
      },
    },
  },
  "/v2/tokens/create": {
    tag: "v2",
    operations: {
      post: {
        caller: "body-token",
        summary:
          "The seed's create: MQTT credentials for user_email; secret_key is a Tessera app token allowed to mint",
        body: v2CreateSchema,
        ok: { json: mqttTokenResponse, description: "The credentials" },
        errors: {
          ...mqttCreateErrors,
          403: `${MESSAGES.invalidToken}; ${MESSAGES.forbidden}; or organization_id does not match this Tessera`,
        },
      },
    },
  },
  "/v2/tokens/refresh": {
    tag: "v2",
    operations: {
      post: {
        caller: "mqtt-password",
        summary:
          "The seed's refresh: the current MQTT password is the credential, and stops working when this succeeds",
        body: refreshMqttTokenSchema,
        ok: { json: mqttTokenResponse, description: "The new credentials" },
        errors: {
          ...mqttErrors,
          400: "The first problem with the body",
          401: "The token_id and password do not match, or the credentials expired",
        },
      },
    },
  },
  ...BROKER_OPERATIONS,
  ...CRON_OPERATIONS,
  ...TOKEN_OPERATIONS,
  ...AUDIT_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
};
