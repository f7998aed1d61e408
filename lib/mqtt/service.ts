import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "../db.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { leaderLock, type LeaderLock } from "../db/leader-lock.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { Responder } from "../devices/responder.ts";
import { leaderReconcile, type MqttHealth, type ReconcileStatus } from "./cluster-health.ts";
import { dynsec, logOncePerMinute, type Dynsec } from "./dynsec.ts";
import { ExpiryScheduler } from "./expiry.ts";
import { sweepOnce } from "./sweep.ts";

// The MQTT side of the worker (lib/worker/start-worker.ts: `tessera worker`,
// or the server process of `tessera start` on a Node host; never a Vercel
// function):
// - a row in mqtt_instances with a heartbeat every 10 s: its broker connection
//   and responder state, read where no worker runs (lib/mqtt/cluster-health.ts);
// - its device token responder (unless TESSERA_MQTT_RESPONDER=false);
// - and, while it leads the cluster (lib/db/leader-lock.ts), the jobs that
//   must run once at a time: the reconcile (on winning the lead, whenever the
//   broker connection comes back, and every TESSERA_MQTT_SWEEP_SECONDS),
//   exact expiry, deleting credentials TESSERA_MQTT_DELETE_AFTER_SECONDS
//   after expiry, and forgetting instances gone quiet.
// A reconcile that cannot finish is retried every 5 s, logged at most once a
// minute, and shown by /api/health.

const HEARTBEAT_MS = 10_000;
const RETRY_MS = 5_000;

class MqttService {
  readonly instanceId = randomBytes(5).toString("hex");
  private responder: Responder | undefined;
  private lock: LeaderLock | undefined;
  private expiry: ExpiryScheduler | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private leading = false;
  private running: Promise<void> | undefined;
  private again = false;
  private lastSuccess: Date | null = null;
  private lastError: string | null = null;
  private stopped = false;
  private beating: Promise<void> | undefined;
  private nextBeat: Promise<void> | undefined;
  private readonly connection: Dynsec;

  constructor(
    private readonly settings: Env,
    private readonly withResponder: boolean,
  ) {
    this.connection = dynsec(settings)!;
  }

  async start(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    // A reader of the heartbeat (a Vercel function's /api/health) learns of a connection or a subscription at once;
    // of a loss within HEARTBEAT_MS.
    this.connection.onConnected(() => {
      void this.beat();
      if (this.leading) this.reconcileSoon();
    });
    this.lock = leaderLock(this.settings, (held) => this.onLeadership(held));
    if (this.withResponder) {
      this.responder = new Responder(this.instanceId, this.settings);
      this.responder
        .start()
        .then(() => this.beat())
        .catch((error: unknown) => log.error("mqtt responder failed to start", error));
    }
  }

