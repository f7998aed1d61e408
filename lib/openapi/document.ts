import { z } from "zod";
import { MESSAGES } from "../api/error-codes.ts";
import { API_VERSIONS } from "../api/api-version.ts";
import { PERMISSIONS, ROUTES, rulePermission, type Permission, type RouteRule } from "../auth/permissions.ts";
import { instant } from "../schemas/instant.ts";
import { OPERATIONS, type HttpMethod, type Operation } from "./operations.ts";

// The OpenAPI 3.1 document of the whole API (GET /api/openapi.json and the
// console's API page), built once per process from the zod schemas the
// handlers use (zod 4's z.toJSONSchema, draft 2020-12, which is OpenAPI
// 3.1's dialect): requests as zod reads them (io "input"), answers as the
// handlers write them (io "output"). Error bodies are text/plain sentences,
// as the seed's API answers them; its fixed ones ("Forbidden", "Token not
// found or was revoked") are given as the exact strings.

type Schema = Record<string, unknown>;
type Document = Record<string, unknown> & { paths: Record<string, Record<string, Schema>> };

const ALL_METHODS = ["get", "head", "post", "put", "patch", "delete", "options"] as const;

/** zod → JSON Schema (2020-12). An instant (a Date written as ISO-8601) is a date-time string; no $schema inside. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Schema {
  const converted = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    override: (context) => {
      if (context.zodSchema !== instant) return;
      const target = context.jsonSchema as Schema;
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, { type: "string", format: "date-time" });
    },
  }) as Schema;
  delete converted.$schema;
  return converted;
}

const text = (description: string, schema: Schema = { type: "string" }) => ({
  description,
  content: { "text/plain": { schema } },
});

/** /api/tokens/[hash] → /api/tokens/{hash}; the catch-all [...nextauth] → {nextauth}. */
export function openApiPath(route: string): string {
  return route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}");
}

function permissionOf(route: string, method: string): Permission | undefined {
  const rule = (ROUTES as Record<string, RouteRule>)[route];
  return rule ? rulePermission(rule, method.toUpperCase()) : undefined;
}

