import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { MESSAGES } from "../lib/api/error-codes.ts";
import { routePermission } from "../lib/auth/permissions.ts";
import { startBroker, type Broker } from "./helpers/broker.ts";
import { call, createInstance, type CallOptions, type Instance } from "./helpers/instance.ts";
import { signIn } from "./helpers/session.ts";
import { assertDocumented, routeExports, routeFiles, type OpenApiDocument } from "./helpers/openapi.ts";
import { inDays, INVALID, uniqueName } from "./helpers/tokens.ts";

// GET /api/openapi.json from a real server: a valid OpenAPI 3.1 document that
// names every route file and every method it exports, and real answers of
// the API (successes and errors) valid against what it documents.

let broker: Broker;
let tessera: Instance;
let doc: OpenApiDocument;
const tokens: Record<string, string> = {};
const ADMIN_PASSWORD = "openapi-admin-password-1";

/** /api/tokens/{hash} for /api/tokens/abc: the template is given, the path filled in. */
async function check(
  method: string,
  template: string,
  path: string,
  options: CallOptions & { as?: string | null } = {},
  expected?: number,
) {
  const token = options.as === null ? undefined : (options.token ?? tokens[options.as ?? "admin"]);
  const answer = await call(`${tessera.url}${path}`, { ...options, method, token });
  if (expected !== undefined)
    assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  assertDocumented(doc, method, template, answer, options.body);
  return answer;
}

