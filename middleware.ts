import { NextResponse, type NextRequest } from "next/server";
import { ApiError, errorResponse } from "@/lib/api/errors.ts";
import { badPathEncoding } from "@/lib/api/path-params.ts";
import { checkApiRequest, isCountedRefusal } from "@/lib/auth/check-request.ts";
import { contentSecurityPolicy } from "@/lib/auth/csp.ts";
import { isRoutePath, PUBLIC_API_PATHS } from "@/lib/auth/permissions.ts";
import { PAGE_PATH_HEADER } from "@/lib/auth/safe-redirect.ts";
import { readSession } from "@/lib/auth/session-token.ts";
import { env } from "@/lib/env.ts";

/**
 * The first, stateless gate (edge runtime): rejects early what the request
 * alone proves wrong (lib/auth/check-request.ts: no credentials, a bad
 * signature, expiry, issuer, a token whose role lacks the route's
 * permission, a throttled client, a cross-site write on a session cookie),
 * sends signed-out browsers from console pages to /login, and gives every
 * page its Content-Security-Policy nonce. It never grants anything: every
 * route handler authenticates again through withAuth, which also checks
 * revocation, whether a session has ended, and a session's current role
 * (CVE-2025-29927 is why).
 *
 * Bad credentials (a bad token, a malformed Authorization) are counted per
 * client address. In embedded mode (one process) this gate refuses them and
 * counts them in memory, as withAuth does. On PostgreSQL the limit is the
 * cluster's and this gate cannot reach the database, so for a path a route
 * serves it lets them through: withAuth refuses them again from scratch
 * and counts them in PostgreSQL, for every instance. It still counts them in
 * its own memory and answers 429 itself once that count alone is over the
 * limit (every one of those was counted in PostgreSQL too, so the cluster
 * total is over as well: never early), which keeps a flood off the server.
 * A path no route serves (a 404 to be) has no withAuth to count there: such
 * refusals stay here, counted in memory per instance; they cost no
 * database work and a valid token would get only a 404 there.
 */
export async function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const settings = env();

  if (!pathname.startsWith("/api/")) {
    if (
      isConsolePage(pathname) &&
      !(await readSession(request.cookies, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL))
    ) {
      const login = new URL("/login", request.url);
      login.searchParams.set("callbackUrl", `${pathname}${search}`);
      return NextResponse.redirect(login);
    }
    return withContentSecurityPolicy(request);
  }

  // Undecodable percent-encoding: a 400 here, not Next.js's 500 while it matches the route.
  const malformedPath = badPathEncoding(pathname);
  if (malformedPath) return malformedPath;
  if (PUBLIC_API_PATHS.some((path) => path.test(pathname))) return NextResponse.next();
  try {
    await checkApiRequest(request, settings);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // On PostgreSQL a bad credential is withAuth's to refuse and count for the cluster (see above).
    if (settings.engine === "postgres" && isCountedRefusal(error) && isRoutePath(pathname)) return NextResponse.next();
    return errorResponse(error);
  }
  return NextResponse.next();
}

function isConsolePage(pathname: string): boolean {
  return /^\/(tokens|broker|account|api-docs)(\/|$)/.test(pathname);
}

/**
 * Next.js reads the nonce from the request's Content-Security-Policy header and puts it on its own scripts. The page
 * asked for goes along too: a page whose session turns out to have ended sends the browser to sign in and back to it
 * (lib/auth/require-permission.ts), and a page cannot know its own path otherwise.
 */
function withContentSecurityPolicy(request: NextRequest): NextResponse {
  const { header } = contentSecurityPolicy(process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", header);
  const page = request.nextUrl.clone();
  page.searchParams.delete("_rsc"); // the router's cache key on client-side navigations, not part of the page
  headers.set(PAGE_PATH_HEADER, `${page.pathname}${page.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", header);
  return response;
}

export const config = {
  // Everything but Next.js's static files: API routes (the first gate), console pages (sign-in), all pages (CSP).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
