import pg from "pg";

/** Empties the throttles' shared counters (PostgreSQL: rate_limits), for a test that needs a fresh count. */
export async function clearRateLimits(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DELETE FROM rate_limits`);
  } finally {
    await client.end();
  }
}
