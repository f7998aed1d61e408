import { withAuth } from "@/lib/auth/with-auth.ts";

export const dynamic = "force-dynamic";

// GET /api/me - who is calling (any role)
export const GET = withAuth(
  async ({ caller }) => ({
    kind: caller.kind,
    role: caller.role,
    name: caller.name,
    hash: caller.hash,
    validUntil: caller.validUntil.toISOString(),
  }),
  { permission: "me:read" },
);