before(async () => {
  broker = await startBroker({ sysInterval: 1 });
  tessera = await createInstance({
    ...broker.env,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  tokens.admin = tessera.adminToken;
  for (const role of ["viewer", "editor", "monitoringViewer"]) {
    const created = await call(`${tessera.url}/api/tokens`, {
      method: "POST",
      token: tessera.adminToken,
      body: { name: uniqueName(role), role, validUntil: inDays(1) },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    tokens[role] = created.body.token;
  }
  const answer = await call(`${tessera.url}/api/openapi.json`);
  assert.equal(answer.status, 200);
  doc = answer.body as OpenApiDocument;
});

after(async () => {
  await tessera?.close();
  await broker?.stop();
});

test("public, cacheable, the same bytes every time, and a valid OpenAPI 3.1 document", async () => {
  const first = await fetch(`${tessera.url}/api/openapi.json`);
  const second = await fetch(`${tessera.url}/api/openapi.json`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("content-type"), "application/json");
  assert.equal(first.headers.get("cache-control"), "public, max-age=300");
  const etag = first.headers.get("etag")!;
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(await first.text(), await second.text());
  const again = await fetch(`${tessera.url}/api/openapi.json`, { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  const post = await call(`${tessera.url}/api/openapi.json`, { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.body, "Method POST is not allowed here; this path allows GET, HEAD, OPTIONS");

  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
  assert.equal(doc.openapi, "3.1.0");
  const schemes = (doc.components as { securitySchemes: Record<string, { type: string; in?: string }> })
    .securitySchemes;
  assert.deepEqual(
    Object.entries(schemes).map(([name, scheme]) => [name, scheme.type, scheme.in]),
    [
      ["bearer", "http", undefined],
      ["queryToken", "apiKey", "query"],
      ["sessionCookie", "apiKey", "cookie"],
    ],
  );
});

test("every route file in app/ and every method it exports is an operation; each names its permission", () => {
  const files = routeFiles();
  assert.ok(files.includes("/api/broker/status") && files.includes("/v2/tokens/create"), files.join(" "));
  const documented = Object.keys(doc.paths).sort();
  const expected = files.map((route) => route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}")).sort();
  assert.deepEqual(documented, expected);
  for (const route of files) {
    const item = doc.paths[route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}")]!;
    const { served, refused } = routeExports(route);
    assert.ok(served.length > 0, `${route} serves something`);
    for (const method of served) {
      const op = item[method.toLowerCase()];
      assert.ok(op, `${method} ${route} documented`);
      assert.notEqual(op["x-served"], false, `${method} ${route} documented as served`);
      assert.ok((op.responses as Record<string, unknown>)["200"], `${method} ${route}: its success`);
      const permission = routePermission(route.replace(/\[[^\]]+\]/g, "x"), method);
      const publicRoute =
        ["/api/health", "/api/openapi.json", "/v2/tokens/refresh"].includes(route) || route.startsWith("/api/auth/");
      if (!publicRoute) assert.equal(op["x-permission"], permission, `${method} ${route}: x-permission`);
      if (op["x-permission"]) assert.match(String(op.description), new RegExp(`Permission ${permission}`));
    }
    for (const method of refused) {
      const op = item[method.toLowerCase()];
      assert.ok(op, `${method} ${route} (405/OPTIONS) documented`);
      assert.equal(op["x-served"], false, `${method} ${route} documented as not served`);
    }
    // Nothing documented that the file does not export (Next.js answers HEAD with the GET handler).
    const exported = new Set([...served, ...refused, ...(item.get ? ["HEAD"] : [])]);
    for (const method of Object.keys(item))
      assert.ok(exported.has(method.toUpperCase()), `${method} ${route} exported`);
  }
});

test("tokens, me, health, metrics: real answers match the document, errors included", async () => {
  const body = { name: uniqueName("doc"), role: "viewer", validUntil: inDays(2) };
  const created = await check("POST", "/api/tokens", "/api/tokens", { body }, 200);
  await check("POST", "/api/tokens", "/api/tokens", { body: { ...body, role: "king" } }, 400);
  await check(
    "POST",
    "/api/tokens",
    "/api/tokens",
    { body: "not json", headers: { "content-type": "text/plain" } },
    415,
  );
  await check("GET", "/api/tokens", "/api/tokens", {}, 200);
  const page = await check("GET", "/api/tokens", "/api/tokens?limit=1", {}, 200);
  assert.ok(page.headers.get("x-next-cursor"));
  await check("GET", "/api/tokens", "/api/tokens?limit=0", {}, 400);
  await check("GET", "/api/tokens", "/api/tokens", { as: null }, 401);
  const forbidden = await check("GET", "/api/tokens", "/api/tokens", { as: "viewer" }, 403);
  assert.equal(forbidden.body, MESSAGES.forbidden);
  const invalid = await check("GET", "/api/tokens", "/api/tokens", { token: "eyJ.not.valid" }, 403);
  assert.equal(invalid.body, INVALID);
  const hash = created.body.hash as string;
  await check("GET", "/api/tokens/{hash}", `/api/tokens/${hash}`, {}, 200);
  await check("GET", "/api/tokens/{hash}", "/api/tokens/nothex", {}, 400);
  await check("GET", "/api/tokens/{hash}", `/api/tokens/${"0".repeat(64)}`, {}, 404);
  const remaining = await check("DELETE", "/api/tokens/{hash}", `/api/tokens/${hash}`, {}, 200);
  assert.ok(Array.isArray(remaining.body));
  await check("PUT", "/api/tokens/{hash}", `/api/tokens/${hash}`, {}, 405);
  await check("OPTIONS", "/api/tokens", "/api/tokens", {}, 204);

  await check("GET", "/api/me", "/api/me", {}, 200);
  await check("GET", "/api/me", "/api/me", { as: null }, 401);
  await check("DELETE", "/api/me/sessions", "/api/me/sessions", {}, 400);
  await check("GET", "/api/health", "/api/health", { as: null }, 200);
  await check("GET", "/api/metrics", "/api/metrics", {}, 200);
  await check("GET", "/api/metrics", "/api/metrics", { as: "viewer" }, 403);
  await check("GET", "/api/metrics", "/api/metrics", { headers: { accept: "application/json;version=9" } }, 406);
});

test("MQTT credentials, /v2 and devices: real answers match the document", async () => {
  const body = { user_email: `doc-${process.pid}@example.com`, ttl_seconds: 600 };
  const minted = await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body }, 200);
  await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body: { ...body, replace_existing: false } }, 409);
  await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body: { user_email: "nope" } }, 400);
  await check("GET", "/api/mqtt/tokens", "/api/mqtt/tokens", {}, 200);
  await check("GET", "/api/mqtt/tokens", "/api/mqtt/tokens", { as: "viewer" }, 403);
  const refreshBody = {
    token_id: minted.body.token_id,
    current_token_password: minted.body.mqtt_credentials.password,
  };
  const refreshed = await check(
    "POST",
    "/api/mqtt/tokens/refresh",
    "/api/mqtt/tokens/refresh",
    { body: refreshBody },
    200,
  );
  const v2Body = {
    token_id: minted.body.token_id,
    current_token_password: refreshed.body.mqtt_credentials.password,
  };
  await check("POST", "/v2/tokens/refresh", "/v2/tokens/refresh", { as: null, body: v2Body }, 200);
  await check("POST", "/v2/tokens/refresh", "/v2/tokens/refresh", { as: null, body: v2Body }, 401);
  await check("DELETE", "/api/mqtt/tokens/{id}", `/api/mqtt/tokens/${minted.body.token_id}`, {}, 200);
  await check("DELETE", "/api/mqtt/tokens/{id}", "/api/mqtt/tokens/not-a-uuid", {}, 400);
  await check("DELETE", "/api/mqtt/tokens/{id}", `/api/mqtt/tokens/${crypto.randomUUID()}`, {}, 404);

  const create = {
    organization_id: "org_tessera",
    secret_key: tessera.adminToken,
    user_email: `v2-${process.pid}@example.com`,
  };
  await check("POST", "/v2/tokens/create", "/v2/tokens/create", { as: null, body: create }, 200);
  await check(
    "POST",
    "/v2/tokens/create",
    "/v2/tokens/create",
    { as: null, body: { ...create, secret_key: "eyJ.bad.token" } },
    403,
  );
  await check("GET", "/v2/tokens/create", "/v2/tokens/create", { as: null }, 405);

  const id = `doc-dev-${process.pid}`;
  await check("POST", "/api/devices", "/api/devices", { body: { id } }, 200);
  await check("POST", "/api/devices", "/api/devices", { body: { id: "bad id!" } }, 400);
  await check("GET", "/api/devices", "/api/devices", {}, 200);
  await check("GET", "/api/devices/{id}/bridge-config", `/api/devices/${id}/bridge-config`, {}, 200);
  await check("GET", "/api/devices/{id}/bridge-config", "/api/devices/nobody/bridge-config", {}, 404);
  await check("DELETE", "/api/devices/{id}", `/api/devices/${id}`, {}, 200);
  await check("DELETE", "/api/devices/{id}", `/api/devices/${id}`, {}, 404);
});

