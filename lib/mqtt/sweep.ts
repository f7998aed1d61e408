import "server-only";
import { db } from "../db.ts";
import type { Env } from "../env.ts";
import { log } from "../log.ts";
import { housekeeping } from "../worker/housekeeping.ts";
import { logOncePerMinute, type Dynsec } from "./dynsec.ts";
import { INSTANCE_STALE_MS } from "./cluster-health.ts";
import { expireDue } from "./expiry.ts";
import { reconcile, type ReconcileResult } from "./reconcile.ts";

// The leader's periodic work, one run of it: delete credentials expired
// longer than TESSERA_MQTT_DELETE_AFTER_SECONDS ago (housekeeping, not
// audited: their expiry was) and rotated-out tokens whose grace has ended,
// mark the expired credentials disabled (audited, mqtt_credentials.expired),
// forget instances gone quiet, then reconcile the broker to the database. Run by the worker that leads (lib/mqtt/service.ts) and by the
// cron route (app/api/cron/sweep) when no worker does; never by two at once
// (both hold the leader lock, lib/db/leader-lock.ts, while they run it).

export interface SweepResult {
  /** Credentials deleted (expired longer than TESSERA_MQTT_DELETE_AFTER_SECONDS ago). */
  deleted: number;
  /** Credentials newly marked disabled (expired). */
  disabled: number;
  reconcile: Pick<ReconcileResult, "created" | "fixed" | "removed">;
}

/** One sweep and reconcile. Throws BrokerUnavailableError or a database error when it cannot finish. */
export async function sweepOnce(
  connection: Dynsec,
  settings: Env,
  options: { now?: Date; keepInstance?: string } = {},
): Promise<SweepResult> {
  const now = options.now ?? new Date();
  // Rows first: the reconcile then removes the broker clients of what is gone.
  // Expiry before deletion: credentials past both (a leader away for longer than the delay) still get their
  // mqtt_credentials.expired row, each in a batch's transaction (lib/mqtt/expiry.ts).
  const disabled = await expireDue(now);
  const cutoff = new Date(now.getTime() - settings.TESSERA_MQTT_DELETE_AFTER_SECONDS * 1000);
  const deleted = await db().mqttCredential.deleteMany({ where: { expiresAt: { lte: cutoff } } });
  // Rotated-out tokens past their grace, audit and usage rows past their retention (lib/worker/housekeeping.ts).
  await housekeeping(settings, now);
  await db().mqttInstance.deleteMany({
    where: {
      seenAt: { lt: new Date(now.getTime() - INSTANCE_STALE_MS) },
      ...(options.keepInstance ? { id: { not: options.keepInstance } } : {}),
    },
  });
  const result = await reconcile(connection, settings, now);
  const changed = result.created + result.fixed + result.removed;
  if (changed > 0 || deleted.count > 0) {
    log.info(
      `mqtt reconcile: created ${result.created}, fixed ${result.fixed}, removed ${result.removed} broker clients; deleted ${deleted.count} expired credentials`,
    );
  }
  if (result.unrestorable.length > 0) {
    logOncePerMinute(
      "reconcile-unrestorable",
      `mqtt reconcile: cannot restore the broker clients of ${result.unrestorable.join(", ")} (made before v0.2 or with a signing key no longer configured); register or create them again`,
    );
  }
  if (result.conflicts.length > 0) {
    logOncePerMinute(
      "reconcile-conflicts",
      `mqtt reconcile: broker clients ${result.conflicts.join(", ")} exist but were not made by Tessera; left alone`,
    );
  }
  return {
    deleted: deleted.count,
    disabled,
    reconcile: { created: result.created, fixed: result.fixed, removed: result.removed },
  };
}
