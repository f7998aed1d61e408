import { WindowCounter } from "../window-counter.ts";

// Failed sign-ins per username and per client address, in memory: after
// MAX_FAILURES within 15 minutes further attempts are refused until the
// window ends, whether or not the user exists (so it reveals nothing).

export const MAX_FAILURES = 5;
/** Per address the bar is higher: several people may share one. */
export const MAX_FAILURES_PER_ADDRESS = 20;
const byUser = new WindowCounter(15 * 60_000, 50_000);
const byAddress = new WindowCounter(15 * 60_000, 50_000);
const userKey = (username: string) => username.toLowerCase();

/** Minutes until sign-in may be tried again for this username or address; 0 when allowed. */
export function loginBlockedFor(username: string, address: string, now = Date.now()): number {
  const waits: number[] = [];
  if (byUser.count(userKey(username), now) >= MAX_FAILURES) waits.push(byUser.remainingMs(userKey(username), now));
  if (byAddress.count(address, now) >= MAX_FAILURES_PER_ADDRESS) waits.push(byAddress.remainingMs(address, now));
  if (waits.length === 0) return 0;
  return Math.max(1, Math.ceil(Math.max(...waits) / 60_000));
}

export function recordLoginFailure(username: string, address: string, now = Date.now()) {
  byUser.add(userKey(username), now);
  byAddress.add(address, now);
}

export function clearLoginFailures(username: string) {
  byUser.delete(userKey(username));
}
