import { NextResponse, type NextRequest } from "next/server";
import { MESSAGES } from "@/lib/api/error-codes.ts";
import { ApiError, errorResponse, textResponse, unauthenticatedError } from "@/lib/api/errors.ts";
import { badPathEncoding } from "@/lib/api/path-params.ts";
import { checkToken } from "@/lib/auth/check-token.ts";
import { can, PUBLIC_API_PATHS, routePermission, type Role } from "@/lib/auth/permissions.ts";
import { isSameOriginWrite, readSession } from "@/lib/auth/session-token.ts";
import { env } from "@/lib/env.ts";

/**
 * The first, stateless gate (edge runtime): rejects early what needs no
 * database to reject (no credentials, a bad signature, expiry, issuer, a role
 * without the route's permission, a throttled client, a cross-site write on
 * a session cookie), and sends signed-out browsers from console pages to
 * /login. It never grants anything: every route handler authenticates again
 * through withAuth, which also checks revocation (CVE-2025-29927 is why).
 */
export async function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const settings = env();

  if (!pathname.startsWith("/api/")) {
    if (await readSession(request, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL)) return NextResponse.next();
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(login);
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

  let role: Role;
  if (check.kind === "token") role = check.claims.role;
  else {
    const session = await readSession(request, settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL);
    if (!session) return errorResponse(unauthenticatedError());
    if (!isSameOriginWrite(request, settings.NEXTAUTH_URL)) return errorResponse(new ApiError("forbidden", MESSAGES.crossOrigin));
    role = session.role;
  }
  const permission = routePermission(pathname);
  if (permission && !can(role, permission)) return errorResponse(new ApiError("forbidden", MESSAGES.forbidden));
  return NextResponse.next();
}

export const config = {
  // API routes, and the console pages that need a signed-in user.
  matcher: ["/api/:path*", "/tokens/:path*", "/account/:path*"],
};
