import type { NextRequest } from "next/server";
import { MESSAGES } from "../api/error-codes.ts";
import { ApiError, invalidTokenError, rateLimitedError, unauthenticatedError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { tokenSettings, verifyAppToken, type AppTokenClaims } from "../tokens/app-token.ts";
import { clientAddress } from "./client-address.ts";
import { readCredentials } from "./credentials.ts";
import { can, routePermission, type Permission } from "./permissions.ts";
import { isSameOriginWrite, readSession, type SessionClaims } from "./session-token.ts";
import { countInMemory, type FailureCounter } from "./throttle.ts";

// The stateless half of authentication: everything the request alone proves.
// Where the credential is (Bearer, ?token=, the session cookie, or a token in
// the body), an app token's signature and claims (one verifier, jose), a
// session cookie's decryption (next-auth's own decode), the same-origin rule
// for cookie writes, and throttling of clients that keep sending bad tokens.
// Edge-safe: the middleware runs it as the first gate; withAuth runs it again
// from scratch and then the stateful half (lib/auth/authenticate.ts).
//
// Throttling only ever turns a refusal into a 429: a client over the limit is
// told to back off instead of getting another 403, while a correctly signed
// token from the same address (say, another client behind the same NAT) is
// still served. Where a failure is counted is the caller's: in memory by
// default (the middleware, the embedded mode), in PostgreSQL for withAuth on
// a shared database (lib/auth/shared-throttle.ts).

export type RequestCheck =
  | { kind: "token"; token: string; claims: AppTokenClaims; address: string }
  | { kind: "session"; session: SessionClaims; address: string };

type Settings = Pick<
  Env,
  | "TESSERA_TOKEN_KEYS"
  | "TESSERA_SIGNING_KEYS"
  | "TESSERA_TOKEN_ALG"
  | "TESSERA_ISSUER"
  | "TESSERA_PUBLIC_URL"
  | "NEXTAUTH_URL"
  | "NEXTAUTH_SECRET"
  | "TESSERA_APP_TOKENS_ENABLED"
  | "TESSERA_TRUST_PROXY"
  | "TESSERA_AUTH_FAILURES_PER_MINUTE"
  | "TESSERA_MQTT_URL"
>;

/** The refusals refuse() counted and answered with their own error (not a 429). */
const counted = new WeakSet<ApiError>();

/** Records a failed attempt and answers it: the given error, or 429 once the address is over the limit. */
export async function refuse(
  address: string,
  error: ApiError,
  limit: number,
  count: FailureCounter = countInMemory,
): Promise<ApiError> {
  const wait = await count(address, limit);
  if (wait > 0) return rateLimitedError(wait);
  counted.add(error);
  return error;
}

/** True for a bad credential refused (and counted) by refuse(), not yet throttled: what the middleware may pass on. */
export function isCountedRefusal(error: unknown): boolean {
  return error instanceof ApiError && counted.has(error);
}

/**
 * Who the request says it is, as far as the request alone can prove it; an
 * ApiError (401, 403, 400, 429) otherwise. `bodyToken` is an app token taken
 * from the JSON body (the seed's /v2 secret_key): then only that counts.
 * `count` is where a bad credential is counted (refuse()).
 */
export async function checkRequest(
  request: NextRequest,
  settings: Settings,
  bodyToken?: string,
  count: FailureCounter = countInMemory,
): Promise<RequestCheck> {
  const address = clientAddress(request, settings.TESSERA_TRUST_PROXY);
  const limit = settings.TESSERA_AUTH_FAILURES_PER_MINUTE;
  let token = bodyToken;
  if (token === undefined) {
    const credentials = readCredentials(request);
    // With app tokens switched off, a token in the request is no credential at all.
    if (credentials.kind === "none" || (credentials.kind === "token" && !settings.TESSERA_APP_TOKENS_ENABLED)) {
      return checkSession(request, settings, address);
    }
    if (credentials.kind === "invalid") {
      throw await refuse(address, new ApiError("bad_request", credentials.reason), limit, count);
    }
    token = credentials.token;
  }
  const claims = settings.TESSERA_APP_TOKENS_ENABLED ? await verifyAppToken(tokenSettings(settings), token) : null;
  if (!claims) throw await refuse(address, invalidTokenError(), limit, count);
  return { kind: "token", token, claims, address };
}

async function checkSession(request: NextRequest, settings: Settings, address: string): Promise<RequestCheck> {
  const session = await readSession(request.cookies, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL);
  if (!session) throw unauthenticatedError();
  if (!isSameOriginWrite(request, settings.NEXTAUTH_URL, settings.TESSERA_TRUST_PROXY)) {
    throw new ApiError("forbidden", MESSAGES.crossOrigin);
  }
  return { kind: "session", session, address };
}

/** 404 for a route of a switched-off feature (the seed's "plugin disabled"), before any credential is looked at. */
export function assertFeatureEnabled(permission: Permission | undefined, settings: Settings): void {
  if (permission && TOKEN_PERMISSIONS.has(permission) && !settings.TESSERA_APP_TOKENS_ENABLED) {
    throw new ApiError("not_found", MESSAGES.pluginDisabled);
  }
  if (permission && BROKER_PERMISSIONS.has(permission) && !settings.TESSERA_MQTT_URL) {
    throw new ApiError("not_found", MESSAGES.brokerNotConfigured);
  }
}

/** The permissions of /api/tokens*: those routes answer 404 "Plugin is not enabled" with app tokens switched off. */
const TOKEN_PERMISSIONS = new Set<Permission>(["tokens:manage", "tokens:introspect", "tokens:rotate-self"]);

/** The permissions of /api/broker/*: those routes exist only when Tessera is configured for a broker. */
const BROKER_PERMISSIONS = new Set<Permission>([
  "broker:status",
  "dynsec:clients:read",
  "dynsec:read",
  "dynsec:write",
  "broker:connections",
]);

/**
 * The first gate's whole decision for an API path (middleware.ts): the
 * feature, the credential, and an app token's role against the route's
 * permission (its role is in its signed claims). A session's role is not
 * judged here: the cookie holds the role at sign-in, and only the database's
 * current one counts (withAuth).
 */
export async function checkApiRequest(request: NextRequest, settings: Settings): Promise<void> {
  const permission = routePermission(request.nextUrl.pathname, request.method);
  assertFeatureEnabled(permission, settings);
  const check = await checkRequest(request, settings);
  if (check.kind === "token" && permission && !can(check.claims.role, permission)) {
    throw new ApiError("forbidden", MESSAGES.forbidden);
  }
}
