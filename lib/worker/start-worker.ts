import "server-only";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { runAsLeaderOnce } from "../db/leader-lock.ts";
import { startMqttService } from "../mqtt/service.ts";
import { startWebhookDispatcher } from "../webhooks/dispatcher.ts";
import { housekeeping, HOUSEKEEPING_MS } from "./housekeeping.ts";

// The worker: everything of Tessera that lives longer than a request. Today
// that is the MQTT side (lib/mqtt/service.ts): the device token responder,
// and while this process leads the cluster, exact expiry, the periodic sweep
// and the reconcile of the broker. It runs
// - as `tessera worker`, on any Node host or container (scripts/cli/worker.ts);
// - inside the server process of `tessera start` on a Node host, started by
//   instrumentation.ts, so that one `npm start` still does everything;
// - never in a Vercel function (VERCEL=1): those are short-lived and many, and
//   nothing would keep a broker connection, a timer or the leader lock alive.
//   There the cron route (app/api/cron/sweep) runs the sweep as a fallback.

export interface Worker {
  /** What runs: "mqtt" when TESSERA_MQTT_URL is set (its sweep does the housekeeping), else "housekeeping". */
  readonly parts: string[];
  stop(): Promise<void>;
}

/** Starts this process's worker once. `responder` overrides TESSERA_MQTT_RESPONDER (`tessera worker` always answers). */
export async function startWorker(settings: Env = env(), options: { responder?: boolean } = {}): Promise<Worker> {
  const mqtt = await startMqttService(settings, options);
  // Without a broker there is no MQTT sweep to carry the housekeeping: it gets a timer of its own.
  const cleanup = mqtt ? undefined : startHousekeeping(settings);
  // Every worker sends webhooks: claims are per message (lib/webhooks/dispatcher.ts), so instances share the work.
  const webhooks = startWebhookDispatcher(settings);
  return {
    parts: [mqtt ? "mqtt" : "housekeeping", "webhooks"],
    async stop() {
      await webhooks.stop();
      await mqtt?.stop();
      if (cleanup) clearInterval(cleanup);
    },
  };
}

/** Housekeeping now and every HOUSEKEEPING_MS: on PostgreSQL under the leader lock (once per cluster at a time). */
function startHousekeeping(settings: Env): NodeJS.Timeout {
  const run = () =>
    (settings.DATABASE_URL ? runAsLeaderOnce(settings, () => housekeeping(settings)) : housekeeping(settings)).catch(
      // The message only: an expected outage (the database down) is no stack trace in the log.
      (error: unknown) => log.warn("housekeeping failed; it runs again later", (error as Error)?.message),
    );
  void run();
  return setInterval(run, HOUSEKEEPING_MS).unref();
}

/**
 * The server process's call (instrumentation.ts): the worker in-process on a Node host, nothing on Vercel. Not
 * awaited there: a broker or database outage must not keep the server from serving.
 */
export function startWorkerInServer(settings: Env = env()): void {
  if (settings.VERCEL) {
    log.info("on Vercel (VERCEL=1): this function starts no worker; run `tessera worker` on a host of its own");
    return;
  }
  startWorker(settings).catch((error: unknown) => log.error("the worker failed to start", error));
}
