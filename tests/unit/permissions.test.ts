import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import {
  can,
  PERMISSIONS,
  PUBLIC_API_PATHS,
  ROLES,
  ROUTES,
  routePermission,
  rulePermission,
  type RouteRule,
} from "../../lib/auth/permissions.ts";

/** Every route file under app/api and app/v2, as its route template ("/api/tokens/[hash]"). */
function routeFiles(): string[] {
  return ["api", "v2"].flatMap((root) =>
    readdirSync(path.join("app", root), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith("route.ts"))
      .map((file) => `/${root}/${path.dirname(file)}`),
  );
}

/**
 * Routes that take no app token or session: public, next-auth's own, the seed's refresh (its MQTT password is the
 * credential) and the cron route (CRON_SECRET is).
 */
const WITHOUT_CALLER = [
  "/api/auth/[...nextauth]",
  "/api/cron/sweep",
  "/api/health",
  "/api/openapi.json",
  "/api/well-known/jwks",
  "/v2/tokens/refresh",
];

test("every route file has its permission in ROUTES, and every entry of ROUTES is a route file", () => {
  const files = routeFiles();
  assert.ok(files.length >= 10, `route files found (${files.length})`);
  for (const file of files) {
    assert.ok(file in ROUTES || WITHOUT_CALLER.includes(file), `${file}: a permission in lib/auth/permissions.ts`);
  }
  for (const route of Object.keys(ROUTES)) assert.ok(files.includes(route), `${route}: a route file for the entry`);
  for (const route of WITHOUT_CALLER.filter((route) => route.startsWith("/api/"))) {
    const sample = route.replace(/\[[^\]]+\]/g, "x");
    assert.ok(
      PUBLIC_API_PATHS.some((pattern) => pattern.test(sample)),
      `${route}: the middleware lets it through without credentials`,
    );
  }
});

test("routePermission finds each route's own permission from a concrete path", () => {
  const hash = "0".repeat(64);
  const expected: [string, string | undefined][] = [
    ["/api/tokens", "tokens:manage"],
    ["/api/tokens/", "tokens:manage"],
    [`/api/tokens/${hash}`, "tokens:manage"],
    [`/api/tokens/${hash}/x/y`, "tokens:manage"], // nothing below /api/tokens answers a token without the permission
    ["/api/me", "me:read"],
    ["/api/me/sessions", "me:read"],
    ["/api/metrics", "metrics:read"],
    ["/api/audit", "audit:read"],
    [`/api/tokens/${hash}/usage`, "tokens:manage"],
    ["/api/tokens/usage", "tokens:manage"],
    ["/api/mqtt/tokens/refresh", "mqtt:credentials"],
    ["/api/mqtt/tokens/3f0c1c7e-0000-4000-8000-000000000000", "mqtt:credentials"],
    ["/api/devices/dev-1/bridge-config", "devices:manage"],
    ["/v2/tokens/create", "mqtt:credentials"],
    ["/api/tokensx", undefined],
    ["/api/nothing-here", undefined],
    ["/api/health", undefined],
  ];
  for (const [pathname, permission] of expected) assert.equal(routePermission(pathname), permission, pathname);
});

test("the permission table: admin may do everything; only admin manages tokens; every role may ask who it is", () => {
  for (const permission of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[])
    assert.ok(can("admin", permission));
  assert.deepEqual(
    ROLES.filter((role) => can(role, "tokens:manage")),
    ["admin"],
  );
  assert.deepEqual(
    ROLES.filter((role) => can(role, "me:read")),
    [...ROLES],
  );
});

test("a route with a permission per method: each method its own, HEAD as GET, any other method the route's first", () => {
  const client = "/api/broker/clients/some%20client";
  const expected: [string, string, string | undefined][] = [
    ["GET", "/api/broker/clients", "dynsec:clients:read"],
    ["HEAD", "/api/broker/clients", "dynsec:clients:read"],
    ["POST", "/api/broker/clients", "dynsec:write"],
    ["PUT", "/api/broker/clients", "dynsec:clients:read"], // its 405 stands behind the first permission
    ["GET", client, "dynsec:clients:read"],
    ["PATCH", client, "dynsec:write"],
    ["DELETE", client, "dynsec:write"],
    ["POST", `${client}/enable`, "broker:connections"],
    ["POST", `${client}/disable`, "broker:connections"],
    ["GET", `${client}/enable`, "broker:connections"],
    ["PUT", `${client}/password`, "dynsec:write"],
    ["GET", `${client}/nothing/below`, "dynsec:clients:read"], // below a route: its first permission, whatever the method
    ["DELETE", `${client}/nothing/below`, "dynsec:clients:read"],
    ["GET", "/api/broker/roles/r1", "dynsec:read"],
    ["DELETE", "/api/broker/roles/r1/acls", "dynsec:write"],
    ["DELETE", "/api/broker/groups/g1/clients/c1", "dynsec:write"],
    ["PUT", "/api/broker/anonymous-group", "dynsec:write"],
    ["GET", "/api/broker/default-acl", "dynsec:read"],
    ["GET", "/api/broker/status", "broker:status"],
    ["POST", "/api/broker/status", "broker:status"],
    ["GET", "/api/broker", undefined],
    ["DELETE", "/api/tokens/x", "tokens:manage"],
  ];
  for (const [method, pathname, permission] of expected) {
    assert.equal(routePermission(pathname, method), permission, `${method} ${pathname}`);
  }
  assert.equal(rulePermission({ POST: "dynsec:write", GET: "dynsec:read" }, "OPTIONS"), "dynsec:write");
});

test("a route's per-method permissions name exactly the methods its route file serves", () => {
  for (const [route, rule] of Object.entries(ROUTES) as [string, RouteRule][]) {
    const source = readFileSync(path.join("app", route.slice(1), "route.ts"), "utf8");
    const served = /otherMethods\(\[([^\]]*)\]\)/.exec(source)?.[1]?.match(/[A-Z]+/g);
    assert.ok(served, `${route}: the route answers its other methods with otherMethods([...])`);
    if (typeof rule !== "string") assert.deepEqual([...served].sort(), Object.keys(rule).sort(), route);
  }
});

test("the broker's roles: editor writes, viewer reads, connectionManager enables and reads clients, all see status", () => {
  const who = (permission: keyof typeof PERMISSIONS) => ROLES.filter((role) => can(role, permission));
  assert.deepEqual(who("dynsec:write"), ["admin", "editor"]);
  assert.deepEqual(who("dynsec:read"), ["admin", "editor", "viewer"]);
  assert.deepEqual(who("dynsec:clients:read"), ["admin", "editor", "viewer", "connectionManager"]);
  assert.deepEqual(who("broker:connections"), ["admin", "editor", "connectionManager"]);
  assert.deepEqual(
    who("broker:status"),
    ROLES.filter((role) => role !== "introspector"),
  );
  // monitoringViewer reads the status, the counters and who it is, and may rotate its own token; nothing else
  assert.deepEqual(
    (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((p) => can("monitoringViewer", p)),
    ["me:read", "tokens:rotate-self", "metrics:read", "broker:status"],
  );
  // introspector checks tokens presented to its service, and may ask who it is and rotate itself; nothing else
  assert.deepEqual(
    (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((p) => can("introspector", p)),
    ["me:read", "tokens:introspect", "tokens:rotate-self"],
  );
});
