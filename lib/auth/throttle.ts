// Counts requests with a bad token per client address in a fixed one-minute
// window; past the limit, token-bearing requests from that address get 429
// until the window ends. In memory, per process (and per middleware sandbox):
// it keeps noise off the database and the logs; it is not a distributed
// rate limiter (see README, Limits). Edge-safe.

const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

interface Window {
  start: number;
  failures: number;
}

const windows = new Map<string, Window>();

function current(address: string, now: number): Window | undefined {
  const window = windows.get(address);
  if (window && now - window.start >= WINDOW_MS) {
    windows.delete(address);
    return undefined;
  }
  return window;
}

/** Seconds until the address may try again, or 0 when it is not throttled. */
export function retryAfter(address: string, limit: number, now = Date.now()): number {
  const window = current(address, now);
  if (!window || window.failures < limit) return 0;
  return Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
}

export function recordFailure(address: string, now = Date.now()): void {
  const window = current(address, now);
  if (window) {
    window.failures++;
    return;
  }
  if (windows.size >= MAX_TRACKED) {
    // Bounded memory under a flood of addresses: drop the oldest entries.
    for (const [key] of windows) {
      windows.delete(key);
      if (windows.size < MAX_TRACKED / 2) break;
    }
  }
  windows.set(address, { start: now, failures: 1 });
}
