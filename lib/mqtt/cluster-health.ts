import "server-only";
import { db } from "../db.ts";

// The cluster's MQTT side as the workers report it in mqtt_instances (their
// heartbeat, lib/mqtt/service.ts): read by /api/health in a process that runs
// no worker of its own (a Vercel function), and for the reconcile by every
// instance that does not lead. Database only: this module must never import
// mqtt.js or lib/mqtt/dynsec.ts, so /api/health's function in a Vercel build
// carries neither (tests/vercel-build.test.ts checks its trace).

/** An instance that has not written its heartbeat for this long is gone; its responder client is removed. */
export const INSTANCE_STALE_MS = 60_000;

export type BrokerState = "ok" | "unavailable";
export type ResponderHealth = "ok" | "reconnecting" | "starting" | "stopped" | "off";

export interface ReconcileStatus {
  state: "ok" | "failing" | "pending";
  last_success_at: string | null;
  /** The instance that leads (runs the reconcile), if known. */
  leader: string | null;
}

export interface MqttHealth {
  broker: BrokerState;
  responder: ResponderHealth;
  reconcile: ReconcileStatus;
}

/** What a live row says (the columns the summary reads). */
export interface InstanceRow {
  id: string;
  seenAt: Date;
  leader: boolean;
  reconciledAt: Date | null;
  reconcileError: string | null;
  brokerState: string;
  responderState: string;
}

/**
 * Best first: the cluster's responder is as good as its best live worker's. "off" (TESSERA_MQTT_RESPONDER=false)
 * comes last, so it is the answer only when every live worker was told not to answer.
 */
const RESPONDER_ORDER: ResponderHealth[] = ["ok", "reconnecting", "starting", "stopped", "off"];

const NO_LEADER: ReconcileStatus = { state: "pending", last_success_at: null, leader: null };

/** The reconcile as the leading instance's row records it (today's rule, for every instance that does not lead). */
export function reconcileOf(leader: InstanceRow | null | undefined): ReconcileStatus {
  if (!leader) return NO_LEADER;
  return {
    state: leader.reconcileError ? "failing" : leader.reconciledAt ? "ok" : "pending",
    last_success_at: leader.reconciledAt?.toISOString() ?? null,
    leader: leader.id,
  };
}

/**
 * The cluster's MQTT side from its live rows (seen within INSTANCE_STALE_MS): the broker is ok if a live worker's
 * connection is; the responder is the best state a live worker reports; the reconcile is the newest live leader's.
 * No live row at all: nothing answers devices and nothing reconciles, which reads broker "unavailable", responder
 * "starting" and reconcile "pending" with no leader (so /api/health says `degraded`).
 */
export function summariseInstances(rows: InstanceRow[], now = new Date()): MqttHealth {
  const live = rows.filter((row) => row.seenAt.getTime() > now.getTime() - INSTANCE_STALE_MS);
  const responders = live.map((row) => RESPONDER_ORDER.indexOf(row.responderState as ResponderHealth));
  const best = Math.min(...responders.filter((rank) => rank >= 0));
  const leader = live.filter((row) => row.leader).sort((a, b) => b.seenAt.getTime() - a.seenAt.getTime())[0];
  return {
    broker: live.some((row) => row.brokerState === "ok") ? "ok" : "unavailable",
    responder: Number.isFinite(best) ? RESPONDER_ORDER[best]! : "starting",
    reconcile: reconcileOf(leader),
  };
}

/** The live rows (no error: an unreachable database reads as no worker, and /api/health says so on its own). */
export async function liveInstances(now = new Date()): Promise<InstanceRow[]> {
  return db()
    .mqttInstance.findMany({ where: { seenAt: { gt: new Date(now.getTime() - INSTANCE_STALE_MS) } } })
    .catch(() => []);
}

/** The reconcile as the newest live leader's row records it (pending with no leader when none is live or readable). */
export async function leaderReconcile(now = new Date()): Promise<ReconcileStatus> {
  const leader = await db()
    .mqttInstance.findFirst({
      where: { leader: true, seenAt: { gt: new Date(now.getTime() - INSTANCE_STALE_MS) } },
      orderBy: { seenAt: "desc" },
    })
    .catch(() => null);
  return reconcileOf(leader);
}

/** The cluster's MQTT side from the database alone. */
export async function clusterMqttHealth(): Promise<MqttHealth> {
  const now = new Date();
  return summariseInstances(await liveInstances(now), now);
}
