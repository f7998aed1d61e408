// Engine-independent: the OpenAPI document against the route files and the permission table.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { MESSAGES } from "../lib/api/error-codes.ts";
import { routePermission } from "../lib/auth/permissions.ts";
import { call } from "./helpers/instance.ts";
import { signIn } from "./helpers/session.ts";
import { routeExports, routeFiles } from "./helpers/openapi.ts";
import { inDays, INVALID, uniqueName } from "./helpers/tokens.ts";
import { ADMIN_PASSWORD, setUpOpenApiServer } from "./helpers/openapi-server.ts";

// GET /api/openapi.json from a real server: a valid OpenAPI 3.1 document that
// names every route file and every method it exports, and real answers of
// the API (successes and errors) valid against what it documents.

const server = setUpOpenApiServer();
const { check } = server;

test("public, cacheable, the same bytes every time, and a valid OpenAPI 3.1 document", async () => {
  const first = await fetch(`${server.tessera.url}/api/openapi.json`);
  const second = await fetch(`${server.tessera.url}/api/openapi.json`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("content-type"), "application/json");
  assert.equal(first.headers.get("cache-control"), "public, max-age=300");
  const etag = first.headers.get("etag")!;
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(await first.text(), await second.text());
  const again = await fetch(`${server.tessera.url}/api/openapi.json`, { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  const post = await call(`${server.tessera.url}/api/openapi.json`, { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.body, "Method POST is not allowed here; this path allows GET, HEAD, OPTIONS");

  const validator = new Validator();
  const result = await validator.validate(structuredClone(server.doc));
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
  assert.equal(server.doc.openapi, "3.1.0");
  const schemes = (server.doc.components as { securitySchemes: Record<string, { type: string; in?: string }> })
    .securitySchemes;
  assert.deepEqual(
    Object.entries(schemes).map(([name, scheme]) => [name, scheme.type, scheme.in]),
    [
      ["bearer", "http", undefined],
      ["queryToken", "apiKey", "query"],
      ["sessionCookie", "apiKey", "cookie"],
      ["cronSecret", "http", undefined],
    ],
  );
});

test("every route file in app/ and every method it exports is an operation; each names its permission", () => {
  const files = routeFiles();
  assert.ok(files.includes("/api/broker/status") && files.includes("/v2/tokens/create"), files.join(" "));
  const documented = Object.keys(server.doc.paths).sort();
  const expected = files.map((route) => route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}")).sort();
  assert.deepEqual(documented, expected);
  for (const route of files) {
    const item = server.doc.paths[route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}")]!;
    const { served, refused } = routeExports(route);
    assert.ok(served.length > 0, `${route} serves something`);
    for (const method of served) {
      const op = item[method.toLowerCase()];
      assert.ok(op, `${method} ${route} documented`);
      assert.notEqual(op["x-served"], false, `${method} ${route} documented as served`);
      assert.ok((op.responses as Record<string, unknown>)["200"], `${method} ${route}: its success`);
      const permission = routePermission(route.replace(/\[[^\]]+\]/g, "x"), method);
      const publicRoute =
        ["/api/health", "/api/openapi.json", "/v2/tokens/refresh", "/api/cron/sweep"].includes(route) ||
        route.startsWith("/api/auth/");
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
  const body = { name: uniqueName("server.doc"), role: "viewer", validUntil: inDays(2) };
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

test("the console's API page lists every served operation with its permission; the session's answers match", async () => {
  const { cookie } = await signIn(server.tessera.url, "admin", ADMIN_PASSWORD);
  assert.ok(cookie, "signed in");
  const page = await fetch(`${server.tessera.url}/api-docs`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  const served = Object.entries(server.doc.paths).flatMap(([, item]) =>
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
  const signedOut = await fetch(`${server.tessera.url}/api-docs`, { redirect: "manual" });
  assert.ok([302, 303, 307].includes(signedOut.status), `signed out: ${signedOut.status}`);

  const me = await check("GET", "/api/me", "/api/me", { as: null, headers: { cookie } }, 200);
  assert.equal(me.body.kind, "session");
  await check(
    "DELETE",
    "/api/me/sessions",
    "/api/me/sessions",
    { as: null, headers: { cookie, origin: server.tessera.url } },
    200,
  );
});
