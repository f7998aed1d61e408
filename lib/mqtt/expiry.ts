import "server-only";
import { db } from "../db.ts";
import { log } from "../log.ts";
import type { Dynsec } from "./dynsec.ts";

// Exact expiry of MQTT credentials: the leader (lib/mqtt/service.ts) looks
// every few seconds for credentials that expire soon and sets a timer for
// each at its expires_at. The timer claims the row (a conditional UPDATE: a
// refresh that moved expires_at wins) and disables the broker client, which
// closes an open connection and refuses new ones. Credentials live at least
// 10 s, longer than the look-ahead period, so none is missed; the periodic
// reconcile remains the backstop (it disables every expired client).

const LOOK_AHEAD_MS = 7_000;
export const EXPIRY_POLL_MS = 3_000;

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
      const { count } = await db().mqttCredential.updateMany({
        where: { id, disabledAt: null, expiresAt: { lte: now } },
        data: { disabledAt: now },
      });
      if (count === 0) return;
      await this.connection.run([{ command: "disableClient", username }], [/not found/i]);
    } catch (error) {
      // The row says disabled; the reconcile disables the client once the broker answers again.
      log.warn(`mqtt expiry: could not disable ${username} at its expiry; the reconcile will`, error);
    }
  }
}
