import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";

// GET /api/me - who is calling (any role)
export const GET = withAuth(async ({ caller }) =>
  caller.kind === "token"
    ? {
        kind: caller.kind,
        role: caller.role,
        name: caller.name,
        hash: caller.hash,
        validUntil: caller.validUntil.toISOString(),
        ...(caller.deviceId ? { device: caller.deviceId } : {}),
      }
    : { kind: caller.kind, role: caller.role, name: caller.name, userId: caller.userId },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
