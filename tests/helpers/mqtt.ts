import { Dynsec } from "../../lib/mqtt/dynsec.ts";
import { startBroker, type Broker } from "./broker.ts";
import { createInstance, type Instance } from "./instance.ts";

type EnvVars = Record<string, string | undefined>;

/** A Mosquitto of its own and a Tessera pointed at it (bad-token throttle out of the way), with extra settings. */
export async function startMqttInstance(extra: EnvVars = {}): Promise<{ broker: Broker; tessera: Instance }> {
  const broker = await startBroker();
  try {
    const tessera = await createInstance({ ...broker.env, TESSERA_AUTH_FAILURES_PER_MINUTE: "100000", ...extra });
    return { broker, tessera };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}

/** A dynamic-security client of the test's own on the broker, as its admin (to look at or tamper with it). */
export function brokerAdmin(broker: Broker): Dynsec {
  return new Dynsec({
    TESSERA_MQTT_URL: broker.url,
    TESSERA_MQTT_ADMIN_USERNAME: broker.adminUsername,
    TESSERA_MQTT_ADMIN_PASSWORD: broker.adminPassword,
    TESSERA_MQTT_TIMEOUT_SECONDS: 5,
  });
}
