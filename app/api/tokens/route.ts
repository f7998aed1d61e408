import { withAuth } from "@/lib/auth/with-auth.ts";
import { createTokenSchema } from "@/lib/schemas/token.ts";
import { createToken } from "@/lib/tokens/create-token.ts";
import { listTokens } from "@/lib/tokens/list-tokens.ts";

export const dynamic = "force-dynamic";

// GET /api/tokens - list every application token (admin)
export const GET = withAuth(async () => listTokens(), { permission: "tokens:manage", appTokensRoute: true });

// POST /api/tokens - create a token; the token string is in this answer only (admin)
export const POST = withAuth(async ({ caller, body }) => createToken(caller.label, body), {
  permission: "tokens:manage",
  appTokensRoute: true,
  body: createTokenSchema,
});
