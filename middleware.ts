import { NextResponse, type NextRequest } from "next/server";
import { MESSAGES } from "@/lib/api/error-codes.ts";
import { ApiError, errorResponse, textResponse, unauthenticatedError } from "@/lib/api/errors.ts";
import { badPathEncoding } from "@/lib/api/path-params.ts";
import { checkToken } from "@/lib/auth/check-token.ts";
import { contentSecurityPolicy } from "@/lib/auth/csp.ts";
import { can, PUBLIC_API_PATHS, routePermission } from "@/lib/auth/permissions.ts";
import { isSameOriginWrite, readSession } from "@/lib/auth/session-token.ts";
import { env } from "@/lib/env.ts";

/**
 * The first, stateless gate (edge runtime): rejects early what the request
 * alone proves wrong (no credentials, a bad signature, expiry, issuer, a
 * token whose role lacks the route's permission, a throttled client, a
 * cross-site write on a session cookie), sends signed-out browsers from
 * console pages to /login, and gives every page its Content-Security-Policy
 * nonce. It never grants anything: every route handler authenticates again
 * through withAuth, which also checks revocation, whether a session has
 * ended, and a session's current role (CVE-2025-29927 is why). A session's
 * role is not refused here: the cookie holds the role at sign-in, and a
 * promotion applies at once.
 */
export async function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const settings = env();

  if (!pathname.startsWith("/api/")) {
    if (isConsolePage(pathname) && !(await readSession(request, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL))) {
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
  if (!settings.TESSERA_APP_TOKENS_ENABLED && routePermission(pathname) === "tokens:manage") {
    return textResponse(404, MESSAGES.pluginDisabled);
  }
  const check = await checkToken(request, settings);
  if (check.kind === "error") return errorResponse(check.error);

  if (check.kind === "token") {
    const permission = routePermission(pathname);
    if (permission && !can(check.claims.role, permission))
      return errorResponse(new ApiError("forbidden", MESSAGES.forbidden));
    return NextResponse.next();
  }
  const session = await readSession(request, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL);
  if (!session) return errorResponse(unauthenticatedError());
  if (!isSameOriginWrite(request, settings.NEXTAUTH_URL, settings.TESSERA_TRUST_PROXY))
    return errorResponse(new ApiError("forbidden", MESSAGES.crossOrigin));
  return NextResponse.next();
}

function isConsolePage(pathname: string): boolean {
  return /^\/(tokens|account)(\/|$)/.test(pathname);
}

/** Next.js reads the nonce from the request's Content-Security-Policy header and puts it on its own scripts. */
function withContentSecurityPolicy(request: NextRequest): NextResponse {
  const { nonce, header } = contentSecurityPolicy(process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", header);
  headers.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", header);
  return response;
}

export const config = {
  // Everything but Next.js's static files: API routes (the first gate), console pages (sign-in), all pages (CSP).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
