import "server-only";
import { runAsLeaderOnce } from "../db/leader-lock.ts";
import type { Env } from "../env.ts";
import { dynsec } from "../mqtt/dynsec.ts";
import { sweepOnce, type SweepResult } from "../mqtt/sweep.ts";

// The cron route's work (app/api/cron/sweep): the worker's periodic sweep and
// reconcile, run once, as the fallback where no worker runs (Vercel without
// `tessera worker` somewhere). It takes the same leader lock as a worker that
// leads, so it never runs beside one, nor beside another cron call: when the
// lock is taken, the one who holds it does this work and the call does nothing.

export type CronSweepAnswer =
  ({ ran: true } & SweepResult) | { ran: false; reason: "mqtt-disabled" | "another-leader" | "embedded" };

export async function cronSweep(settings: Env): Promise<CronSweepAnswer> {
  const connection = dynsec(settings);
  if (!connection) return { ran: false, reason: "mqtt-disabled" };
  // The embedded database belongs to the server process, whose own worker leads and sweeps.
  if (settings.engine === "pglite") return { ran: false, reason: "embedded" };
  const outcome = await runAsLeaderOnce(settings, () => sweepOnce(connection, settings));
  return outcome.ran ? { ran: true, ...outcome.value } : { ran: false, reason: "another-leader" };
}
