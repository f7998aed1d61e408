import { WindowCounter } from "../window-counter.ts";

// One shape for the throttles' counters: a fixed window per key with a
// limit, counted in memory (the embedded mode, and the edge middleware's
// front) or in PostgreSQL, shared by every instance
// (lib/limits/postgres-window.ts). Counting and reading are one step: add()
// answers the count with this event in it, so a burst of concurrent attempts
// is counted exactly on both (15 concurrent guesses, exactly 5 checked).
// Edge-safe.

export interface Counted {
  /** Events in the key's window, this one included (0 when the in-memory front refused it uncounted). */
  count: number;
  /** This event is past the limit. */
  over: boolean;
  /** Milliseconds until the key's window ends. */
  msLeft: number;
}

export interface EventWindow {
  /** Counts one more event for the key. `now` drives the memory window's clock (tests); PostgreSQL's uses the time. */
  add(key: string, now?: number): Promise<Counted>;
  /** Takes one event back (an attempt counted in advance that turned out not to count). */
  subtract(key: string): Promise<void>;
  /** Starts the key over. */
  delete(key: string): Promise<void>;
  /** Milliseconds the key is known (in memory: no query) to stay over its limit, or 0. Counts nothing. */
  knownOverMs(key: string, now?: number): number;
}

/** A window in this process's memory, bounded to maxKeys keys (lib/window-counter.ts). */
export function memoryWindow(limit: number, seconds: number, maxKeys?: number): EventWindow {
  const counter = new WindowCounter(seconds * 1000, maxKeys);
  return {
    async add(key, now = Date.now()) {
      counter.add(key, now);
      const count = counter.count(key, now);
      return { count, over: count > limit, msLeft: counter.remainingMs(key, now) };
    },
    async subtract(key) {
      counter.subtract(key);
    },
    async delete(key) {
      counter.delete(key);
    },
    knownOverMs(key, now = Date.now()) {
      return counter.count(key, now) > limit ? counter.remainingMs(key, now) : 0;
    },
  };
}
