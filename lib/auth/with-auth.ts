import "server-only";
import { LRUCache } from "lru-cache";
import type { NextRequest } from "next/server";
import { ZodError, type z } from "zod";
import { negotiateVersion } from "../api/api-version.ts";
import { MESSAGES } from "../api/error-codes.ts";
import { ApiError, errorResponse, invalidTokenError, jsonResponse, unauthenticatedError } from "../api/errors.ts";
import { readJsonBody } from "../api/read-body.ts";
import { database } from "../db.ts";
import { isDatabaseUnavailable, prismaCode } from "../db/errors.ts";
import { env } from "../env.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";
import { hashToken } from "../tokens/hash-token.ts";
import { checkToken, refuse } from "./check-token.ts";
import { tokenSettings } from "./app-token.ts";
import { clientAddress } from "./client-address.ts";
import { touchLastUsed } from "./last-used.ts";
import { verifyAppTokenNode } from "./verify-app-token-node.ts";
import { can, type Permission, type Role } from "./permissions.ts";
import { isSameOriginWrite, readSession } from "./session-token.ts";
import { sessionUser } from "../users/sessions.ts";

/** Who is calling: an application token, or a person signed in to the console. */
export type Caller =
  | {
      kind: "token";
      role: Role;
      /** The token's name. */
      name: string;
      /** What "requestedBy" records for what this caller creates: "token:<name>". */
      label: string;
      hash: string;
      validUntil: Date;
      address: string;
      /** Set for a device token (issued over MQTT to this registered device). */
      deviceId?: string;
    }
  | {
      kind: "session";
      role: Role;
      userId: string;
      /** The session's row in user_sessions. */
      sessionId: string;
      /** The username; "requestedBy" records it as it is. */
      name: string;
      label: string;
      address: string;
    };

export interface HandlerContext<Body> {
  req: NextRequest;
  params: Record<string, string>;
  caller: Caller;
  body: Body;
  /** The API version the client asked for (Accept: application/json;version=N). */
  version: number;
}

export interface WithAuthOptions<Body> {
  /** The permission the caller's role must have (lib/auth/permissions.ts). */
  permission: Permission;
  /** A zod schema for a JSON body; without one the body is not read. */
  body?: z.ZodType<Body>;
  /** The route belongs to the application tokens feature (404 when it is switched off). */
  appTokensRoute?: boolean;
  /**
   * Where the credentials are: in the request (Authorization, ?token=, the
   * session cookie; the default), or an app token in a field of the JSON
   * body (the seed's /v2 endpoints send it as secret_key).
   */
  bodyToken?: (body: Body) => string;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The second gate and the only way an API handler is written. It
 * authenticates again from scratch (never trusting middleware), checks
 * revocation in the database, the role's permission, the API version and
 * the body, records lastUsed (throttled, off the request path) and turns
 * every error into its status: ApiError by its code, zod into 400, Prisma
 * P2002 into 409 and P2025 into 404, an unreachable database into 503 (fail
 * closed), anything else into a 500 that logs the detail and shows none.
 */
export function withAuth<Body = undefined>(
  handler: (context: HandlerContext<Body>) => Promise<Response | unknown>,
  options: WithAuthOptions<Body>,
) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    try {
      const settings = env();
      if (options.appTokensRoute && !settings.TESSERA_APP_TOKENS_ENABLED) {
        throw new ApiError("not_found", MESSAGES.pluginDisabled);
      }
      let body: Body | undefined;
      let caller: Caller;
      if (options.bodyToken) {
        body = (await readJsonBody(req, options.body!)) as Body;
        caller = await authenticateToken(req, options.bodyToken(body));
      } else caller = await authenticate(req);
      if (!can(caller.role, options.permission)) throw new ApiError("forbidden", MESSAGES.forbidden);
      const version = negotiateVersion(req);
      if (options.body && !options.bodyToken) body = (await readJsonBody(req, options.body)) as Body;
      const params = Object.fromEntries(
        Object.entries((await context?.params) ?? {}).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.join("/") : value,
        ]),
      );
      const result = await handler({ req, params, caller, body: body as Body, version });
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      return toErrorResponse(error, req);
    }
  };
}

/**
 * For the few routes whose caller proves itself with something other than an
 * app token or a session (POST /v2/tokens/refresh: the current MQTT
 * password, which the handler checks): the same body parsing and error
 * mapping as withAuth, and no caller.
 */
export function withoutCaller<Body>(
  handler: (context: { req: NextRequest; body: Body }) => Promise<Response | unknown>,
  options: { body: z.ZodType<Body> },
) {
  return async (req: NextRequest): Promise<Response> => {
    try {
      const body = await readJsonBody(req, options.body);
      const result = await handler({ req, body });
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      return toErrorResponse(error, req);
    }
  };
}

