import "server-only";
import type { NextRequest } from "next/server";
import { METHODS, routePermission, type Method } from "../auth/permissions.ts";
import { withAuth } from "../auth/with-auth.ts";
import { textResponse } from "./errors.ts";

// Next.js answers a method a route does not export with a bare 405: no body,
// no Allow. Error bodies are text sentences (seed 000), so each route exports
// these for the methods it lacks:
//
//   export const { POST, PUT, PATCH, OPTIONS } = otherMethods(["GET", "DELETE"]);
//
// The refusal stands behind the same gate as the route's own handlers (the
// permission the middleware's table names for the path, through withAuth),
// so it tells a caller without credentials nothing; public paths (health,
// sign-in, /v2) refuse at once. OPTIONS is here too: Next.js's own would
// list these 405 handlers in its Allow as if they were methods.

/** Next.js answers HEAD from GET. */
type Served<A extends Method> = A | ("GET" extends A ? "HEAD" : never);

type RouteHandler = ReturnType<typeof withAuth>;

type Others<A extends readonly Method[]> = Record<Exclude<Method, Served<A[number]>> | "OPTIONS", RouteHandler>;

/** For a route serving these methods: 405 handlers, with a sentence and Allow, for every other method, and OPTIONS (204 with Allow). */
export function otherMethods<const A extends readonly Method[]>(allowed: A): Others<A> {
  const served = new Set<string>([...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])]);
  const allow = [...served, "OPTIONS"].sort().join(", ");
  const answer = async (req: NextRequest) =>
    req.method === "OPTIONS"
      ? new Response(null, { status: 204, headers: { Allow: allow } })
      : textResponse(405, `Method ${req.method} is not allowed here; this path allows ${allow}`, { Allow: allow });
  const handler: RouteHandler = (req, context) => {
    // The /v2 endpoints carry their credential in the body, which a refusal does not read: they refuse at once.
    const { pathname } = req.nextUrl;
    if (!pathname.startsWith("/api/") || !routePermission(pathname)) return answer(req);
    return withAuth(async ({ req }) => answer(req))(req, context);
  };
  const others = [...METHODS.filter((method) => !served.has(method)), "OPTIONS"];
  return Object.fromEntries(others.map((method) => [method, handler])) as Others<A>;
}
