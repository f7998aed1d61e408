// The one permission table: which role may do what. Edge-safe (middleware
// uses it for the early, stateless check; withAuth for the authoritative one).

export const ROLES = ["admin", "editor", "viewer", "connectionManager", "monitoringViewer"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** GET /api/me: who am I; DELETE /api/me/sessions: sign out everywhere. */
  "me:read": ["admin", "editor", "viewer", "connectionManager", "monitoringViewer"],
  /** List, create, inspect and revoke application tokens (/api/tokens*). */
  "tokens:manage": ["admin"],
  /** Read the server's counters (/api/metrics). */
  "metrics:read": ["admin", "monitoringViewer"],
  /** Mint, refresh, list and revoke end users' MQTT credentials (/api/mqtt/tokens*, /v2/tokens/create). */
  "mqtt:credentials": ["admin", "connectionManager"],
  /** Register, list and remove devices that get REST tokens over MQTT (/api/devices*). */
  "devices:manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/**
 * Every authenticated route and the permission it needs, the one place a
 * route's permission is written: the middleware reads it for its early check
 * of an app token's role, withAuth for the authoritative check, and the 405
 * answers of a route's other methods stand behind the same one. A segment in
 * brackets matches one path segment, as in app/. A test requires an entry for
 * every route file and a route file for every entry.
 */
export const ROUTES = {
  "/api/tokens": "tokens:manage",
  "/api/tokens/[hash]": "tokens:manage",
  "/api/me": "me:read",
  "/api/me/sessions": "me:read",
  "/api/metrics": "metrics:read",
  "/api/mqtt/tokens": "mqtt:credentials",
  "/api/mqtt/tokens/refresh": "mqtt:credentials",
  "/api/mqtt/tokens/[id]": "mqtt:credentials",
  "/api/devices": "devices:manage",
  "/api/devices/[id]": "devices:manage",
  "/api/devices/[id]/bridge-config": "devices:manage",
  // The seed's create: the app token is in the body (secret_key), so the middleware does not see it.
  "/v2/tokens/create": "mqtt:credentials",
} as const satisfies Record<string, Permission>;

const ROUTE_PATTERNS = Object.entries(ROUTES)
  .map(([route, permission]) => {
    const path = route.replace(/\[[^\]]+\]/g, "[^/]+");
    return {
      segments: route.split("/").length,
      literal: !route.includes("["),
      exact: new RegExp(`^${path}/?$`),
      below: new RegExp(`^${path}/`),
      permission,
    };
  })
  // Literal routes before parameterised ones ("/api/mqtt/tokens/refresh" is not an [id]), deeper before shallower.
  .sort((a, b) => Number(b.literal) - Number(a.literal) || b.segments - a.segments);

/** API paths that need no credentials at all. */
export const PUBLIC_API_PATHS = [/^\/api\/health\/?$/, /^\/api\/auth(\/.*)?$/];

/**
 * The permission a path needs: its route's, or for a path below a route that
 * no route serves (a 404 to be) the nearest route above it's, so that nothing
 * under /api/tokens is even answered to a token without tokens:manage.
 * Undefined for paths outside every route (and the public ones).
 */
export function routePermission(pathname: string): Permission | undefined {
  return (
    ROUTE_PATTERNS.find((route) => route.exact.test(pathname)) ??
    ROUTE_PATTERNS.find((route) => route.below.test(pathname))
  )?.permission;
}