test("the broker API and its status: real answers match the document", async () => {
  await check("GET", "/api/broker/status", "/api/broker/status", { as: "monitoringViewer" }, 200);
  await check("GET", "/api/broker/clients", "/api/broker/clients", { as: "monitoringViewer" }, 403);
  await check("GET", "/api/broker/clients", "/api/broker/clients?limit=5", { as: "viewer" }, 200);
  await check("GET", "/api/broker/clients", "/api/broker/clients?limit=0", { as: "viewer" }, 400);
  const username = `doc-client-${process.pid}`;
  const rolename = `doc-role-${process.pid}`;
  const groupname = `doc-group-${process.pid}`;
  const role = { rolename, acls: [{ acltype: "subscribePattern", topic: "doc/#", priority: 1, allow: true }] };
  await check("POST", "/api/broker/roles", "/api/broker/roles", { as: "editor", body: role }, 200);
  await check("POST", "/api/broker/roles", "/api/broker/roles", { as: "viewer", body: role }, 403);
  await check("GET", "/api/broker/roles", "/api/broker/roles", { as: "viewer" }, 200);
  await check("GET", "/api/broker/roles/{rolename}", `/api/broker/roles/${rolename}`, { as: "viewer" }, 200);
  await check("GET", "/api/broker/roles/{rolename}", "/api/broker/roles/no-such-role", { as: "viewer" }, 404);
  await check(
    "PATCH",
    "/api/broker/roles/{rolename}",
    `/api/broker/roles/${rolename}`,
    { as: "editor", body: { textname: "Documented" } },
    200,
  );
  const acl = { acltype: "publishClientSend", topic: "doc/x", priority: 0, allow: true };
  await check("POST", "/api/broker/roles/{rolename}/acls", `/api/broker/roles/${rolename}/acls`, { body: acl }, 200);
  await check(
    "DELETE",
    "/api/broker/roles/{rolename}/acls",
    `/api/broker/roles/${rolename}/acls?acltype=publishClientSend&topic=doc%2Fx`,
    {},
    200,
  );

  const client = { username, password: "doc-password-1", roles: [{ rolename }] };
  await check("POST", "/api/broker/clients", "/api/broker/clients", { as: "editor", body: client }, 200);
  await check("POST", "/api/broker/clients", "/api/broker/clients", { as: "editor", body: client }, 409);
  await check("POST", "/api/broker/clients", "/api/broker/clients", { body: { username: "" } }, 400);
  const path = `/api/broker/clients/${username}`;
  await check("GET", "/api/broker/clients/{username}", path, { as: "viewer" }, 200);
  await check("GET", "/api/broker/clients/{username}", "/api/broker/clients/nobody-here", { as: "viewer" }, 404);
  await check("PATCH", "/api/broker/clients/{username}", path, { body: { textname: "Doc" } }, 200);
  await check("PUT", "/api/broker/clients/{username}/password", `${path}/password`, { body: {} }, 200);
  await check("POST", "/api/broker/clients/{username}/disable", `${path}/disable`, {}, 200);
  await check("POST", "/api/broker/clients/{username}/enable", `${path}/enable`, {}, 200);
  // The admin client is Tessera's own: refused by the generic API.
  await check(
    "POST",
    "/api/broker/clients/{username}/disable",
    `/api/broker/clients/${broker.adminUsername}/disable`,
    {},
    409,
  );

  await check("POST", "/api/broker/groups", "/api/broker/groups", { body: { groupname } }, 200);
  await check("GET", "/api/broker/groups", "/api/broker/groups", { as: "viewer" }, 200);
  const group = `/api/broker/groups/${groupname}`;
  await check("GET", "/api/broker/groups/{groupname}", group, { as: "viewer" }, 200);
  await check("PATCH", "/api/broker/groups/{groupname}", group, { body: { textname: "Doc group" } }, 200);
  await check("POST", "/api/broker/groups/{groupname}/clients", `${group}/clients`, { body: { username } }, 200);
  await check("DELETE", "/api/broker/groups/{groupname}/clients/{username}", `${group}/clients/${username}`, {}, 200);
  await check("POST", "/api/broker/groups/{groupname}/roles", `${group}/roles`, { body: { rolename } }, 200);
  await check("DELETE", "/api/broker/groups/{groupname}/roles/{rolename}", `${group}/roles/${rolename}`, {}, 200);
  await check("GET", "/api/broker/anonymous-group", "/api/broker/anonymous-group", { as: "viewer" }, 200);
  await check("PUT", "/api/broker/anonymous-group", "/api/broker/anonymous-group", { body: { groupname } }, 200);
  await check("GET", "/api/broker/default-acl", "/api/broker/default-acl", { as: "viewer" }, 200);
  await check(
    "PUT",
    "/api/broker/default-acl",
    "/api/broker/default-acl",
    { body: { acls: [{ acltype: "subscribe", allow: false }] } },
    200,
  );
  await check("DELETE", "/api/broker/clients/{username}", path, {}, 200);
  await check("DELETE", "/api/broker/roles/{rolename}", `/api/broker/roles/${rolename}`, {}, 200);
  await check("POST", "/api/broker/status", "/api/broker/status", {}, 405);
});

