import "server-only";
import { log } from "../log.ts";
import { onShutdown } from "../shutdown-hooks.ts";
import { backgroundQuery } from "../db/background-query.ts";

// Refused uses of a token that Tessera signed but no longer accepts (revoked,
// disabled, rotated out past its grace), for the audit log. A client looping
// on a revoked token must not write a row per request, so refusals are
// aggregated: per token, address and reason, the first refusal is written
// within FLUSH_MS, and the ones after it in the next WINDOW_MS become one row
// whose count says how many there were; each instance writes at most one row
// per token, address and reason per minute. Forged tokens never get here
// (they are refused and throttled before any lookup: no token to name), and
// the number of keys held is bounded (past it, one row with no token counts
// the rest).
//
// Unlike a change, a refusal has no transaction to share: the row is the
// whole event, written by this batch.

const FLUSH_MS = 5_000;
const WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

export type RefusalReason = "revoked" | "disabled";
type Pending = {
  hash: string | null;
  name: string | null;
  address: string;
  reason: RefusalReason;
  count: number;
  writtenAt: number;
};

const pending = new Map<string, Pending>();
let timer: NodeJS.Timeout | undefined;

/** Records one refused use; written later, aggregated. `name` only when the row still exists (disabled). */
export function recordRefusal(hash: string, address: string, reason: RefusalReason, name: string | null = null): void {
  let key = `${hash} ${address} ${reason}`;
  if (!pending.has(key) && pending.size >= MAX_KEYS) key = "overflow";
  const entry = pending.get(key);
  if (entry) entry.count++;
  else
    pending.set(key, {
      hash: key === "overflow" ? null : hash,
      name,
      address: key === "overflow" ? "many" : address.slice(0, 64),
      reason,
      count: 1,
      writtenAt: 0,
    });
  timer ??= setInterval(() => void writeRefusals(), FLUSH_MS).unref();
  onShutdown(() => writeRefusals(Number.POSITIVE_INFINITY));
}

/** Writes the refusals due (a key's first, then at most one row per WINDOW_MS); forgets keys quiet for a window. */
export async function writeRefusals(now = Date.now()): Promise<void> {
  const due: Pending[] = [];
  for (const [key, entry] of pending) {
    if (entry.count > 0 && now - entry.writtenAt >= WINDOW_MS) {
      due.push({ ...entry });
      entry.count = 0;
      entry.writtenAt = now;
    } else if (entry.count === 0 && now - entry.writtenAt >= WINDOW_MS) pending.delete(key);
  }
  if (due.length === 0) return;
  try {
    await backgroundQuery(
      `INSERT INTO audit_events (action, actor, via, address, token_hash, target, details, count)
         SELECT 'token.refused', 'token:' || coalesce(name, left(hash, 12), 'many'), 'api', address, hash, name,
                jsonb_build_object('reason', reason), count
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS r(hash, name, address, reason, count)`,
      [
        due.map((entry) => entry.hash),
        due.map((entry) => entry.name),
        due.map((entry) => entry.address),
        due.map((entry) => entry.reason),
        due.map((entry) => entry.count),
      ],
    );
  } catch (error) {
    // Kept: added back to their keys for the next write.
    for (const entry of due) {
      const key = entry.hash ? `${entry.hash} ${entry.address} ${entry.reason}` : "overflow";
      const current = pending.get(key);
      if (current) {
        current.count += entry.count;
        current.writtenAt = 0;
      } else pending.set(key, { ...entry, writtenAt: 0 });
    }
    log.warn(
      "refused token uses could not be written to the audit log; kept for the next try",
      (error as Error)?.message,
    );
  }
}