function parameters(route: string, operation: Operation | undefined): Schema[] {
  const names = [...route.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((match) => match[1]!);
  const pathSchema = operation?.params ? jsonSchema(operation.params, "input") : undefined;
  const pathProperties = (pathSchema?.properties ?? {}) as Record<string, Schema>;
  const list: Schema[] = names.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: pathProperties[name] ?? { type: "string" },
  }));
  if (operation?.query) {
    const query = jsonSchema(operation.query, "input");
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties ?? {}) as Record<string, Schema>)) {
      const { description, ...rest } = schema;
      list.push({
        name,
        in: "query",
        required: required.has(name),
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  }
  return list;
}

const AUTHENTICATED = [{ bearer: [] }, { queryToken: [] }, { sessionCookie: [] }];

/** The answers many operations share, once in components.responses. */
const SHARED = {
  Unauthenticated: text("No credentials were sent", { type: "string", enum: [MESSAGES.unauthenticated] }),
  Refused: text(
    `${MESSAGES.invalidToken}: the token is invalid, expired or revoked. ${MESSAGES.forbidden}: the caller's role lacks the permission. A console write from another origin: ${MESSAGES.crossOrigin}`,
    { type: "string", enum: [MESSAGES.invalidToken, MESSAGES.forbidden, MESSAGES.crossOrigin] },
  ),
  NotAcceptable: text(
    `The Accept header asks for an API version this server does not speak (it speaks ${API_VERSIONS.join(", ")})`,
  ),
  TooLarge: text("The body is too large"),
  NotJson: text("Send the body as JSON with Content-Type: application/json", {
    type: "string",
    enum: ["Send the body as JSON with Content-Type: application/json"],
  }),
  RateLimited: text("Too many requests with invalid tokens from this address (Retry-After)"),
  Internal: text("An unexpected error (logged on the server)", { type: "string", enum: [MESSAGES.internal] }),
  DatabaseUnavailable: text(MESSAGES.unavailable),
};
const ref = (name: keyof typeof SHARED) => ({ $ref: `#/components/responses/${name}` });

/** The errors an operation answers: those of every authenticated request, the body's, and its own. */
function errorResponses(operation: Operation | undefined, caller: string): Record<string, Schema> {
  // A token in the body (the seed's secret_key) passes the same gate as one in the request, but is never missing (400).
  const authenticated = caller === "authenticated" || caller === "body-token";
  const own = operation?.errors ?? {};
  const responses: Record<string, Schema> = {};
  if (operation?.body || operation?.query || operation?.params || own[400])
    responses["400"] = text(
      own[400] ?? "The first problem with the request, in a sentence (X-Error-Field names the field when it is one)",
    );
  if (caller === "authenticated" || own[401]) responses["401"] = own[401] ? text(own[401]) : ref("Unauthenticated");
  if (authenticated) responses["403"] = own[403] ? text(own[403]) : ref("Refused");
  if (own[404]) responses["404"] = text(own[404]);
  if (authenticated) responses["406"] = ref("NotAcceptable");
  if (own[409]) responses["409"] = text(own[409]);
  if (operation?.body) {
    responses["413"] = ref("TooLarge");
    responses["415"] = ref("NotJson");
  }
  if (authenticated) responses["429"] = ref("RateLimited");
  responses["500"] = ref("Internal");
  responses["503"] = own[503] ? text(`${own[503]}; or the database is not answering`) : ref("DatabaseUnavailable");
  return responses;
}

function served(route: string, method: HttpMethod, operation: Operation, tag: string): Schema {
  const caller = operation.caller ?? "authenticated";
  const permission = permissionOf(route, method);
  const authenticated = caller === "authenticated";
  const who =
    caller === "public"
      ? "No credentials."
      : caller === "mqtt-password"
        ? "No app token: the current MQTT password in the body is the credential."
        : caller === "cron-secret"
          ? "No app token: Authorization: Bearer <CRON_SECRET> (the project's CRON_SECRET variable) is the credential."
          : `Permission ${permission} (${PERMISSIONS[permission!].join(", ")})${caller === "body-token" ? "; the app token is the body's secret_key" : ""}.`;
  const ok = operation.ok;
  const success =
    "json" in ok
      ? {
          description: ok.description,
          ...(ok.headers && {
            headers: Object.fromEntries(
              Object.entries(ok.headers).map(([name, description]) => [
                name,
                { description, schema: { type: "string" } },
              ]),
            ),
          }),
          content: { "application/json": { schema: jsonSchema(ok.json, "output") } },
        }
      : text(ok.text);
  return {
    operationId: `${method}${openApiPath(route).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
    tags: [tag],
    summary: operation.summary,
    description: [operation.description, who].filter(Boolean).join("\n\n"),
    ...(permission && caller !== "public" && { "x-permission": permission, "x-roles": PERMISSIONS[permission] }),
    security: authenticated ? AUTHENTICATED : caller === "cron-secret" ? [{ cronSecret: [] }] : [],
    parameters: parameters(route, operation),
    ...(operation.body && {
      requestBody: { required: true, content: { "application/json": { schema: jsonSchema(operation.body, "input") } } },
    }),
    responses: { "200": success, ...errorResponses(operation, caller) },
  };
}

/** A method the route does not serve: 405 with Allow (or OPTIONS: 204 with Allow), behind the route's gate. */
function refused(route: string, method: (typeof ALL_METHODS)[number], allow: string, tag: string): Schema {
  const authenticated = route.startsWith("/api/") && permissionOf(route, method) !== undefined;
  const allowHeader = { Allow: { description: `The methods this path serves: ${allow}`, schema: { type: "string" } } };
  const answer =
    method === "options"
      ? { "204": { description: "No body; Allow lists the methods", headers: allowHeader } }
      : {
          "405": {
            ...text(`Method ${method.toUpperCase()} is not allowed here; this path allows ${allow}`, {
              type: "string",
              enum: [`Method ${method.toUpperCase()} is not allowed here; this path allows ${allow}`],
            }),
            headers: allowHeader,
          },
        };
  return {
    operationId: `${method}${openApiPath(route).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
    tags: [tag],
    summary: method === "options" ? "The methods this path serves" : `Not served (405): this path allows ${allow}`,
    "x-served": false,
    ...(authenticated && { "x-permission": permissionOf(route, method) }),
    security: authenticated ? AUTHENTICATED : [],
    parameters: parameters(route, undefined),
    responses: {
      ...answer,
      ...(authenticated && {
        "401": ref("Unauthenticated"),
        "403": ref("Refused"),
      }),
    },
  };
}

function build(): Document {
  const paths: Document["paths"] = {};
  for (const [route, { tag, operations }] of Object.entries(OPERATIONS)) {
    const methods = Object.keys(operations) as HttpMethod[];
    const servedSet = new Set<string>([...methods, ...(methods.includes("get") ? ["head"] : [])]);
    const allow = [...servedSet, "options"]
      .map((method) => method.toUpperCase())
      .sort()
      .join(", ");
    const item: Record<string, Schema> = {};
    for (const method of ALL_METHODS) {
      if (method === "head" && servedSet.has("head")) continue; // Next.js answers HEAD from GET
      const operation = operations[method as HttpMethod];
      item[method] = operation
        ? served(route, method as HttpMethod, operation, tag)
        : refused(route, method, allow, tag);
    }
    paths[openApiPath(route)] = item;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tessera",
      version: "0.1.0",
      description:
        "Tessera's API: application tokens, MQTT credentials, devices, the seed's /v2 endpoints and the Mosquitto broker (dynamic security and $SYS status). Error bodies are text/plain sentences. Send Accept: application/json;version=1 to pin the API version (absent: the newest).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    tags: [
      { name: "tokens", description: "Application tokens" },
      { name: "me", description: "The caller" },
      { name: "audit", description: "The audit log" },
      { name: "webhooks", description: "Standard Webhooks endpoints: token expiry, revocation and rotation" },
      { name: "mqtt", description: "End users' MQTT credentials" },
      { name: "devices", description: "Devices that get REST tokens over MQTT" },
      { name: "v2", description: "The seed's compatibility endpoints" },
      { name: "broker", description: "The Mosquitto broker: dynamic security and $SYS status" },
      { name: "server", description: "Health, metrics and this document" },
      { name: "console", description: "Sign-in (next-auth)" },
    ],
    components: {
      responses: SHARED,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An application token" },
        queryToken: { type: "apiKey", in: "query", name: "token", description: "An application token in ?token=" },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "next-auth.session-token",
          description:
            "The console session (next-auth; __Secure-next-auth.session-token over https). Writes must come from the console's own origin.",
        },
        cronSecret: { type: "http", scheme: "bearer", description: "The project's CRON_SECRET (Vercel Cron sends it)" },
      },
    },
    paths,
  };
}

let cached: { document: Document; json: string } | undefined;

/** The document (built once per process: the same JSON every time). */
export function openApiDocument(): Document {
  cached ??= { document: build(), json: "" };
  return cached.document;
}

/** The document as the JSON text /api/openapi.json answers. */
export function openApiJson(): string {
  const document = openApiDocument();
  if (!cached!.json) cached!.json = JSON.stringify(document);
  return cached!.json;
}