test("the console's API page lists every served operation with its permission; the session's answers match", async () => {
  const { cookie } = await signIn(tessera.url, "admin", ADMIN_PASSWORD);
  assert.ok(cookie, "signed in");
  const page = await fetch(`${tessera.url}/api-docs`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  const served = Object.entries(doc.paths).flatMap(([, item]) =>
    Object.values(item).filter((op) => op["x-served"] !== false),
  );
  assert.equal(html.split('data-testid="api-operation"').length - 1, served.length);
  for (const text of [
    "/api/broker/status",
    "broker:status (admin, editor, viewer, connectionManager, monitoringViewer)",
    "/v2/tokens/create",
    "/api/openapi.json",
    // Shared answers (components.responses) are shown with their descriptions.
    "No credentials were sent",
    "Token not found or was revoked: the token is invalid",
  ])
    assert.ok(html.includes(text), text);
  assert.ok(!/<script[^>]+src="https?:/.test(html), "no external scripts");
  const signedOut = await fetch(`${tessera.url}/api-docs`, { redirect: "manual" });
  assert.ok([302, 303, 307].includes(signedOut.status), `signed out: ${signedOut.status}`);

  const me = await check("GET", "/api/me", "/api/me", { as: null, headers: { cookie } }, 200);
  assert.equal(me.body.kind, "session");
  await check(
    "DELETE",
    "/api/me/sessions",
    "/api/me/sessions",
    { as: null, headers: { cookie, origin: tessera.url } },
    200,
  );
});
