import "server-only";
import { database } from "../db.ts";
import { postgresWindow } from "../limits/postgres-window.ts";
import { countInMemory, retryAfter, type FailureCounter } from "./throttle.ts";

// Where withAuth counts bad credentials: on PostgreSQL in the database, so
// every instance counts the same (with an in-memory front: an address known
// to be over the limit is refused without a query); in embedded mode (one
// process) in memory, as the middleware does.

export const countFailure: FailureCounter = async (address, limit) => {
  if (database().engine !== "postgres") return countInMemory(address, limit);
  const counted = await postgresWindow("bad-token", limit, 60).add(address);
  return counted.over ? Math.max(1, Math.ceil(counted.msLeft / 1000)) : 0;
};

/**
 * Seconds until the address may try again when it is already known to be over the limit (nothing is counted):
 * what introspection asks before answering at all, so an address over the limit learns nothing more.
 */
export async function failureWait(address: string, limit: number): Promise<number> {
  if (database().engine !== "postgres") return retryAfter(address, limit);
  const ms = postgresWindow("bad-token", limit, 60).knownOverMs(address);
  return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
}
