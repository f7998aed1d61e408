import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "../api/errors.ts";

// The cron route's credential (Vercel Cron: GET with Authorization: Bearer
// <CRON_SECRET>, the project's CRON_SECRET variable). Not an app token and
// not a role: the route only runs work the cluster does anyway, so the
// middleware lets its path through (PUBLIC_API_PATHS) and this is its gate.

export const CRON_OFF =
  "The cron route is off: set CRON_SECRET (at least 16 characters) to turn it on (README, Deploying)";
export const CRON_REFUSED = "Send Authorization: Bearer <CRON_SECRET>";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Throws unless the request carries Bearer <secret>; refuses everything while no secret is configured. */
export function checkCronSecret(request: Request, secret: string | undefined): void {
  if (!secret) throw new ApiError("not_found", CRON_OFF);
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  const sent = digest(request.headers.get("authorization") ?? "");
  if (!timingSafeEqual(sent, digest(`Bearer ${secret}`))) {
    throw new ApiError("unauthenticated", CRON_REFUSED, { "WWW-Authenticate": 'Bearer realm="tessera-cron"' });
  }
}
