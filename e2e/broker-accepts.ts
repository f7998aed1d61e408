import mqtt from "mqtt";
import { E2E } from "./constants.ts";

/**
 * Whether the e2e Mosquitto (e2e/broker.ts) accepts these credentials: a real MQTT connection, with `clientId` when
 * the credentials are pinned to one.
 */
export function brokerAccepts(username: string, password: string, clientId?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${E2E.brokerPort}`, {
      username,
      password,
      ...(clientId ? { clientId } : {}),
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    client.once("connect", () => {
      client.end(true);
      resolve(true);
    });
    client.once("error", () => {
      client.end(true);
      resolve(false);
    });
  });
}
