import "server-only";
import type { NextRequest } from "next/server";
import { ZodError, type z } from "zod";
import { negotiateVersion } from "../api/api-version.ts";
import { MESSAGES } from "../api/error-codes.ts";
import { ApiError, ERROR_FIELD_HEADER, errorResponse, jsonResponse } from "../api/errors.ts";
import { readJsonBody } from "../api/read-body.ts";
import { isDatabaseUnavailable, prismaCode } from "../db/errors.ts";
import { env } from "../env.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";
import { authenticate, type Caller } from "./authenticate.ts";
import { assertFeatureEnabled } from "./check-request.ts";
import { can, routePermission } from "./permissions.ts";

export interface HandlerContext<Body, Params, Query> {
  req: NextRequest;
  params: Params;
  query: Query;
  caller: Caller;
  body: Body;
  /** The API version the client asked for (Accept: application/json;version=N). */
  version: number;
}

export interface WithAuthOptions<Body, Params, Query> {
  /** A zod schema for a JSON body; without one the body is not read. */
  body?: z.ZodType<Body>;
  /** A zod schema for the path's [segments]; its first complaint is the 400. Without one, every segment as a string. */
  params?: z.ZodType<Params>;
  /** A zod schema for the query string (each name's first value); without one, it is not read. */
  query?: z.ZodType<Query>;
  /**
   * Where the credentials are: in the request (Authorization, ?token=, the
   * session cookie; the default), or an app token in a field of the JSON
   * body (the seed's /v2 endpoints send it as secret_key).
   */
  bodyToken?: (body: Body) => string;
  /** The body may be left out altogether: then the schema is given {} (its defaults). */
  optionalBody?: boolean;
  /** Reads the body itself (instead of as JSON with `body`), after authentication and the permission check. */
  readBody?: (req: NextRequest) => Promise<Body>;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The second gate and the only way an API handler is written. It
 * authenticates again from scratch (never trusting middleware), checks
 * revocation in the database, the permission lib/auth/permissions.ts names
 * for the route, the API version, the path, query and body, records lastUsed
 * (throttled, off the request path) and turns every error into its status:
 * ApiError by its code, zod into 400, Prisma P2002 into 409 and P2025 into
 * 404, an unreachable database into 503 (fail closed), anything else into a
 * 500 that logs the detail and shows none.
 */
export function withAuth<Body = undefined, Params = Record<string, string>, Query = undefined>(
  handler: (context: HandlerContext<Body, Params, Query>) => Promise<Response | unknown>,
  options: WithAuthOptions<Body, Params, Query> = {},
) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    try {
      const permission = routePermission(req.nextUrl.pathname, req.method);
      if (!permission) {
        // A handler whose route lib/auth/permissions.ts does not list: refused, never served without a permission.
        log.error(`no permission is declared for ${req.nextUrl.pathname} (lib/auth/permissions.ts, ROUTES)`);
        throw new ApiError("forbidden", MESSAGES.forbidden);
      }
      assertFeatureEnabled(permission, env());
      let body: Body | undefined;
      let caller: Caller;
      if (options.bodyToken) {
        body = (await readJsonBody(req, options.body!)) as Body;
        caller = await authenticate(req, options.bodyToken(body));
      } else caller = await authenticate(req);
      if (!can(caller.role, permission)) throw new ApiError("forbidden", MESSAGES.forbidden);
      const version = negotiateVersion(req);
      if (options.readBody) body = await options.readBody(req);
      else if (options.body && !options.bodyToken)
        body = (await readJsonBody(req, options.body, options.optionalBody)) as Body;
      const segments = Object.fromEntries(
        Object.entries((await context?.params) ?? {}).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.join("/") : value,
        ]),
      );
      const params = (options.params ? options.params.parse(segments) : segments) as Params;
      const query = (options.query ? options.query.parse(queryObject(req)) : undefined) as Query;
      const result = await handler({ req, params, query, caller, body: body as Body, version });
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      return toErrorResponse(error, req);
    }
  };
}

/** The query string as an object, each name's first value (a repeated name is the schema's to refuse if it must). */
function queryObject(req: NextRequest): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of req.nextUrl.searchParams) if (!(name in query)) query[name] = value;
  return query;
}

/**
 * For the few routes whose caller proves itself with something other than an
 * app token or a session (POST /v2/tokens/refresh: the current MQTT
 * password; GET /api/cron/sweep: CRON_SECRET), which the handler checks: the
 * same body parsing and error mapping as withAuth, and no caller.
 */
export function withoutCaller<Body = undefined>(
  handler: (context: { req: NextRequest; body: Body }) => Promise<Response | unknown>,
  options: { body?: z.ZodType<Body> } = {},
) {
  return async (req: NextRequest): Promise<Response> => {
    try {
      const body = options.body ? await readJsonBody(req, options.body) : (undefined as Body);
      const result = await handler({ req, body });
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      return toErrorResponse(error, req);
    }
  };
}

const AUTH_FAILURES = new Set(["unauthenticated", "invalid_token", "rate_limited"]);

function toErrorResponse(error: unknown, req: NextRequest): Response {
  if (error instanceof ApiError) {
    if (AUTH_FAILURES.has(error.code)) metrics.authFailures++;
    return errorResponse(error);
  }
  if (error instanceof ZodError) {
    return errorResponse(new ApiError("bad_request", describeZodError(error), zodErrorField(error)));
  }
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

/**
 * The field of that first problem as a header (lib/api/errors.ts, ERROR_FIELD_HEADER), when the problem is in one
 * field: its path, joined with dots. Only plain ASCII names: a path can hold the request's own keys, and a header
 * value cannot hold just anything.
 */
export function zodErrorField(error: ZodError): Record<string, string> {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" || path.length === 0 || !path.every((part) => /^[\w-]{1,64}$/.test(part))) {
    return {};
  }
  return { [ERROR_FIELD_HEADER]: path.join(".") };
}

/** One sentence for the first problem zod found, e.g. "name must be at most 30 characters". */
function describeZodError(error: ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys")
    return `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (issue.path.length === 0) return issue.code === "invalid_type" ? "The body must be a JSON object" : issue.message;
  return issue.message;
}
