// Counts events per key in fixed time windows, in memory and bounded in size.
// Edge-safe. The throttles' count wherever it is one process's: the embedded
// mode (lib/limits/event-window.ts: bad tokens, failed sign-ins) and the
// edge middleware's front (lib/auth/throttle.ts). On PostgreSQL the counts
// shared by all instances are rate-limiter-flexible's PostgreSQL store
// (lib/limits/postgres-window.ts).
//
// Hand-written on purpose. rate-limiter-flexible's memory store does not fit
// these in-memory counts: its Map has no size bound (one entry and one timer
// per key, so a flood of distinct addresses grows it without limit, where
// this drops the oldest half at maxKeys), it reads Date.now() (the tests
// drive these windows with an injectable clock), and the edge middleware's
// front must check and count in one synchronous step. It does serve as the
// PostgreSQL store's insurance while the database is unreachable (short, and
// its entries expire with their windows). Caches and log-once sets use
// lru-cache.

export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** The key's current window, or undefined when it has none or it has ended. */
  private current(key: string, now: number) {
    const window = this.windows.get(key);
    if (window && now - window.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  count(key: string, now = Date.now()): number {
    return this.current(key, now)?.count ?? 0;
  }

  /** Milliseconds until the key's window ends (0 without one). */
  remainingMs(key: string, now = Date.now()): number {
    const window = this.current(key, now);
    return window ? window.start + this.windowMs - now : 0;
  }

  add(key: string, now = Date.now()): void {
    const window = this.current(key, now);
    if (window) {
      window.count++;
      return;
    }
    if (this.windows.size >= this.maxKeys) {
      // Bounded memory under a flood of keys: drop the oldest half (Map keeps insertion order).
      for (const old of this.windows.keys()) {
        this.windows.delete(old);
        if (this.windows.size < this.maxKeys / 2) break;
      }
    }
    this.windows.set(key, { start: now, count: 1 });
  }

  /** Takes one event back (an attempt counted in advance that turned out not to count). */
  subtract(key: string): void {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }

  delete(key: string): void {
    this.windows.delete(key);
  }
}
