import "server-only";
import { createHash } from "node:crypto";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { database } from "../db.ts";
import { log } from "../log.ts";
import type { Counted, EventWindow } from "./event-window.ts";

// The throttles' counters on PostgreSQL, shared by every instance on one
// database: rate-limiter-flexible's PostgreSQL store, one atomic
// INSERT ... ON CONFLICT DO UPDATE ... RETURNING per event, in fixed windows,
// on the table of migration 20261204010000_shared_limits (UNLOGGED), through
// this process's pool (lib/db/open.ts), so its queries count in dbQueries.
//
// - The in-process front: once the store answers that a key is over its
//   limit, this process refuses the key from memory until its window ends
//   (inMemoryBlockOnConsumed), so a flood of refusals costs no query.
// - PostgreSQL unreachable: an in-memory limiter with the same limits takes
//   over (insuranceLimiter) until it answers again. A bad credential is
//   still refused and throttled, by each instance on its own meanwhile: the
//   database being down neither lifts the limits (failing open) nor turns
//   every refusal into a 503 (the refusal needs no database).
// - Keys are stored as SHA-256: a bounded length, no NUL (which PostgreSQL
//   text cannot hold and a typed username may contain), and no usernames or
//   addresses in the table.

/** The table (migration 20261204010000_shared_limits); the library must not create it. */
const TABLE = "rate_limits";
/** A window that counts without a limit (the sign-in slowdown): never over. */
export const NO_LIMIT = 1_000_000_000;

const globalForLimits = globalThis as unknown as { tesseraPostgresWindows?: Map<string, EventWindow> };

/**
 * A fixed window of `seconds` per key, counted in PostgreSQL, over its limit
 * past `limit` events. One per name and settings per process (the in-memory
 * front must be the same object for every route).
 */
export function postgresWindow(name: string, limit: number, seconds: number): EventWindow {
  const windows = (globalForLimits.tesseraPostgresWindows ??= new Map());
  const id = `${name}/${limit}/${seconds}`;
  let window = windows.get(id);
  if (!window) {
    window = createWindow(name, limit, seconds);
    windows.set(id, window);
  }
  return window;
}

function createWindow(name: string, limit: number, seconds: number): EventWindow {
  const pool = database().pool;
  if (!pool) throw new Error("postgresWindow needs PostgreSQL (DATABASE_URL)");
  const limited = limit < NO_LIMIT;
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    tableName: TABLE,
    tableCreated: true,
    keyPrefix: name,
    points: limit,
    duration: seconds,
    // Refused from memory from the first event over the limit until the window ends (no duration: the window's).
    inMemoryBlockOnConsumed: limited ? limit + 1 : 0,
    // One limiter per process deletes windows ended an hour ago, every 5 minutes, for all of them.
    clearExpiredByTimeout: name === "bad-token",
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: limit, duration: seconds }),
  });
  const key = (raw: string) => createHash("sha256").update(raw).digest("hex");
  let warned = false;
  const quietly = (what: string) => (error: unknown) => {
    // A take-back that fails costs the key at most one event; it must never fail a sign-in.
    if (!warned) log.warn(`rate limit ${name}: ${what} failed`, (error as Error)?.message);
    warned = true;
  };
  return {
    async add(raw: string): Promise<Counted> {
      try {
        const res = await limiter.consume(key(raw));
        return { count: res.consumedPoints, over: false, msLeft: res.msBeforeNext };
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        return { count: error.consumedPoints, over: true, msLeft: error.msBeforeNext };
      }
    },
    async subtract(raw: string): Promise<void> {
      await limiter.reward(key(raw)).then(() => undefined, quietly("a take-back"));
    },
    async delete(raw: string): Promise<void> {
      await limiter.delete(key(raw)).then(() => undefined, quietly("a reset"));
    },
    knownOverMs(raw: string): number {
      if (!limited) return 0;
      // The in-memory front's own lookup (RateLimiterStoreAbstract, public in the code, absent from its types).
      const front = limiter as unknown as {
        getKey(key: string): string;
        getInMemoryBlockMsBeforeExpire(rlKey: string): number;
      };
      return front.getInMemoryBlockMsBeforeExpire(front.getKey(key(raw)));
    },
  };
}
