import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROUTES, rulePermission, type RouteRule } from "../../lib/auth/permissions.ts";

// One concrete request per route and method of lib/auth/permissions.ts
// ROUTES, with the answer an allowed caller gets from the handler: the
// requests of the role x endpoint matrix (tests/security/broker-authorization.test.ts).
// The broker's samples name the client, role and group that test creates first.

export const ORG = "matrix-org";
let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
export const validUntil = () => new Date(Date.now() + 86_400_000).toISOString();

export interface Request {
  path: string;
  body?: (token: string) => unknown;
  /** What an allowed caller gets: the status, or status and text body ("404 Broker client not found"). */
  allowed: string;
}

const nobody = "nobody-here";
const acl = (topic: string) => ({ acltype: "subscribeLiteral", topic });
/** One concrete request per "METHOD route" of ROUTES; its answer for an allowed caller is the handler's. */
export const REQUESTS: Record<string, Request> = {
  "GET /api/tokens": { path: "/api/tokens", allowed: "200" },
  "POST /api/tokens": {
    path: "/api/tokens",
    body: () => ({ name: unique("mx"), role: "viewer", validUntil: validUntil() }),
    allowed: "200",
  },
  "GET /api/tokens/[hash]": { path: `/api/tokens/${"0".repeat(64)}`, allowed: "404 Token not found" },
  "DELETE /api/tokens/[hash]": { path: `/api/tokens/${"f".repeat(64)}`, allowed: "200" },
  "POST /api/tokens/[hash]/rotate": { path: `/api/tokens/${"0".repeat(64)}/rotate`, allowed: "404 Token not found" },
  "POST /api/tokens/[hash]/disable": { path: `/api/tokens/${"0".repeat(64)}/disable`, allowed: "404 Token not found" },
  "POST /api/tokens/[hash]/enable": { path: `/api/tokens/${"0".repeat(64)}/enable`, allowed: "404 Token not found" },
  "GET /api/tokens/[hash]/usage": { path: `/api/tokens/${"0".repeat(64)}/usage`, allowed: "200" },
  "GET /api/tokens/usage": { path: "/api/tokens/usage", allowed: "200" },
  "GET /api/audit": { path: "/api/audit?limit=5", allowed: "200" },
  "GET /api/webhooks": { path: "/api/webhooks", allowed: "200" },
  "POST /api/webhooks": {
    path: "/api/webhooks",
    body: () => ({ url: "ftp://example.com/hook" }),
    allowed: "400 url must be an absolute http or https URL",
  },
  "GET /api/webhooks/[id]": { path: `/api/webhooks/ep_${"0".repeat(32)}`, allowed: "404 Webhook endpoint not found" },
  "PATCH /api/webhooks/[id]": {
    path: `/api/webhooks/ep_${"0".repeat(32)}`,
    body: () => ({ enabled: true }),
    allowed: "404 Webhook endpoint not found",
  },
  "DELETE /api/webhooks/[id]": {
    path: `/api/webhooks/ep_${"0".repeat(32)}`,
    allowed: "404 Webhook endpoint not found",
  },
  "GET /api/webhooks/[id]/deliveries": {
    path: `/api/webhooks/ep_${"0".repeat(32)}/deliveries`,
    allowed: "404 Webhook endpoint not found",
  },
  "POST /api/webhooks/[id]/test": {
    path: `/api/webhooks/ep_${"0".repeat(32)}/test`,
    allowed: "404 Webhook endpoint not found",
  },
  "POST /api/tokens/introspect": { path: "/api/tokens/introspect", body: () => ({ token: "garbage" }), allowed: "200" },
  // The caller's own token is rotated; the old one keeps working for the rest of the matrix (its grace).
  "POST /api/tokens/self/rotate": {
    path: "/api/tokens/self/rotate",
    body: () => ({ grace_seconds: 3600 }),
    allowed: "200",
  },
  "GET /api/me": { path: "/api/me", allowed: "200" },
  "DELETE /api/me/sessions": {
    path: "/api/me/sessions",
    allowed: "400 Only a signed-in console session has sessions to end",
  },
  "GET /api/metrics": { path: "/api/metrics", allowed: "200" },
  "GET /api/mqtt/tokens": { path: "/api/mqtt/tokens", allowed: "200" },
  "POST /api/mqtt/tokens": {
    path: "/api/mqtt/tokens",
    body: () => ({ user_email: `${unique("u")}@example.com` }),
    allowed: "200",
  },
  "POST /api/mqtt/tokens/refresh": {
    path: "/api/mqtt/tokens/refresh",
    body: () => ({ token_id: "3f0c1c7e-0000-4000-8000-000000000000", current_token_password: "tkn_wrong" }),
    allowed: "401 token_id or current_token_password is wrong",
  },
  "DELETE /api/mqtt/tokens/[id]": {
    path: "/api/mqtt/tokens/3f0c1c7e-0000-4000-8000-000000000000",
    allowed: "404 MQTT credentials not found",
  },
  "GET /api/devices": { path: "/api/devices", allowed: "200" },
  "POST /api/devices": { path: "/api/devices", body: () => ({ id: unique("dev") }), allowed: "200" },
  "DELETE /api/devices/[id]": { path: `/api/devices/${nobody}`, allowed: "404 Device not found" },
  "GET /api/devices/[id]/bridge-config": {
    path: `/api/devices/${nobody}/bridge-config`,
    allowed: "404 Device not found",
  },
  "POST /v2/tokens/create": {
    path: "/v2/tokens/create",
    body: (token) => ({ organization_id: ORG, secret_key: token, user_email: `${unique("v2")}@example.com` }),
    allowed: "200",
  },
  "GET /api/broker/status": { path: "/api/broker/status", allowed: "200" },
  "GET /api/broker/clients": { path: "/api/broker/clients", allowed: "200" },
  "POST /api/broker/clients": {
    path: "/api/broker/clients",
    body: () => ({ username: unique("c"), password: "password1" }),
    allowed: "200",
  },
  "GET /api/broker/clients/[username]": { path: "/api/broker/clients/matrix-client", allowed: "200" },
  "PATCH /api/broker/clients/[username]": {
    path: "/api/broker/clients/matrix-client",
    body: () => ({ textname: unique("t") }),
    allowed: "200",
  },
  "DELETE /api/broker/clients/[username]": {
    path: `/api/broker/clients/${nobody}`,
    allowed: "404 Broker client not found",
  },
  "PUT /api/broker/clients/[username]/password": {
    path: "/api/broker/clients/matrix-client/password",
    body: () => ({ password: "password1" }),
    allowed: "200",
  },
  "POST /api/broker/clients/[username]/enable": { path: "/api/broker/clients/matrix-client/enable", allowed: "200" },
  "POST /api/broker/clients/[username]/disable": {
    path: `/api/broker/clients/${nobody}/disable`,
    allowed: "404 Broker client not found",
  },
  "GET /api/broker/roles": { path: "/api/broker/roles", allowed: "200" },
  "POST /api/broker/roles": { path: "/api/broker/roles", body: () => ({ rolename: unique("r") }), allowed: "200" },
  "GET /api/broker/roles/[rolename]": { path: "/api/broker/roles/matrix-role", allowed: "200" },
  "PATCH /api/broker/roles/[rolename]": {
    path: "/api/broker/roles/matrix-role",
    body: () => ({ textname: unique("t") }),
    allowed: "200",
  },
  "DELETE /api/broker/roles/[rolename]": { path: `/api/broker/roles/${nobody}`, allowed: "404 Broker role not found" },
  "POST /api/broker/roles/[rolename]/acls": {
    path: "/api/broker/roles/matrix-role/acls",
    body: () => acl(unique("a")),
    allowed: "200",
  },
  "DELETE /api/broker/roles/[rolename]/acls": {
    path: "/api/broker/roles/matrix-role/acls?acltype=subscribeLiteral&topic=not-there",
    allowed: "404 The role has no ACL of this acltype for this topic",
  },
  "GET /api/broker/groups": { path: "/api/broker/groups", allowed: "200" },
  "POST /api/broker/groups": { path: "/api/broker/groups", body: () => ({ groupname: unique("g") }), allowed: "200" },
  "GET /api/broker/groups/[groupname]": { path: "/api/broker/groups/matrix-group", allowed: "200" },
  "PATCH /api/broker/groups/[groupname]": {
    path: "/api/broker/groups/matrix-group",
    body: () => ({ textname: unique("t") }),
    allowed: "200",
  },
  "DELETE /api/broker/groups/[groupname]": {
    path: `/api/broker/groups/${nobody}`,
    allowed: "404 Broker group not found",
  },
  "POST /api/broker/groups/[groupname]/clients": {
    path: "/api/broker/groups/matrix-group/clients",
    body: () => ({ username: nobody }),
    allowed: "404 Broker client not found",
  },
  "DELETE /api/broker/groups/[groupname]/clients/[username]": {
    path: `/api/broker/groups/matrix-group/clients/${nobody}`,
    allowed: "404 Broker client not found",
  },
  "POST /api/broker/groups/[groupname]/roles": {
    path: "/api/broker/groups/matrix-group/roles",
    body: () => ({ rolename: nobody }),
    allowed: `404 Broker role "${nobody}" not found`,
  },
  "DELETE /api/broker/groups/[groupname]/roles/[rolename]": {
    path: `/api/broker/groups/matrix-group/roles/${nobody}`,
    allowed: "404 Broker role not found",
  },
  "GET /api/broker/anonymous-group": { path: "/api/broker/anonymous-group", allowed: "200" },
  "PUT /api/broker/anonymous-group": {
    path: "/api/broker/anonymous-group",
    body: () => ({ groupname: "matrix-group" }),
    allowed: "200",
  },
  "GET /api/broker/default-acl": { path: "/api/broker/default-acl", allowed: "200" },
  "PUT /api/broker/default-acl": {
    path: "/api/broker/default-acl",
    body: () => ({ acls: [{ acltype: "unsubscribe", allow: true }] }),
    allowed: "200",
  },
};

/** The methods a route file serves: the list its otherMethods([...]) line names. */
export function servedMethods(route: string): string[] {
  const source = readFileSync(`app${route}/route.ts`, "utf8");
  const list = source.match(/otherMethods\(\[([^\]]*)\]\)/)?.[1];
  assert.ok(list, `app${route}/route.ts names its methods in otherMethods([...])`);
  return [...list.matchAll(/"([A-Z]+)"/g)].map((match) => match[1]!);
}

/** Every (route, method) of the permission table, with its permission. */
export function matrix() {
  return Object.entries(ROUTES).flatMap(([route, rule]) => {
    const methods = servedMethods(route);
    // A per-method rule names exactly the methods its route file serves.
    if (typeof rule !== "string") assert.deepEqual(Object.keys(rule).sort(), [...methods].sort(), route);
    return methods.map((method) => ({ route, method, permission: rulePermission(rule as RouteRule, method) }));
  });
}
