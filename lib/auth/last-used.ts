import "server-only";
import { LRUCache } from "lru-cache";
import { database } from "../db.ts";
import { log } from "../log.ts";
import { metrics } from "../metrics.ts";

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
  // Straight to the driver like the revocation lookup beside it (lib/db/open.ts says why).
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
