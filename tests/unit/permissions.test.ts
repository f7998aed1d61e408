import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { can, PERMISSIONS, PUBLIC_API_PATHS, ROLES, ROUTES, routePermission } from "../../lib/auth/permissions.ts";

/** Every route file under app/api and app/v2, as its route template ("/api/tokens/[hash]"). */
function routeFiles(): string[] {
  return ["api", "v2"].flatMap((root) =>
    readdirSync(path.join("app", root), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith("route.ts"))
      .map((file) => `/${root}/${path.dirname(file)}`),
  );
}

/** Routes that take no app token or session: public, next-auth's own, and the seed's refresh (its MQTT password is the credential). */
const WITHOUT_CALLER = ["/api/auth/[...nextauth]", "/api/health", "/api/openapi.json", "/v2/tokens/refresh"];

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
