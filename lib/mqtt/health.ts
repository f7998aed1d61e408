import "server-only";
import { clusterMqttHealth, summariseInstances, type MqttHealth } from "./cluster-health.ts";

/**
 * /api/health's MQTT part. A process that runs the worker (a Node host: `tessera start`) reports its own broker
 * connection and responder, as it always has. One that runs none (a Vercel function) reports the cluster as the
 * workers' heartbeats in mqtt_instances say (lib/mqtt/cluster-health.ts). TESSERA_BUILD_TARGET is fixed at build
 * time (next.config.mjs): in a Vercel build the first branch is dead code, so the in-process service, and with it
 * mqtt.js, stays out of /api/health's function (tests/vercel-build.test.ts checks its trace). With the database
 * down (`databaseUp` false) there are no rows to read: no worker is seen, and nothing waits for the database.
 */
export async function mqttHealth(databaseUp: boolean): Promise<MqttHealth> {
  if (process.env.TESSERA_BUILD_TARGET !== "vercel") {
    const { mqttService } = await import("./service.ts");
    const service = mqttService();
    if (service) return service.health();
  }
  return databaseUp ? clusterMqttHealth() : summariseInstances([]);
}
