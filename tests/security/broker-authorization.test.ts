import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { can, ROLES, ROUTES, rulePermission, type RouteRule } from "../../lib/auth/permissions.ts";
import { startBroker, type Broker } from "../helpers/broker.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { createUsers, sessionCookie } from "../helpers/users.ts";
import { until } from "../helpers/wait.ts";

// The role x endpoint matrix, generated from lib/auth/permissions.ts: every
// route in ROUTES, every method its route file serves (read from its
// otherMethods([...]) line), every role, with an app token of that role. An
// allowed call must reach the handler (the answer is one the handler gives
// for that request, named below per route and method); a refused one is
// exactly 403 Forbidden. A route without a request below fails the test, so
// the matrix grows with the table.

const report = securityReport(import.meta.filename);
const ORG = "matrix-org";
let broker: Broker;
let tessera: Instance;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
const validUntil = () => new Date(Date.now() + 86_400_000).toISOString();

before(async () => {
  broker = await startBroker({ sysInterval: 1 });
  tessera = await createInstance({
    ...broker.env,
    TESSERA_MQTT_ORGANIZATION_ID: ORG,
    TESSERA_MQTT_TIMEOUT_SECONDS: "3",
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
  });
  const admin = (path: string, body: unknown) =>
    call(`${tessera.url}${path}`, { method: "POST", token: tessera.adminToken, body });
  for (const [path, body] of [
    ["/api/broker/clients", { username: "matrix-client", password: "password1" }],
    ["/api/broker/roles", { rolename: "matrix-role" }],
    ["/api/broker/groups", { groupname: "matrix-group" }],
  ] as const)
    assert.equal((await admin(path, body)).status, 200);
  // The status answers 503 until the first $SYS values are in: wait for them, so that allowed means 200.
  await until(
    async () => (await call(`${tessera.url}/api/broker/status`, { token: tessera.adminToken })).status === 200,
    15_000,
  );
});
after(async () => {
  await tessera?.close();
  await broker?.stop();
});

async function mint(role: string): Promise<string> {
  const response = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: tessera.adminToken,
    body: { name: unique(`m-${role.slice(0, 10)}`), role, validUntil: validUntil() },
  });
  assert.equal(response.status, 200);
  return response.body.token;
}

interface Request {
  path: string;
  body?: (token: string) => unknown;
  /** What an allowed caller gets: the status, or status and text body ("404 Broker client not found"). */
  allowed: string;
}

const nobody = "nobody-here";
const acl = (topic: string) => ({ acltype: "subscribeLiteral", topic });
/** One concrete request per "METHOD route" of ROUTES; its answer for an allowed caller is the handler's. */
const REQUESTS: Record<string, Request> = {
  "GET /api/tokens": { path: "/api/tokens", allowed: "200" },
  "POST /api/tokens": {
    path: "/api/tokens",
    body: () => ({ name: unique("mx"), role: "viewer", validUntil: validUntil() }),
    allowed: "200",
  },
  "GET /api/tokens/[hash]": { path: `/api/tokens/${"0".repeat(64)}`, allowed: "404 Token not found" },
  "DELETE /api/tokens/[hash]": { path: `/api/tokens/${"f".repeat(64)}`, allowed: "200" },
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
function servedMethods(route: string): string[] {
  const source = readFileSync(`app${route}/route.ts`, "utf8");
  const list = source.match(/otherMethods\(\[([^\]]*)\]\)/)?.[1];
  assert.ok(list, `app${route}/route.ts names its methods in otherMethods([...])`);
  return [...list.matchAll(/"([A-Z]+)"/g)].map((match) => match[1]!);
}

/** Every (route, method) of the permission table, with its permission. */
function matrix() {
  return Object.entries(ROUTES).flatMap(([route, rule]) => {
    const methods = servedMethods(route);
    // A per-method rule names exactly the methods its route file serves.
    if (typeof rule !== "string") assert.deepEqual(Object.keys(rule).sort(), [...methods].sort(), route);
    return methods.map((method) => ({ route, method, permission: rulePermission(rule as RouteRule, method) }));
  });
}

async function send(method: string, request: Request, token: string) {
  return call(`${tessera.url}${request.path}`, {
    method,
    token: request.path.startsWith("/v2/") ? undefined : token,
    body: request.body?.(token),
  });
}

const observed = (response: Awaited<ReturnType<typeof call>>, expected: string) =>
  expected.includes(" ") ? outcome(response) : String(response.status);

describe("broker authorization", () => {
  test("every role on every route and method of the permission table", async () => {
    const cases = matrix();
    assert.deepEqual(
      cases.map(({ method, route }) => `${method} ${route}`).filter((key) => !(key in REQUESTS)),
      [],
      "every route and method has a request in REQUESTS",
    );
    for (const role of ROLES) {
      const token = await mint(role);
      for (const { route, method, permission } of cases) {
        const request = REQUESTS[`${method} ${route}`]!;
        const allowed = can(role, permission);
        const response = await send(method, request, token);
        const expected = allowed ? request.allowed : "403 Forbidden";
        report.check(
          "Authorization matrix (role x endpoint, generated from ROUTES)",
          `${role}: ${method} ${route} (${permission})`,
          expected,
          allowed ? observed(response, expected) : outcome(response),
        );
      }
    }
  });

  test("a broker route without credentials is 401; a viewer's session may read clients, not create them", async () => {
    const anonymous = await call(`${tessera.url}/api/broker/clients`);
    report.check(
      "Broker API authentication",
      "GET /api/broker/clients without credentials",
      "401",
      String(anonymous.status),
    );
    const { viewer } = await createUsers(tessera, [["viewer", "viewer"]]);
    const cookie = await sessionCookie(tessera.url, "viewer", viewer!);
    const headers = { cookie, origin: new URL(tessera.url).origin };
    const read = await call(`${tessera.url}/api/broker/clients`, { headers });
    report.check("Broker API authentication", "viewer session: GET /api/broker/clients", "200", String(read.status));
    const write = await call(`${tessera.url}/api/broker/clients`, {
      method: "POST",
      headers,
      body: { username: unique("sess"), password: "password1" },
    });
    report.check(
      "Broker API authentication",
      "viewer session: POST /api/broker/clients",
      "403 Forbidden",
      outcome(write),
    );
  });
});
