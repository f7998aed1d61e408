import { WindowCounter } from "../window-counter.ts";

// Failed sign-ins, counted in memory in 15-minute windows (per process; with
// several instances each counts its own: README, Limits). Three counters:
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
// taken back if it succeeds: check and count are one synchronous step, so a
// burst of concurrent attempts gets exactly MAX_FAILURES password checks.
// Whether the username exists changes nothing (so it reveals nothing).

export const MAX_FAILURES = 5;
/** Per address the bar is higher: several people may share one. */
export const MAX_FAILURES_PER_ADDRESS = 20;
export const GLOBAL_FREE_FAILURES = 10;
export const SLOWDOWN_STEP_MS = 250;
export const MAX_SLOWDOWN_MS = 5_000;
const WINDOW_MS = 15 * 60_000;

const byPair = new WindowCounter(WINDOW_MS, 50_000);
const byAddress = new WindowCounter(WINDOW_MS, 50_000);
const byUser = new WindowCounter(WINDOW_MS, 50_000);
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
      succeeded(): void;
      /** No password was checked (the database failed): the attempt does not count. */
      abandoned(): void;
    };

/** Checks the limits and counts the attempt as a failure in one step (see above). */
export function beginLoginAttempt(username: string, address: string, now = Date.now()): LoginAttempt {
  const pair = pairKey(username, address);
  const user = userKey(username);
  const waits: number[] = [];
  if (byPair.count(pair, now) >= MAX_FAILURES) waits.push(byPair.remainingMs(pair, now));
  if (byAddress.count(address, now) >= MAX_FAILURES_PER_ADDRESS) waits.push(byAddress.remainingMs(address, now));
  if (waits.length > 0) return { blocked: true, minutes: Math.max(1, Math.ceil(Math.max(...waits) / 60_000)) };

  const earlier = byUser.count(user, now);
  byPair.add(pair, now);
  byAddress.add(address, now);
  byUser.add(user, now);
  const delayMs =
    earlier < GLOBAL_FREE_FAILURES
      ? 0
      : Math.min(MAX_SLOWDOWN_MS, (earlier - GLOBAL_FREE_FAILURES + 1) * SLOWDOWN_STEP_MS);
  const undo = () => {
    byAddress.subtract(address);
    byUser.subtract(user);
  };
  return {
    blocked: false,
    delayMs,
    succeeded() {
      byPair.delete(pair);
      undo();
    },
    abandoned() {
      byPair.subtract(pair);
      undo();
    },
  };
}
