import { env, EnvError } from "../../lib/env.ts";
import { dynsec } from "../../lib/mqtt/dynsec.ts";
import { startWorker } from "../../lib/worker/start-worker.ts";
import { withDatabase } from "./database.ts";

export const WORKER_USAGE = `  worker     the long-lived work, as a process of its own: the webhook dispatcher, the housekeeping and, with a
             broker, the device token responder and, while it leads the cluster, exact expiry, the sweep and the
             reconcile of the broker (lib/worker/start-worker.ts).
             \`tessera start\` runs it inside the server; run it apart where the server cannot (Vercel), with
             TESSERA_MQTT_RESPONDER=false on servers that should not answer devices themselves
  mqtt-responder
             the same as worker (its earlier name, kept as an alias)`;

/**
 * tessera worker (and its older name, mqtt-responder): runs until SIGINT or SIGTERM. Holds the database while it
 * runs; with the embedded database that is the data dir's lock, so it runs instead of `tessera start`, not beside it
 * (README, Database).
 */
export async function workerCommand(args: string[]): Promise<number> {
  if (args.length > 0) throw new EnvError(`tessera worker takes no arguments (got ${args.join(" ")})`);
  try {
    await withDatabase("tessera worker", async () => {
      const worker = await startWorker(env(), { responder: true });
      console.error(`[tessera] worker running (${worker.parts.join(", ")}); stop it with SIGTERM or Ctrl-C`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await worker.stop();
    });
  } finally {
    await dynsec(env())?.close();
  }
  return 0;
}
