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
 * The permission each API path needs, for the middleware's early check.
 * Route handlers name their permission in withAuth; a test checks that each
 * agrees with this table.
 */
export const ROUTE_PERMISSIONS: { pattern: RegExp; permission: Permission }[] = [
  { pattern: /^\/api\/tokens(\/.*)?$/, permission: "tokens:manage" },
  { pattern: /^\/api\/me(\/sessions)?\/?$/, permission: "me:read" },
  { pattern: /^\/api\/metrics\/?$/, permission: "metrics:read" },
  { pattern: /^\/api\/mqtt\/tokens(\/.*)?$/, permission: "mqtt:credentials" },
  { pattern: /^\/api\/devices(\/.*)?$/, permission: "devices:manage" },
];

/** API paths that need no credentials at all. */
export const PUBLIC_API_PATHS = [/^\/api\/health\/?$/, /^\/api\/auth(\/.*)?$/];

export function routePermission(pathname: string): Permission | undefined {
  return ROUTE_PERMISSIONS.find((route) => route.pattern.test(pathname))?.permission;
}
