import "server-only";
import { auditRow, SYSTEM_ACTOR } from "../audit/record.ts";
import { db } from "../db.ts";
import { log } from "../log.ts";
import { nudgeWebhooks } from "../webhooks/dispatcher.ts";
import { enqueueWebhooks } from "../webhooks/enqueue.ts";
import type { Dynsec } from "./dynsec.ts";

// Exact expiry of MQTT credentials: the leader (lib/mqtt/service.ts) looks
// every few seconds for credentials that expire soon and sets a timer for
// each at its expires_at. The timer claims the row (a conditional UPDATE: a
// refresh that moved expires_at wins) and disables the broker client, which
// closes an open connection and refuses new ones. Credentials live at least
// 10 s, longer than the look-ahead period, so none is missed; the periodic
// reconcile remains the backstop (it disables every expired client).
//
// Marking a row disabled is the expiry the audit log records
// (mqtt_credentials.expired, by the system), in the same transaction: the
// timer here or the sweep's expireDue(), whichever claims the row (both
// update only rows not yet disabled), writes its one row.

const LOOK_AHEAD_MS = 7_000;
export const EXPIRY_POLL_MS = 3_000;
/** The sweep marks expired credentials this many per transaction (a backlog after an outage is many batches). */
const EXPIRE_BATCH = 500;

/** The audit row of one credential's expiry. */
function expiredRow(row: { id: string; username: string; expiresAt: Date }) {
  return auditRow(SYSTEM_ACTOR, "mqtt_credentials.expired", {
    target: row.username,
    details: { tokenId: row.id, expiresAt: row.expiresAt.toISOString() },
  });
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

/** The expiry's audit rows and its mqtt_credentials.expired webhook messages, in the transaction that marks them. */
async function recordExpired(tx: Tx, rows: { id: string; username: string; expiresAt: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.auditEvent.createMany({ data: rows.map(expiredRow) });
  await enqueueWebhooks(
    tx,
    "mqtt_credentials.expired",
    rows.map((row) => ({
      key: `mqtt_credentials.expired:${row.id}`,
      data: { tokenId: row.id, username: row.username, expiredAt: new Date(row.expiresAt).toISOString() },
    })),
  );
}

/**
 * Marks every credential expired by `now` and not yet disabled as disabled, each with its
 * mqtt_credentials.expired row, EXPIRE_BATCH per transaction, so one sweep after a long outage is neither one
 * unbounded transaction nor a row per credential in memory at once. Returns how many were marked.
 */
export async function expireDue(now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const marked = await db().$transaction(async (tx) => {
      // SKIP LOCKED: a row an expiry timer holds is its to audit; the outer "disabled_at IS NULL" re-checks a row
      // another transaction marked while this one waited.
      const rows = await tx.$queryRaw<{ id: string; username: string; expiresAt: Date }[]>`
        UPDATE mqtt_credentials SET disabled_at = ${now}
         WHERE disabled_at IS NULL
           AND id IN (SELECT id FROM mqtt_credentials
                       WHERE disabled_at IS NULL AND expires_at <= ${now}
                       ORDER BY expires_at LIMIT ${EXPIRE_BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, username, expires_at AS "expiresAt"`;
      await recordExpired(tx, rows);
      return rows.length;
    });
    total += marked;
    if (marked > 0) nudgeWebhooks();
    if (marked < EXPIRE_BATCH) return total;
  }
}

export class ExpiryScheduler {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private poller: NodeJS.Timeout | undefined;

  constructor(private readonly connection: Dynsec) {}

  start(): void {
    if (this.poller) return;
    const poll = () =>
      void this.poll().catch((error: unknown) => log.warn("mqtt expiry: cannot read credentials", error));
    poll();
    this.poller = setInterval(poll, EXPIRY_POLL_MS);
    this.poller.unref();
  }

  stop(): void {
    clearInterval(this.poller);
    this.poller = undefined;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async poll(): Promise<void> {
    const soon = await db().mqttCredential.findMany({
      where: { disabledAt: null, expiresAt: { lte: new Date(Date.now() + LOOK_AHEAD_MS) } },
      select: { id: true, username: true, expiresAt: true },
      orderBy: { expiresAt: "asc" },
      take: 1000,
    });
    for (const row of soon) {
      const at = row.expiresAt.getTime();
      const known = this.timers.get(row.id);
      if (known?.at === at) continue;
      if (known) clearTimeout(known.timer);
      const timer = setTimeout(() => void this.expire(row.id, row.username, at), Math.max(0, at - Date.now()));
      this.timers.set(row.id, { at, timer });
    }
  }

  /** Disables one credential whose expires_at has come (unless a refresh moved it). */
  async expire(id: string, username: string, at: number): Promise<void> {
    this.timers.delete(id);
    const now = new Date(Math.max(Date.now(), at));
    try {
      const claimed = await db().$transaction(async (tx) => {
        const { count } = await tx.mqttCredential.updateMany({
          where: { id, disabledAt: null, expiresAt: { lte: now } },
          data: { disabledAt: now },
        });
        if (count > 0) await recordExpired(tx, [{ id, username, expiresAt: new Date(at) }]);
        return count > 0;
      });
      if (claimed) nudgeWebhooks();
      if (!claimed) return;
      await this.connection.run([{ command: "disableClient", username }], [/not found/i]);
    } catch (error) {
      // The row says disabled; the reconcile disables the client once the broker answers again.
      log.warn(`mqtt expiry: could not disable ${username} at its expiry; the reconcile will`, error);
    }
  }
}
