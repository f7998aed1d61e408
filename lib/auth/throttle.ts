import { WindowCounter } from "../window-counter.ts";

// Counts requests with a bad token per client address in a fixed one-minute
// window, in this process's memory: the embedded mode's whole count, and on
// PostgreSQL the edge middleware's front (middleware.ts), while withAuth
// counts for the cluster in PostgreSQL (lib/auth/shared-throttle.ts).
// Edge-safe.

const failures = new WindowCounter(60_000);

/**
 * Counts a request with a bad credential from an address: the seconds until
 * it may try again when it is already over the limit, else 0.
 */
export type FailureCounter = (address: string, limit: number) => Promise<number>;

/** Seconds until the address may try again, or 0 when it is not throttled. */
export function retryAfter(address: string, limit: number, now = Date.now()): number {
  if (failures.count(address, now) < limit) return 0;
  return Math.max(1, Math.ceil(failures.remainingMs(address, now) / 1000));
}

export function recordFailure(address: string, now = Date.now()): void {
  failures.add(address, now);
}

/** The count in this process's memory; a request over the limit is not counted again. */
export const countInMemory: FailureCounter = async (address, limit) => {
  const wait = retryAfter(address, limit);
  if (wait === 0) recordFailure(address);
  return wait;
};
