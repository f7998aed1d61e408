import "server-only";
import { LRUCache } from "lru-cache";
import type { Role } from "../auth/permissions.ts";
import { database } from "../db.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";

// Using a token: whether its row still exists (not revoked), and when it was
// last used. The stateful half of authentication (lib/auth/authenticate.ts)
// asks this service; it is the only code outside this folder's other services
// that reads application_tokens, and it goes straight to the driver: one
// indexed SELECT on every authenticated request (lib/db/open.ts says why not
// through Prisma).

/** What a request may learn about the token it carries. */
export type TokenInUse = {
  name: string;
  role: Role;
  validUntil: Date;
  /** Set for a device token (issued over MQTT to this registered device). */
  deviceId: string | null;
};

/**
 * Hashes of correctly signed tokens the database did not have: revoked. A
 * row is never created again for a hash once it is gone (every token has its
 * own random jti, and its row is written before the token is handed out), so
 * "revoked" never turns back into "valid" and the answer can be remembered,
 * which makes refusing a revoked token cheaper than serving a good one. Only
 * tokens with our signature get here, so nobody can fill it at will; bounded.
 */
const revoked = new LRUCache<string, true>({ max: 50_000 });

/** The stored token with this hash, or null when it was revoked (deleted) or never issued by this database. */
export async function findTokenInUse(hash: string): Promise<TokenInUse | null> {
  if (revoked.has(hash)) return null;
  const [row] = await database().query<TokenInUse>(
    `SELECT name, role::text AS role, valid_until AS "validUntil", device_id AS "deviceId" FROM application_tokens WHERE hash = $1`,
    [hash],
  );
  if (!row) revoked.set(hash, true);
  return row ?? null;
}

// lastUsed is written at most once per interval per token, off the request
// path: the request never waits for it and never fails because of it. The
// in-memory record (bounded: least recently used tokens out first) spares the
// database the UPDATE on nearly every request; the WHERE clause keeps the
// bound when several processes share one database.

const lastWrite = new LRUCache<string, number>({ max: 100_000 });

export function touchLastUsed(hash: string, address: string, intervalSeconds: number, now = Date.now()): void {
  const previous = lastWrite.get(hash);
  if (previous !== undefined && now - previous < intervalSeconds * 1000) return;
  lastWrite.set(hash, now);
  metrics.lastUsedUpdates++;
  const at = new Date(now);
  database()
    .query(
      "UPDATE application_tokens SET last_used = $1, last_used_from = $2 WHERE hash = $3 AND (last_used IS NULL OR last_used < $4)",
      [at, address, hash, new Date(now - intervalSeconds * 1000)],
    )
    .catch((error: unknown) => {
      lastWrite.delete(hash); // try again on the next request
      log.warn("lastUsed update failed", error);
    });
}
