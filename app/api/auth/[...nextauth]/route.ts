import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/auth-options.ts";

// GET|POST /api/auth/* - next-auth: sign-in (local and SSO), callbacks, session, sign-out
async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(errorCodeOnly(request), context);
}

/**
 * next-auth's /api/auth/error copies its ?error= into the redirect to /login
 * as it is: a crafted link with a newline in it made the answer a 500. Its
 * values are codes (AccessDenied, OAuthCallback...), so anything else is
 * reduced to letters and digits first.
 */
function errorCodeOnly(request: NextRequest): NextRequest {
  const url = new URL(request.url);
  const code = url.searchParams.get("error");
  if (!url.pathname.endsWith("/api/auth/error") || code === null || /^[A-Za-z0-9]{0,64}$/.test(code)) return request;
  url.searchParams.set("error", code.replace(/[^A-Za-z0-9]/g, "").slice(0, 64));
  return new NextRequest(url, request); // next-auth reads the query from nextUrl
}

export { handler as GET, handler as POST };

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
