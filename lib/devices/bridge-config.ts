import { requestTopic, responseTopic } from "../mqtt/broker-model.ts";
import type { Env } from "../env.ts";

// The mosquitto.conf snippet for a device's own broker, bridged to Tessera's
// broker the way thin-edge.io bridges to Cumulocity: local clients publish to
// c8y/s/uat and read c8y/s/dat, and the bridge carries exactly those two
// topics to and from the device's own topics on Tessera's broker. So the
// Cumulocity one-liner runs on the device as written:
//   export C8Y_TOKEN=$(mosquitto_rr -t c8y/s/uat -e c8y/s/dat -m '' | cut -d, -f2-)
// Mosquitto 2.0 bridges speak MQTT v3.1.1 to the remote side, so the request's
// v5 response topic and correlation data stay on the device's broker: the
// answer comes back on the device's fixed response topic and the bridge maps
// it to c8y/s/dat, where mosquitto_rr is listening.

export interface BridgeOptions {
  /** host:port of Tessera's broker as the device reaches it (default: from TESSERA_MQTT_URL). */
  address?: string;
  /** The device's MQTT password; a placeholder line when absent. */
  password?: string;
  /** Local topic prefix (default c8y/, as thin-edge uses). */
  localPrefix?: string;
}

export const PASSWORD_PLACEHOLDER = "<the device's MQTT password, shown once when it was registered>";

/** host:port and whether TLS is needed, from an mqtt(s):// URL; null for transports a Mosquitto bridge cannot use. */
export function bridgeAddress(url: string): { address: string; tls: boolean } | null {
  const parsed = new URL(url);
  const tls = parsed.protocol === "mqtts:" || parsed.protocol === "tls:";
  if (!tls && parsed.protocol !== "mqtt:" && parsed.protocol !== "tcp:") return null;
  return { address: `${parsed.hostname}:${parsed.port || (tls ? "8883" : "1883")}`, tls };
}

const SAFE_ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export function bridgeConfig(
  settings: Pick<Env, "TESSERA_MQTT_URL" | "TESSERA_DEVICE_REQUEST_TOPIC" | "TESSERA_DEVICE_RESPONSE_TOPIC">,
  id: string,
  options: BridgeOptions = {},
): string {
  const fromUrl = settings.TESSERA_MQTT_URL ? bridgeAddress(settings.TESSERA_MQTT_URL) : null;
  const address = options.address ?? fromUrl?.address;
  if (!address)
    throw new Error(
      "Tessera's broker URL is not mqtt:// or mqtts:// (a Mosquitto bridge needs TCP): pass the address devices reach it at with --address host:port",
    );
  if (!SAFE_ADDRESS.test(address) || Number(address.slice(address.lastIndexOf(":") + 1)) > 65535)
    throw new Error("the address must be host:port (port 1-65535)");
  if (options.password !== undefined && /[\s]/.test(options.password))
    throw new Error("the password cannot contain white space");
  const local = (options.localPrefix ?? "c8y/").replace(/^\/+/, "");
  if (!/^[^#+\s"]*$/.test(local)) throw new Error("the local prefix cannot contain wildcards, quotes or white space");
  // TLS follows Tessera's broker URL: another address for the same broker does not make it plain TCP.
  const tls = Boolean(fromUrl?.tls);
  return [
    `# Tessera device bridge for "${id}": add to the device's own Mosquitto (e.g. /etc/mosquitto/conf.d/tessera-bridge.conf).`,
    "# Local clients then ask for a REST token as in the Cumulocity docs:",
    `#   export C8Y_TOKEN=$(mosquitto_rr -t ${local}s/uat -e ${local}s/dat -m '' | cut -d, -f2-)`,
    "# Answers: 71,<JWT> a token; 42,429,... asked again too soon; 42,404,... not registered; 50,503,... try later.",
    `connection tessera-${id}`,
    `address ${address}`,
    `remote_clientid ${id}`,
    `remote_username ${id}`,
    `remote_password ${options.password ?? PASSWORD_PLACEHOLDER}`,
    "bridge_protocol_version mqttv311",
    "cleansession true",
    "notifications false",
    "start_type automatic",
    ...(tls ? ["bridge_capath /etc/ssl/certs"] : []),
    `topic "" out 1 ${local}s/uat ${requestTopic(settings, id)}`,
    `topic "" in 1 ${local}s/dat ${responseTopic(settings, id)}`,
    "",
  ].join("\n");
}
