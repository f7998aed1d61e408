// Process-wide counters for GET /api/metrics (the benchmark and the security
// suite read them): how much database work requests cause, how often lastUsed
// is written. In memory, per server process; they reset on restart.

interface Counters {
  dbQueries: number;
  /** lastUsed UPDATE statements sent. */
  lastUsedUpdates: number;
  /** Of those, the ones that changed the row (another instance may have written it within the interval). */
  lastUsedWrites: number;
  authFailures: number;
}

const globalForMetrics = globalThis as unknown as { tesseraMetrics?: Counters };
export const metrics: Counters = (globalForMetrics.tesseraMetrics ??= {
  dbQueries: 0,
  lastUsedUpdates: 0,
  lastUsedWrites: 0,
  authFailures: 0,
});
