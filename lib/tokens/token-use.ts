import "server-only";
import { LRUCache } from "lru-cache";
import type { Role } from "../auth/permissions.ts";
import { database } from "../db.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";
import { recordRefusal } from "../audit/refusals.ts";
import { countRefused, countUse } from "../usage/usage-counter.ts";

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

/**
 * The stored token with this hash, or null when it was revoked (deleted, or
 * rotated out and past its grace: that is final too), is disabled (not
 * remembered: it may be enabled again), or was never issued by this
 * database. The grace is judged on the database's clock, as the rotation set it.
 * With the caller's address, the use or the refusal is counted for the
 * token's usage and a refusal goes to the audit log.
 */
export async function findTokenInUse(hash: string, address?: string): Promise<TokenInUse | null> {
  const row = await lookUp(hash);
  if (address !== undefined) {
    // Usage and the audit log (issue 19): in memory here, written in batches (lib/usage, lib/audit/refusals.ts).
    if (row && "role" in row) countUse(hash, address);
    else {
      countRefused(hash);
      recordRefusal(hash, address, row ? "disabled" : "revoked", row?.disabledName ?? null);
    }
  }
  return row && "role" in row ? row : null;
}

async function lookUp(hash: string): Promise<TokenInUse | { disabledName: string } | null> {
  if (revoked.has(hash)) return null;
  const [row] = await database().query<TokenInUse & { disabled: boolean; graceOver: boolean }>(
    `SELECT name, role::text AS role, valid_until AS "validUntil", device_id AS "deviceId",
            disabled_at IS NOT NULL AS disabled, coalesce(revoke_at <= statement_timestamp(), false) AS "graceOver"
       FROM application_tokens WHERE hash = $1`,
    [hash],
  );
  if (!row || row.graceOver) {
    revoked.set(hash, true);
    return null;
  }
  if (row.disabled) return { disabledName: row.name };
  return { name: row.name, role: row.role, validUntil: row.validUntil, deviceId: row.deviceId };
}

// lastUsed is written at most once per interval per token, off the request
// path: the request never waits for it and never fails because of it. The
// in-memory record (bounded: least recently used tokens out first) spares the
// database the UPDATE on nearly every request; the WHERE clause, on the
// database's clock, keeps the bound for the whole cluster when several
// processes share one database (each may send one UPDATE per interval, and
// at most one of them changes the row). The write changes no shared counter:
// it does not invalidate the token list (lib/tokens/token-list-cache.ts), and
// concurrent writers of different tokens do not wait for each other.

const lastWrite = new LRUCache<string, number>({ max: 100_000 });

export function touchLastUsed(hash: string, address: string, intervalSeconds: number, now = Date.now()): void {
  const previous = lastWrite.get(hash);
  if (previous !== undefined && now - previous < intervalSeconds * 1000) return;
  lastWrite.set(hash, now);
  metrics.lastUsedUpdates++;
  database()
    .query<{ hash: string }>(
      `UPDATE application_tokens SET last_used = statement_timestamp(), last_used_from = $1
        WHERE hash = $2 AND (last_used IS NULL OR last_used <= statement_timestamp() - make_interval(secs => $3))
        RETURNING hash`,
      [address, hash, intervalSeconds],
    )
    .then((rows) => {
      metrics.lastUsedWrites += rows.length;
    })
    .catch((error: unknown) => {
      lastWrite.delete(hash); // try again on the next request
      log.warn("lastUsed update failed", error);
    });
}
