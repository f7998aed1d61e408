// Engine-independent: who may call the broker API, from the one permission table; the database only authenticates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { can, ROLES, ROUTES } from "../../lib/auth/permissions.ts";
import { startBroker, type Broker } from "../helpers/broker.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { createUsers, sessionCookie } from "../helpers/users.ts";
import { until } from "../helpers/wait.ts";
import { matrix, ORG, REQUESTS, servedMethods, unique, validUntil, type Request } from "../helpers/route-samples.ts";

// The role x endpoint matrix, generated from lib/auth/permissions.ts: every
// route in ROUTES, every method its route file serves (read from its
// otherMethods([...]) line), every role, with an app token of that role. An
// allowed call must reach the handler (the answer is one the handler gives
// for that request, named below per route and method); a refused one is
// exactly 403 Forbidden. A route without a request below fails the test, so
// the matrix grows with the table.

const report = securityReport(import.meta.filename);
let broker: Broker;
let tessera: Instance;

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

  test("every other method of every broker route: 405 with a sentence and Allow; OPTIONS 204 with Allow", async () => {
    for (const route of Object.keys(ROUTES).filter((route) => route.startsWith("/api/broker/"))) {
      const served = servedMethods(route);
      const sample = REQUESTS[`${served[0]} ${route}`]!.path;
      const allow = [...new Set([...served, "OPTIONS", ...(served.includes("GET") ? ["HEAD"] : [])])].sort().join(", ");
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allow.includes(m))) {
        const answer = await call(`${tessera.url}${sample}`, {
          method,
          token: tessera.adminToken,
          body: method === "GET" || method === "HEAD" ? undefined : {},
        });
        const sentence = method === "HEAD" ? "" : ` Method ${method} is not allowed here; this path allows ${allow}`;
        report.check(
          "Broker API methods",
          `${method} ${route}`,
          `405${sentence} | Allow: ${allow}`,
          `${`${answer.status} ${String(answer.body)}`.trim()} | Allow: ${answer.headers.get("allow") ?? "(none)"}`,
        );
      }
      const options = await call(`${tessera.url}${sample}`, { method: "OPTIONS", token: tessera.adminToken });
      report.check(
        "Broker API methods",
        `OPTIONS ${route}`,
        `204 | Allow: ${allow}`,
        `${options.status} | Allow: ${options.headers.get("allow") ?? "(none)"}`,
      );
    }
  });

  test("a NUL or a control character in a broker name of the path: 400 with the schema's sentence", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/api/broker/clients/a%00b", "username"],
      ["POST", "/api/broker/clients/a%1Bb/disable", "username"],
      ["GET", "/api/broker/roles/%00", "rolename"],
      ["DELETE", "/api/broker/groups/g%00/clients/x", "groupname"],
      ["DELETE", "/api/broker/groups/matrix-group/roles/r%0A", "rolename"],
    ];
    for (const [method, path, field] of cases) {
      const answer = await call(`${tessera.url}${path}`, { method, token: tessera.adminToken });
      report.check(
        "Broker API input",
        `${method} ${path}`,
        `400 ${field} must not contain control or invisible characters`,
        outcome(answer),
      );
    }
  });
});
