// Failed sign-ins per username and per client address, in memory: after
// MAX_FAILURES within WINDOW_MS further attempts are refused until the window
// ends, whether or not the user exists (so it reveals nothing).

const WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES = 5;
/** Per address the bar is higher: several people may share one. */
export const MAX_FAILURES_PER_ADDRESS = 20;
const failures = new Map<string, { start: number; count: number }>();

function key(kind: string, value: string) {
  return `${kind}:${value.toLowerCase()}`;
}

function active(k: string, now: number) {
  const entry = failures.get(k);
  if (entry && now - entry.start >= WINDOW_MS) {
    failures.delete(k);
    return undefined;
  }
  return entry;
}

/** Minutes until sign-in may be tried again for this username or address; 0 when allowed. */
export function loginBlockedFor(username: string, address: string, now = Date.now()): number {
  const user = active(key("user", username), now);
  const addr = active(key("addr", address), now);
  const ends: number[] = [];
  if (user && user.count >= MAX_FAILURES) ends.push(user.start + WINDOW_MS);
  if (addr && addr.count >= MAX_FAILURES_PER_ADDRESS) ends.push(addr.start + WINDOW_MS);
  if (ends.length === 0) return 0;
  return Math.max(1, Math.ceil((Math.max(...ends) - now) / 60_000));
}

export function recordLoginFailure(username: string, address: string, now = Date.now()) {
  for (const k of [key("user", username), key("addr", address)]) {
    const entry = active(k, now);
    if (entry) entry.count++;
    else {
      if (failures.size > 50_000) failures.clear();
      failures.set(k, { start: now, count: 1 });
    }
  }
}

export function clearLoginFailures(username: string) {
  failures.delete(key("user", username));
}