  /**
   * Writes the heartbeat one write at a time, so an older state never lands after a newer one: at most one write
   * runs and one waits (it reads the state when it starts, so later calls join it), and none once stop() began,
   * which waits for the last: the row it deletes is not written again.
   */
  private beat(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.nextBeat) {
      this.nextBeat = (this.beating ?? Promise.resolve()).then(() => {
        this.nextBeat = undefined;
        return this.writeBeat();
      });
      this.beating = this.nextBeat;
    }
    return this.nextBeat;
  }

  private async writeBeat(): Promise<void> {
    try {
      const { broker, responder } = this.ownState();
      const state = { leader: this.leading, brokerState: broker, responderState: responder };
      await db().mqttInstance.upsert({
        where: { id: this.instanceId },
        create: { id: this.instanceId, ...state },
        update: { seenAt: new Date(), ...state },
      });
    } catch (error) {
      logOncePerMinute(
        "mqtt-heartbeat",
        `mqtt: cannot write this instance's heartbeat (${isDatabaseUnavailable(error) ? "database unavailable" : (error as Error).message})`,
      );
    }
  }

  private onLeadership(held: boolean): void {
    if (held === this.leading) return;
    this.leading = held;
    void this.beat();
    if (held) {
      log.info(`mqtt: instance ${this.instanceId} leads the cluster's reconcile, expiry and sweep`);
      this.expiry = new ExpiryScheduler(this.connection);
      this.expiry.start();
      this.sweeper = setInterval(() => this.reconcileSoon(), this.settings.TESSERA_MQTT_SWEEP_SECONDS * 1000);
      this.sweeper.unref();
      this.reconcileSoon();
    } else {
      log.info(`mqtt: instance ${this.instanceId} no longer leads`);
      this.expiry?.stop();
      this.expiry = undefined;
      clearInterval(this.sweeper);
      clearTimeout(this.retry);
    }
  }

  /** Runs the leader's work now, or right after the run in progress. */
  reconcileSoon(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sweepAndReconcile().finally(() => {
      this.running = undefined;
      if (this.again && this.leading) {
        this.again = false;
        void this.reconcileSoon();
      }
    });
    return this.running;
  }

  private async sweepAndReconcile(): Promise<void> {
    if (!this.leading) return;
    clearTimeout(this.retry);
    try {
      await sweepOnce(this.connection, this.settings, { keepInstance: this.instanceId });
      if (this.lastError) log.info("mqtt reconcile: working again");
      this.lastSuccess = new Date();
      this.lastError = null;
      await db()
        .mqttInstance.updateMany({
          where: { id: this.instanceId },
          data: { reconciledAt: this.lastSuccess, reconcileError: null, leader: true },
        })
        .catch(() => {});
    } catch (error) {
      const problem = isDatabaseUnavailable(error)
        ? "the database is unavailable"
        : error instanceof Error
          ? ((error as { detail?: string }).detail ?? error.message)
          : String(error);
      this.lastError = problem;
      logOncePerMinute(
        "reconcile-failed",
        `mqtt reconcile: cannot finish (${problem}); retrying every ${RETRY_MS / 1000} s`,
      );
      await db()
        .mqttInstance.updateMany({
          where: { id: this.instanceId },
          data: { reconcileError: problem.slice(0, 500), leader: true },
        })
        .catch(() => {});
      if (this.leading) {
        this.retry = setTimeout(() => void this.reconcileSoon(), RETRY_MS);
        this.retry.unref();
      }
    }
  }

  /** This instance's own broker connection and responder: what its heartbeat writes, and /api/health shows. */
  private ownState(): Pick<MqttHealth, "broker" | "responder"> {
    return {
      broker: this.connection.connected ? "ok" : "unavailable",
      responder: this.responder ? this.responder.state : "off",
    };
  }

  async health(): Promise<MqttHealth> {
    const reconcile: ReconcileStatus = this.leading
      ? {
          state: this.lastError ? "failing" : this.lastSuccess ? "ok" : "pending",
          last_success_at: this.lastSuccess?.toISOString() ?? null,
          leader: this.instanceId,
        }
      : await leaderReconcile();
    return { ...this.ownState(), reconcile };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    clearTimeout(this.retry);
    this.expiry?.stop();
    await this.responder?.stop();
    await this.lock?.stop();
    await this.beating;
    await db()
      .mqttInstance.deleteMany({ where: { id: this.instanceId } })
      .catch(() => {});
  }

  /** Responder counters (tests and /api/metrics). */
  get counts() {
    return this.responder?.counts;
  }
}

const globalForService = globalThis as unknown as { tesseraMqtt?: MqttService };

/** Starts this process's MQTT service once (no-op without TESSERA_MQTT_URL). */
export async function startMqttService(
  settings: Env = env(),
  options: { responder?: boolean } = {},
): Promise<MqttService | undefined> {
  if (!settings.TESSERA_MQTT_URL) return undefined;
  if (globalForService.tesseraMqtt) return globalForService.tesseraMqtt;
  const service = new MqttService(settings, options.responder ?? settings.TESSERA_MQTT_RESPONDER);
  globalForService.tesseraMqtt = service;
  await service.start();
  return service;
}

/** This process's MQTT service, if it runs. */
export function mqttService(): MqttService | undefined {
  return globalForService.tesseraMqtt;
}
