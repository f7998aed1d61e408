import "server-only";
import type { NextRequest } from "next/server";
import { invalidTokenError, unauthenticatedError } from "../api/errors.ts";
import { env } from "../env.ts";
import { hashToken } from "../tokens/hash-token.ts";
import { findTokenInUse, touchLastUsed } from "../tokens/token-use.ts";
import { sessionUser } from "../users/sessions.ts";
import { checkRequest, refuse } from "./check-request.ts";
import { countFailure } from "./shared-throttle.ts";
import type { Role } from "./permissions.ts";

// The stateful half of authentication, run by withAuth after the stateless
// half (lib/auth/check-request.ts) has passed again from scratch: whether the
// token still exists (revocation, through lib/tokens), when it was last used,
// and whether a session is still current and what role its account has now.

/** Who is calling: an application token, or a person signed in to the console. */
export type Caller =
  | {
      kind: "token";
      role: Role;
      /** The token's name. */
      name: string;
      /** What "requestedBy" records for what this caller creates: "token:<name>". */
      label: string;
      hash: string;
      validUntil: Date;
      address: string;
      /** Set for a device token (issued over MQTT to this registered device). */
      deviceId?: string;
    }
  | {
      kind: "session";
      role: Role;
      userId: string;
      /** The session's row in user_sessions. */
      sessionId: string;
      /** The username; "requestedBy" records it as it is. */
      name: string;
      label: string;
      address: string;
    };

/** The caller of an API request, or an ApiError: both halves, nothing trusted from the middleware. */
export async function authenticate(req: NextRequest, bodyToken?: string): Promise<Caller> {
  const settings = env();
  const check = await checkRequest(req, settings, bodyToken, countFailure);
  if (check.kind === "token") {
    const hash = hashToken(check.token);
    const row = await findTokenInUse(hash, check.address);
    if (!row) {
      throw await refuse(check.address, invalidTokenError(), settings.TESSERA_AUTH_FAILURES_PER_MINUTE, countFailure);
    }
    touchLastUsed(hash, check.address, settings.TESSERA_LAST_USED_INTERVAL_SECONDS);
    return {
      kind: "token",
      role: row.role,
      name: row.name,
      label: row.deviceId ? `device:${row.deviceId}` : `token:${row.name}`,
      hash,
      validUntil: row.validUntil,
      address: check.address,
      ...(row.deviceId ? { deviceId: row.deviceId } : {}),
    };
  }
  // The session and its account are looked up on every request: an ended session (signed out, password or role
  // changed, sign out everywhere) or a deleted account is refused at once, and a changed role applies at once.
  const user = await sessionUser(check.session.userId, check.session.sessionId);
  if (!user) throw unauthenticatedError();
  return {
    kind: "session",
    role: user.role,
    userId: user.id,
    sessionId: check.session.sessionId,
    name: user.username,
    label: user.username,
    address: check.address,
  };
}
