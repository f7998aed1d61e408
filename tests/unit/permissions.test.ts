import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { can, PERMISSIONS, PUBLIC_API_PATHS, ROLES, routePermission } from "../../lib/auth/permissions.ts";

/** Every app/api route file with its URL path ([hash] becomes a sample value). */
function apiRoutes(): { file: string; url: string; source: string }[] {
  return readdirSync("app/api", { recursive: true })
    .map(String)
    .filter((file) => file.endsWith("route.ts"))
    .map((file) => {
      const url = "/api/" + path.dirname(file).replace(/\[[^\]]+\]/g, "0".repeat(64));
      return { file: path.join("app/api", file), url, source: readFileSync(path.join("app/api", file), "utf8") };
    });
}

test("every API handler goes through withAuth with the permission middleware.ts expects for its path", () => {
  const routes = apiRoutes();
  assert.ok(routes.length >= 3);
  for (const route of routes) {
    if (PUBLIC_API_PATHS.some((pattern) => pattern.test(route.url))) continue;
    const handlers = [...route.source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\s*=\s*withAuth\(/g)];
    const exported = [
      ...route.source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g),
    ];
    assert.equal(handlers.length, exported.length, `${route.file}: every handler must be written through withAuth`);
    const named = [...route.source.matchAll(/permission: "([^"]+)"/g)].map((match) => match[1]);
    assert.equal(named.length, handlers.length, `${route.file}: each handler names one permission`);
    for (const permission of named)
      assert.equal(permission, routePermission(route.url), `${route.file}: middleware and handler agree`);
  }
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