async function authenticate(req: NextRequest): Promise<Caller> {
  const settings = env();
  const check = await checkToken(req, settings, verifyAppTokenNode);
  if (check.kind === "error") throw check.error;
  if (check.kind === "none") return authenticateSession(req, check.address);

  return callerOfToken(check.token, check.address);
}

/** An app token sent in the body (the seed's secret_key): verified, throttled and looked up exactly like one in a header. */
async function authenticateToken(req: NextRequest, token: string): Promise<Caller> {
  const settings = env();
  const address = clientAddress(req, settings.TESSERA_TRUST_PROXY);
  const limit = settings.TESSERA_AUTH_FAILURES_PER_MINUTE;
  const claims = settings.TESSERA_APP_TOKENS_ENABLED ? verifyAppTokenNode(tokenSettings(settings), token) : null;
  if (!claims) throw refuse(address, invalidTokenError(), limit);
  return callerOfToken(token, address);
}

/**
 * Hashes of correctly signed tokens the database did not have: revoked. A
 * row is never created again for a hash once it is gone (every token has its
 * own random jti, and its row is written before the token is handed out), so
 * "revoked" never turns back into "valid" and the answer can be remembered,
 * which makes refusing a revoked token cheaper than serving a good one. Only
 * tokens with our signature get here, so nobody can fill it at will; bounded.
 */
const revoked = new LRUCache<string, true>({ max: 50_000 });

async function callerOfToken(token: string, address: string): Promise<Caller> {
  const settings = env();
  const check = { token, address };
  const hash = hashToken(check.token);
  if (revoked.has(hash)) throw refuse(check.address, invalidTokenError(), settings.TESSERA_AUTH_FAILURES_PER_MINUTE);
  const [row] = await database().query<{ name: string; role: Role; validUntil: Date; deviceId: string | null }>(
    `SELECT name, role::text AS role, valid_until AS "validUntil", device_id AS "deviceId" FROM application_tokens WHERE hash = $1`,
    [hash],
  );
  if (!row) {
    // Revoked (deleted), or never issued by this database.
    revoked.set(hash, true);
    throw refuse(check.address, invalidTokenError(), settings.TESSERA_AUTH_FAILURES_PER_MINUTE);
  }
  touchLastUsed(hash, check.address, settings.TESSERA_LAST_USED_INTERVAL_SECONDS);
  return {
    kind: "token",
    role: row.role,
    name: row.name,
    label: row.deviceId ? `device:${row.deviceId}` : `token:${row.name}`,
    hash,
    validUntil: row.validUntil,
    address: check.address,
    ...(row.deviceId ? { deviceId: row.deviceId } : {}),
  };
}

async function authenticateSession(req: NextRequest, address: string): Promise<Caller> {
  const settings = env();
  const session = await readSession(req, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL);
  if (!session) throw unauthenticatedError();
  if (!isSameOriginWrite(req, settings.NEXTAUTH_URL, settings.TESSERA_TRUST_PROXY))
    throw new ApiError("forbidden", MESSAGES.crossOrigin);
  // The session and its account are looked up on every request: an ended session (signed out, password or role
  // changed, sign out everywhere) or a deleted account is refused at once, and a changed role applies at once.
  const user = await sessionUser(session.userId, session.sessionId);
  if (!user) throw unauthenticatedError();
  return {
    kind: "session",
    role: user.role,
    userId: user.id,
    sessionId: session.sessionId,
    name: user.username,
    label: user.username,
    address,
  };
}

const AUTH_FAILURES = new Set(["unauthenticated", "invalid_token", "rate_limited"]);

function toErrorResponse(error: unknown, req: NextRequest): Response {
  if (error instanceof ApiError) {
    if (AUTH_FAILURES.has(error.code)) metrics.authFailures++;
    return errorResponse(error);
  }
  if (error instanceof ZodError) return errorResponse(new ApiError("bad_request", describeZodError(error)));
  if (isDatabaseUnavailable(error)) {
    log.warn(`database unavailable during ${req.method} ${req.nextUrl.pathname}`, (error as Error)?.message);
    return errorResponse(new ApiError("unavailable", MESSAGES.unavailable, { "Retry-After": "5" }));
  }
  const code = prismaCode(error);
  if (code === "P2002")
    return errorResponse(new ApiError("conflict", "A record with the same unique value already exists"));
  if (code === "P2025") return errorResponse(new ApiError("not_found", "Not found"));
  log.error(`unhandled error in ${req.method} ${req.nextUrl.pathname}`, error);
  return errorResponse(new ApiError("internal", MESSAGES.internal));
}

/** One sentence for the first problem zod found, e.g. "name must be at most 30 characters". */
function describeZodError(error: ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys")
    return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (issue.path.length === 0) return issue.code === "invalid_type" ? "The body must be a JSON object" : issue.message;
  return issue.message;
}
