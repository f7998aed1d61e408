import "server-only";
import { log } from "../log.ts";
import { backgroundQuery } from "../db/background-query.ts";
import { onShutdown } from "../shutdown-hooks.ts";

// Per-token usage (issue 19): requests and refused attempts per token per
// hour, and the last addresses a token was used from. Counted in this
// process's memory on the request path (a Map update: no query per request)
// and added to PostgreSQL by one statement per table every FLUSH_MS, so the
// bench's B pays nothing measurable for it and the tables hold one row per
// token and hour, not one per request. Several instances each add their own
// counts (ON CONFLICT ... + excluded), so the totals are the cluster's. A
// failed flush puts its counts back and the next one retries them; a stop
// (SIGTERM, SIGINT) flushes first (scripts/server.mjs runs the shutdown
// hooks). A kill -9 loses at most the last FLUSH_MS of this process's counts.

export const FLUSH_MS = 5_000;
/** Addresses kept per token (GitLab shows 5). */
export const ADDRESSES_KEPT = 5;
/** Bound on the distinct (token, hour) pairs and addresses held between flushes. */
const MAX_KEYS = 50_000;

type Counts = { hash: string; hour: number; requests: number; refused: number };
let counts = new Map<string, Counts>();
let seen = new Map<string, { hash: string; address: string; at: number }>();
let timer: NodeJS.Timeout | undefined;
let flushing: Promise<void> | undefined;

function hourOf(now: number): number {
  return Math.floor(now / 3_600_000) * 3_600_000;
}

function add(hash: string, now: number, requests: number, refused: number): void {
  const hour = hourOf(now);
  const key = `${hash} ${hour}`;
  const current = counts.get(key);
  if (current) {
    current.requests += requests;
    current.refused += refused;
  } else {
    if (counts.size >= MAX_KEYS) void flushUsage(); // a flood of distinct tokens: flush early, never drop
    counts.set(key, { hash, hour, requests, refused });
  }
  timer ??= setInterval(() => void flushUsage(), FLUSH_MS).unref();
  onShutdown(flushUsage);
}

/** A request served with this token. */
export function countUse(hash: string, address: string, now = Date.now()): void {
  add(hash, now, 1, 0);
  const key = `${hash} ${address}`;
  if (seen.size < MAX_KEYS || seen.has(key)) seen.set(key, { hash, address: address.slice(0, 64), at: now });
}

/** A request refused for this (correctly signed) token: revoked, disabled, or rotated out past its grace. */
export function countRefused(hash: string, now = Date.now()): void {
  add(hash, now, 0, 1);
}

/**
 * Adds what this process counted since the last flush to the database; what
 * fails is put back for the next one. Concurrent calls share one flush.
 */
export function flushUsage(): Promise<void> {
  flushing ??= flushOnce().finally(() => {
    flushing = undefined;
  });
  return flushing;
}

async function flushOnce(): Promise<void> {
  if (counts.size === 0 && seen.size === 0) return;
  const batch = [...counts.values()];
  const addresses = [...seen.values()];
  counts = new Map();
  seen = new Map();
  try {
    if (batch.length > 0)
      await backgroundQuery(
        `INSERT INTO token_usage (token_hash, hour, requests, refused)
           SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[])
         ON CONFLICT (token_hash, hour) DO UPDATE
           SET requests = token_usage.requests + excluded.requests, refused = token_usage.refused + excluded.refused`,
        [
          batch.map((row) => row.hash),
          batch.map((row) => new Date(row.hour)),
          batch.map((row) => row.requests),
          batch.map((row) => row.refused),
        ],
      );
  } catch (error) {
    for (const row of batch) add(row.hash, row.hour, row.requests, row.refused);
    for (const row of addresses)
      if (!seen.has(`${row.hash} ${row.address}`)) seen.set(`${row.hash} ${row.address}`, row);
    log.warn("usage counts could not be written; kept for the next try", (error as Error)?.message);
    return;
  }
  if (addresses.length === 0) return;
  try {
    const hashes = [...new Set(addresses.map((row) => row.hash))];
    await backgroundQuery(
      `INSERT INTO token_addresses (token_hash, address, last_seen)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT (token_hash, address) DO UPDATE SET last_seen = greatest(token_addresses.last_seen, excluded.last_seen)`,
      [addresses.map((row) => row.hash), addresses.map((row) => row.address), addresses.map((row) => new Date(row.at))],
    );
    await backgroundQuery(
      `DELETE FROM token_addresses a
        USING (SELECT token_hash, address,
                      row_number() OVER (PARTITION BY token_hash ORDER BY last_seen DESC, address) AS n
                 FROM token_addresses WHERE token_hash = ANY($1::text[])) ranked
        WHERE a.token_hash = ranked.token_hash AND a.address = ranked.address AND ranked.n > $2`,
      [hashes, ADDRESSES_KEPT],
    );
  } catch (error) {
    // Addresses are the last few seen: the next use writes them again.
    log.warn("last-used addresses could not be written", (error as Error)?.message);
  }
}
