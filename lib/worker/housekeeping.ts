import "server-only";
import { db } from "../db.ts";
import type { Env } from "../env.ts";
import { log } from "../log.ts";
import { deleteEndedGraces } from "../tokens/lifecycle.ts";

// The database's own periodic cleanup, once per cluster: rotated-out tokens
// whose grace has ended, audit rows past TESSERA_AUDIT_RETENTION_DAYS, usage
// rows and last-used addresses past TESSERA_USAGE_RETENTION_DAYS. Run by the
// MQTT sweep (lib/mqtt/sweep.ts) where a broker is configured, and otherwise
// by the worker's own timer (lib/worker/start-worker.ts) and the cron route;
// both hold the leader lock while they run it, so only one runs at a time
// (and a second run would find nothing left to delete).

export const HOUSEKEEPING_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** How long a delivered or failed webhook message and its attempts stay in the delivery log. */
export const WEBHOOK_LOG_DAYS = 30;

export interface HousekeepingResult {
  gracesEnded: number;
  auditPruned: number;
  usagePruned: number;
}

export async function housekeeping(
  settings: Pick<Env, "TESSERA_AUDIT_RETENTION_DAYS" | "TESSERA_USAGE_RETENTION_DAYS">,
  now = new Date(),
): Promise<HousekeepingResult> {
  const gracesEnded = await deleteEndedGraces();
  const auditCutoff = new Date(now.getTime() - settings.TESSERA_AUDIT_RETENTION_DAYS * DAY_MS);
  // The one DELETE the append-only trigger lets through: it sees tessera.audit_prune, set for this transaction only.
  const [, auditPruned] = await db().$transaction([
    db().$queryRaw`SELECT set_config('tessera.audit_prune', 'on', true)`,
    db().$executeRaw`DELETE FROM audit_events WHERE at < ${auditCutoff}`,
  ]);
  const usageCutoff = new Date(now.getTime() - settings.TESSERA_USAGE_RETENTION_DAYS * DAY_MS);
  const usage = await db().tokenUsage.deleteMany({ where: { hour: { lt: usageCutoff } } });
  await db().tokenAddress.deleteMany({ where: { lastSeen: { lt: usageCutoff } } });
  // Sent or given-up webhook messages, with their delivery log, after WEBHOOK_LOG_DAYS. Their dedupe keys go with
  // them, which repeats nothing: the scans look at most 7 days back (lib/webhooks/dispatcher.ts).
  await db().webhookMessage.deleteMany({
    where: { status: { not: "pending" }, createdAt: { lt: new Date(now.getTime() - WEBHOOK_LOG_DAYS * DAY_MS) } },
  });
  if (auditPruned + usage.count > 0)
    log.info(
      `housekeeping: deleted ${auditPruned} audit rows and ${usage.count} hourly usage rows past their retention`,
    );
  return { gracesEnded, auditPruned, usagePruned: usage.count };
}
