import { NextResponse, type NextRequest } from "next/server";
import { MESSAGES } from "@/lib/api/error-codes.ts";
import { ApiError, errorResponse, textResponse, unauthenticatedError } from "@/lib/api/errors.ts";
import { checkToken } from "@/lib/auth/check-token.ts";
import { can, PUBLIC_API_PATHS, routePermission } from "@/lib/auth/permissions.ts";
import { env } from "@/lib/env.ts";

/**
 * The first, stateless gate (edge runtime): rejects early what needs no
 * database to reject (no credentials, a bad signature, expiry, issuer, a role
 * without the route's permission, a throttled client). It never grants
 * anything: every route handler authenticates again through withAuth, which
 * also checks revocation (CVE-2025-29927 is why).
 */
export async function middleware(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (PUBLIC_API_PATHS.some((path) => path.test(pathname))) return NextResponse.next();

  const settings = env();
  if (!settings.TESSERA_APP_TOKENS_ENABLED && routePermission(pathname) === "tokens:manage") {
    return textResponse(404, MESSAGES.pluginDisabled);
  }
  const check = await checkToken(request, settings);
  if (check.kind === "error") return errorResponse(check.error);
  if (check.kind === "none") return errorResponse(unauthenticatedError());

  const permission = routePermission(pathname);
  if (permission && !can(check.claims.role, permission)) return errorResponse(new ApiError("forbidden", MESSAGES.forbidden));
  return NextResponse.next();
}

export const config = {
  matcher: ["/api/:path*"],
};
