// Counts events per key in fixed time windows, in memory and bounded in size.
// Edge-safe. Used for the bad-token throttle and the login throttle.
//
// Kept hand-written for now: the login throttle needs "count before the
// check, take back on success" in one synchronous step and the remaining
// window for its message, and both throttles move to a store shared by all
// instances (PostgreSQL) in the scale-out work, where a maintained limiter
// with a PostgreSQL store (rate-limiter-flexible) replaces this file.

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
