import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/auth-options.ts";

export const dynamic = "force-dynamic";

// GET|POST /api/auth/* - next-auth: sign-in (local and SSO), callbacks, session, sign-out
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
