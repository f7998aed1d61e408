import { NextResponse, type NextRequest } from "next/server";

/**
 * The first, stateless gate (edge runtime). Today it only marks API answers
 * as uncacheable; token verification (signature, expiry, role) lands here with
 * the application tokens. Route handlers never rely on it alone.
 */
export function middleware(_request: NextRequest) {
  const response = NextResponse.next();
  response.headers.set("Cache-Control", "no-store");
  return response;
}

export const config = {
  matcher: ["/api/:path*"],
};
