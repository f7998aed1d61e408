import { memoryWindow, type EventWindow } from "../limits/event-window.ts";

// Failed sign-ins, counted in 15-minute windows: in memory in embedded mode
// (one process), in PostgreSQL on a shared database, so that every instance
// counts the same (lib/users/login-windows.ts picks). Three counters:
//
// - per username AND address: MAX_FAILURES, then that pair is refused until
//   its window ends. Someone guessing the admin's password from one address
//   locks out only themselves, never the admin signing in from elsewhere;
// - per address: MAX_FAILURES_PER_ADDRESS across all usernames (password
//   spraying), then the address is refused;
// - per username, from all addresses: no lockout, a slowdown. Past
//   GLOBAL_FREE_FAILURES each attempt waits SLOWDOWN_STEP_MS longer, up to
//   MAX_SLOWDOWN_MS, so guessing from many addresses gets slow while the
//   owner still gets in (a few seconds late at worst).
//
// An attempt is counted as a failure BEFORE its password is checked and
// taken back if it succeeds. Each count is one atomic step that answers the
// count with the attempt in it (lib/limits/event-window.ts), so a burst of
// concurrent attempts gets exactly MAX_FAILURES password checks, on one
// instance or spread over several. A refused attempt counts for nothing
// else: refused by its pair, it never reaches the address's count; refused
// by its address, it is taken back from its pair. Whether the username
// exists changes nothing (so it reveals nothing).

export const MAX_FAILURES = 5;
/** Per address the bar is higher: several people may share one. */
export const MAX_FAILURES_PER_ADDRESS = 20;
export const GLOBAL_FREE_FAILURES = 10;
export const SLOWDOWN_STEP_MS = 250;
export const MAX_SLOWDOWN_MS = 5_000;
export const WINDOW_SECONDS = 15 * 60;

/** The three counters (see above). */
export interface LoginWindows {
  pair: EventWindow;
  address: EventWindow;
  user: EventWindow;
}

/** The counters in this process's memory (the embedded mode, and the default). */
export const memoryLoginWindows: LoginWindows = {
  pair: memoryWindow(MAX_FAILURES, WINDOW_SECONDS, 50_000),
  address: memoryWindow(MAX_FAILURES_PER_ADDRESS, WINDOW_SECONDS, 50_000),
  user: memoryWindow(Number.POSITIVE_INFINITY, WINDOW_SECONDS, 50_000),
};

const userKey = (username: string) => username.toLowerCase();
const pairKey = (username: string, address: string) => `${userKey(username)}\u0000${address}`;

export type LoginAttempt =
  /** Refused without a password check: minutes until the window ends. */
  | { blocked: true; minutes: number }
  | {
      blocked: false;
      /** How long to wait before checking the password (the per-username slowdown). */
      delayMs: number;
      /** The password was right: the attempt is not a failure after all, and the pair starts over. */
      succeeded(): Promise<void>;
      /** No password was checked (the database failed): the attempt does not count. */
      abandoned(): Promise<void>;
    };

const blocked = (msLeft: number): LoginAttempt => ({
  blocked: true,
  minutes: Math.max(1, Math.ceil(msLeft / 60_000)),
});

/** Checks the limits and counts the attempt as a failure (see above). */
export async function beginLoginAttempt(
  username: string,
  address: string,
  now = Date.now(),
  windows: LoginWindows = memoryLoginWindows,
): Promise<LoginAttempt> {
  const pair = pairKey(username, address);
  const user = userKey(username);
  // What this process already knows to be over its limit is refused before anything is counted: a flood from a
  // blocked address, a new username each time, costs no query (an independent attack measured two per attempt).
  const knownOver = Math.max(windows.address.knownOverMs(address, now), windows.pair.knownOverMs(pair, now));
  if (knownOver > 0) return blocked(knownOver);
  const byPair = await windows.pair.add(pair, now);
  if (byPair.over) return blocked(byPair.msLeft);
  const byAddress = await windows.address.add(address, now);
  if (byAddress.over) {
    await windows.pair.subtract(pair);
    return blocked(byAddress.msLeft);
  }
  const earlier = (await windows.user.add(user, now)).count - 1;
  const delayMs =
    earlier < GLOBAL_FREE_FAILURES
      ? 0
      : Math.min(MAX_SLOWDOWN_MS, (earlier - GLOBAL_FREE_FAILURES + 1) * SLOWDOWN_STEP_MS);
  const undo = () => Promise.all([windows.address.subtract(address), windows.user.subtract(user)]);
  return {
    blocked: false,
    delayMs,
    async succeeded() {
      await Promise.all([windows.pair.delete(pair), undo()]);
    },
    async abandoned() {
      await Promise.all([windows.pair.subtract(pair), undo()]);
    },
  };
}
