import "server-only";
import pg from "pg";
import type { Env } from "../env.ts";

// One leader per cluster: a session-level PostgreSQL advisory lock held on a
// connection of its own. PostgreSQL releases it the moment that session ends
// (the process exits or dies, or the network drops it), so another instance
// takes over on its next try without any lease to wait out. The embedded
// engine is one process's database (the data dir lock), so that process
// always leads.

const LEADER_LOCK_KEY = 72707370;
const CHECK_MS = 5_000;

export interface LeaderLock {
  /** True while this process holds the lock. */
  readonly held: boolean;
  stop(): Promise<void>;
}

/** Tries for the lock every 5 s; calls onChange(true) when it is won and onChange(false) when it is lost. */
export function leaderLock(settings: Pick<Env, "DATABASE_URL">, onChange: (held: boolean) => void): LeaderLock {
  if (!settings.DATABASE_URL) {
    queueMicrotask(() => onChange(true));
    return { held: true, stop: async () => onChange(false) };
  }
  let client: pg.Client | undefined;
  let held = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const lose = () => {
    const connection = client;
    client = undefined;
    connection?.end().catch(() => {});
    if (held) {
      held = false;
      onChange(false);
    }
  };

  const tick = async () => {
    try {
      if (!client) {
        const fresh = new pg.Client({
          connectionString: settings.DATABASE_URL,
          keepAlive: true,
          connectionTimeoutMillis: 5_000,
        });
        fresh.on("error", lose);
        client = fresh;
        await fresh.connect();
        await fresh.query("SET application_name = 'tessera-leader'");
      }
      if (held) {
        // Still connected, so still held: a lost session would have failed this.
        await client.query("SELECT 1");
      } else {
        const [row] = (
          await client.query<{ won: boolean }>("SELECT pg_try_advisory_lock($1) AS won", [LEADER_LOCK_KEY])
        ).rows;
        if (row?.won) {
          held = true;
          onChange(true);
        }
      }
    } catch {
      lose();
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), CHECK_MS).unref();
    }
  };
  void tick();

  return {
    get held() {
      return held;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      lose();
    },
  };
}

/**
 * Runs fn once while holding the leader lock, for a process that does not stay (the cron route on Vercel): tries
 * for the lock once on a connection of its own, runs fn if it was won and releases it after. Resolves with
 * { ran: false } when another process holds it (a worker leads and does this work itself). The embedded database
 * belongs to the server process, whose worker always leads: there nothing else runs it.
 */
export async function runAsLeaderOnce<T>(
  settings: Pick<Env, "DATABASE_URL">,
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  if (!settings.DATABASE_URL) return { ran: false };
  const client = new pg.Client({ connectionString: settings.DATABASE_URL, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {}); // a lost connection ends the session and with it the lock; the query in flight fails
  await client.connect();
  try {
    await client.query("SET application_name = 'tessera-leader-once'");
    const [row] = (await client.query<{ won: boolean }>("SELECT pg_try_advisory_lock($1) AS won", [LEADER_LOCK_KEY]))
      .rows;
    if (!row?.won) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [LEADER_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
