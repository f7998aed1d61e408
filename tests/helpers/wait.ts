// Waiting in tests: for a condition (polled), or for an instant on the clock
// the product also reads (a token's exp, an interval since a recorded time).
// No test waits a fixed time for something that has a condition or an instant.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once the wall clock has passed epochMs (at once if it already has). */
export const sleepUntil = (epochMs: number) => sleep(Math.max(0, epochMs - Date.now()));

/**
 * Polls check every intervalMs until it returns something truthy and resolves
 * with that; after timeoutMs resolves with the last (falsy) value, so the
 * caller's own assertion says what was not reached.
 */
export async function until<T>(check: () => Promise<T> | T, timeoutMs = 5_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}
