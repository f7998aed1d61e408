import "server-only";
import type { NextRequest } from "next/server";
import { ZodError, type z } from "zod";
import { negotiateVersion } from "../api/api-version.ts";
import { MESSAGES } from "../api/error-codes.ts";
import { ApiError, errorResponse, invalidTokenError, jsonResponse, unauthenticatedError } from "../api/errors.ts";
import { readJsonBody } from "../api/read-body.ts";
import { db } from "../db.ts";
import { isDatabaseUnavailable, prismaCode } from "../db/errors.ts";
import { env } from "../env.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";
import { hashToken } from "../tokens/hash-token.ts";
import { checkToken, refuse } from "./check-token.ts";
import { touchLastUsed } from "./last-used.ts";
import { can, type Permission, type Role } from "./permissions.ts";
import { isSameOriginWrite, readSession } from "./session-token.ts";
import { currentUser } from "../users/sign-in.ts";

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
    }
  | {
      kind: "session";
      role: Role;
      userId: string;
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
      const caller = await authenticate(req);
      if (!can(caller.role, options.permission)) throw new ApiError("forbidden", MESSAGES.forbidden);
      const version = negotiateVersion(req);
      const body = (options.body ? await readJsonBody(req, options.body) : undefined) as Body;
      const params = Object.fromEntries(
        Object.entries((await context?.params) ?? {}).map(([key, value]) => [key, Array.isArray(value) ? value.join("/") : value]),
      );
      const result = await handler({ req, params, caller, body, version });
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      return toErrorResponse(error, req);
    }
  };
}

async function authenticate(req: NextRequest): Promise<Caller> {
  const settings = env();
  const check = await checkToken(req, settings);
  if (check.kind === "error") throw check.error;
  if (check.kind === "none") return authenticateSession(req, check.address);

  const hash = hashToken(check.token);
  const row = await db().applicationToken.findUnique({
    where: { hash },
    select: { name: true, role: true, validUntil: true },
  });
  if (!row) {
    // Revoked (deleted), or never issued by this database.
    throw refuse(check.address, invalidTokenError(), settings.TESSERA_AUTH_FAILURES_PER_MINUTE);
  }
  touchLastUsed(hash, check.address, settings.TESSERA_LAST_USED_INTERVAL_SECONDS);
  return { kind: "token", role: row.role, name: row.name, label: `token:${row.name}`, hash, validUntil: row.validUntil, address: check.address };
}

async function authenticateSession(req: NextRequest, address: string): Promise<Caller> {
  const settings = env();
  const session = await readSession(req, settings.NEXTAUTH_SECRET);
  if (!session) throw unauthenticatedError();
  if (!isSameOriginWrite(req, settings.NEXTAUTH_URL)) throw new ApiError("forbidden", MESSAGES.crossOrigin);
  // The account is looked up on every request: a deleted account's session ends at once, and a role change applies at once.
  const user = await currentUser(session.userId);
  if (!user) throw unauthenticatedError();
  return { kind: "session", role: user.role, userId: user.id, name: user.username, label: user.username, address };
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
  if (code === "P2002") return errorResponse(new ApiError("conflict", "A record with the same unique value already exists"));
  if (code === "P2025") return errorResponse(new ApiError("not_found", "Not found"));
  log.error(`unhandled error in ${req.method} ${req.nextUrl.pathname}`, error);
  return errorResponse(new ApiError("internal", MESSAGES.internal));
}

/** One sentence for the first problem zod found, e.g. "name must be at most 30 characters". */
function describeZodError(error: ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (issue.path.length === 0) return issue.code === "invalid_type" ? "The body must be a JSON object" : issue.message;
  return issue.message;
}
