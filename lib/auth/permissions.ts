// The one permission table: which role may do what. Edge-safe (middleware
// uses it for the early, stateless check; withAuth for the authoritative one).

export const ROLES = ["admin", "editor", "viewer", "connectionManager", "monitoringViewer", "introspector"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** GET /api/me: who am I; DELETE /api/me/sessions: sign out everywhere. */
  "me:read": ["admin", "editor", "viewer", "connectionManager", "monitoringViewer", "introspector"],
  /** List, create, inspect, rotate, disable, enable and revoke application tokens (/api/tokens*). */
  "tokens:manage": ["admin"],
  /**
   * Ask whether a token presented to another service is active, and what it is (POST /api/tokens/introspect,
   * RFC 7662). The introspector role exists for this: a resource server's own token, which can do nothing else.
   */
  "tokens:introspect": ["admin", "introspector"],
  /** An application token replaces itself (POST /api/tokens/self/rotate): any token, for its own renewal. */
  "tokens:rotate-self": ["admin", "editor", "viewer", "connectionManager", "monitoringViewer", "introspector"],
  /** Read the server's counters (/api/metrics). */
  "metrics:read": ["admin", "monitoringViewer"],
  /** Read the audit log (/api/audit). */
  "audit:read": ["admin"],
  /** Register, change, test and delete webhook endpoints and read their delivery logs (/api/webhooks*). */
  "webhooks:manage": ["admin"],
  /** Mint, refresh, list and revoke end users' MQTT credentials (/api/mqtt/tokens*, /v2/tokens/create). */
  "mqtt:credentials": ["admin", "connectionManager"],
  /** Register, list and remove devices that get REST tokens over MQTT (/api/devices*). */
  "devices:manage": ["admin"],
  /** The broker's $SYS snapshot (GET /api/broker/status). */
  "broker:status": ["admin", "editor", "viewer", "connectionManager", "monitoringViewer"],
  /** List and read the broker's dynamic security clients (a connection manager must see what it enables). */
  "dynsec:clients:read": ["admin", "editor", "viewer", "connectionManager"],
  /** Read the broker's dynamic security roles, groups, anonymous group and default ACL access. */
  "dynsec:read": ["admin", "editor", "viewer"],
  /** Create, modify and delete dynamic security clients, roles, groups and ACLs; set passwords and the defaults. */
  "dynsec:write": ["admin", "editor"],
  /** Enable and disable broker clients (disabling drops their connections). */
  "broker:connections": ["admin", "editor", "connectionManager"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

/** A route's permission: one for all its methods, or one per method (HEAD is GET's). */
export type RouteRule = Permission | Readonly<Partial<Record<Exclude<Method, "HEAD">, Permission>>>;

/**
 * Every authenticated route and the permission it needs, the one place a
 * route's permission is written: the middleware reads it for its early check
 * of an app token's role, withAuth for the authoritative check, and the 405
 * answers of a route's other methods stand behind the route's first
 * permission. A segment in brackets matches one path segment, as in app/. A
 * test requires an entry for every route file and a route file for every
 * entry, and the role x endpoint matrix is generated from this table.
 */
export const ROUTES = {
  "/api/tokens": "tokens:manage",
  "/api/tokens/[hash]": "tokens:manage",
  "/api/tokens/[hash]/rotate": { POST: "tokens:manage" },
  "/api/tokens/[hash]/disable": { POST: "tokens:manage" },
  "/api/tokens/[hash]/enable": { POST: "tokens:manage" },
  // Literal routes: matched before /api/tokens/[hash] (a hash is 64 hex characters, so they never collide).
  "/api/tokens/introspect": { POST: "tokens:introspect" },
  "/api/tokens/self/rotate": { POST: "tokens:rotate-self" },
  "/api/tokens/[hash]/usage": { GET: "tokens:manage" },
  "/api/tokens/usage": { GET: "tokens:manage" },
  "/api/audit": { GET: "audit:read" },
  "/api/webhooks": { GET: "webhooks:manage", POST: "webhooks:manage" },
  "/api/webhooks/[id]": { GET: "webhooks:manage", PATCH: "webhooks:manage", DELETE: "webhooks:manage" },
  "/api/webhooks/[id]/deliveries": { GET: "webhooks:manage" },
  "/api/webhooks/[id]/test": { POST: "webhooks:manage" },
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
  // The broker (lib/broker): its $SYS status and its dynamic security.
  "/api/broker/status": "broker:status",
  "/api/broker/clients": { GET: "dynsec:clients:read", POST: "dynsec:write" },
  "/api/broker/clients/[username]": { GET: "dynsec:clients:read", PATCH: "dynsec:write", DELETE: "dynsec:write" },
  "/api/broker/clients/[username]/password": { PUT: "dynsec:write" },
  "/api/broker/clients/[username]/enable": { POST: "broker:connections" },
  "/api/broker/clients/[username]/disable": { POST: "broker:connections" },
  "/api/broker/roles": { GET: "dynsec:read", POST: "dynsec:write" },
  "/api/broker/roles/[rolename]": { GET: "dynsec:read", PATCH: "dynsec:write", DELETE: "dynsec:write" },
  "/api/broker/roles/[rolename]/acls": { POST: "dynsec:write", DELETE: "dynsec:write" },
  "/api/broker/groups": { GET: "dynsec:read", POST: "dynsec:write" },
  "/api/broker/groups/[groupname]": { GET: "dynsec:read", PATCH: "dynsec:write", DELETE: "dynsec:write" },
  "/api/broker/groups/[groupname]/clients": { POST: "dynsec:write" },
  "/api/broker/groups/[groupname]/clients/[username]": { DELETE: "dynsec:write" },
  "/api/broker/groups/[groupname]/roles": { POST: "dynsec:write" },
  "/api/broker/groups/[groupname]/roles/[rolename]": { DELETE: "dynsec:write" },
  "/api/broker/anonymous-group": { GET: "dynsec:read", PUT: "dynsec:write" },
  "/api/broker/default-acl": { GET: "dynsec:read", PUT: "dynsec:write" },
} as const satisfies Record<string, RouteRule>;

/** The permission a rule names for a method; for a method the route does not serve (its 405), its first one. */
export function rulePermission(rule: RouteRule, method: string = "GET"): Permission {
  if (typeof rule === "string") return rule;
  const key = (method === "HEAD" ? "GET" : method) as keyof typeof rule;
  return rule[key] ?? Object.values(rule)[0]!;
}

const ROUTE_PATTERNS = Object.entries(ROUTES)
  .map(([route, permission]) => {
    const path = route.replace(/\[[^\]]+\]/g, "[^/]+");
    return {
      segments: route.split("/").length,
      literal: !route.includes("["),
      exact: new RegExp(`^${path}/?$`),
      below: new RegExp(`^${path}/`),
      rule: permission as RouteRule,
    };
  })
  // Literal routes before parameterised ones ("/api/mqtt/tokens/refresh" is not an [id]), deeper before shallower.
  .sort((a, b) => Number(b.literal) - Number(a.literal) || b.segments - a.segments);

/**
 * API paths the middleware lets through without an app token or a session: those that need no credentials at all,
 * and the cron route, whose credential is CRON_SECRET (lib/auth/cron-secret.ts checks it; no role may run it).
 */
export const PUBLIC_API_PATHS = [
  /^\/api\/health\/?$/,
  /^\/api\/openapi\.json$/,
  /^\/api\/auth(\/.*)?$/,
  /^\/api\/cron\/sweep\/?$/,
  // The signing keys' public halves (served at /.well-known/jwks.json by a rewrite, next.config.mjs).
  /^\/api\/well-known\/jwks\/?$/,
];

/**
 * The permission a path needs: its route's, or for a path below a route that
 * no route serves (a 404 to be) the nearest route above it's, so that nothing
 * under /api/tokens is even answered to a token without tokens:manage.
 * Undefined for paths outside every route (and the public ones). Below a
 * route, its first permission, whatever the method.
 */
export function routePermission(pathname: string, method: string = "GET"): Permission | undefined {
  const exact = ROUTE_PATTERNS.find((route) => route.exact.test(pathname));
  if (exact) return rulePermission(exact.rule, method);
  const below = ROUTE_PATTERNS.find((route) => route.below.test(pathname));
  return below ? rulePermission(below.rule) : undefined;
}

/** True when a route serves the path (every method of it reaches withAuth: its own handlers and otherMethods'). */
export function isRoutePath(pathname: string): boolean {
  return ROUTE_PATTERNS.some((route) => route.exact.test(pathname));
}
