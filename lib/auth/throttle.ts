import { WindowCounter } from "../window-counter.ts";

// Counts requests with a bad token per client address in a fixed one-minute
// window. In memory, per process (and per middleware sandbox): it keeps noise
// off the database and the logs; it is not a distributed rate limiter (see
// README, Limits). Edge-safe.

const failures = new WindowCounter(60_000);

/** Seconds until the address may try again, or 0 when it is not throttled. */
export function retryAfter(address: string, limit: number, now = Date.now()): number {
  if (failures.count(address, now) < limit) return 0;
  return Math.max(1, Math.ceil(failures.remainingMs(address, now) / 1000));
}

export function recordFailure(address: string, now = Date.now()): void {
  failures.add(address, now);
}
