import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before } from "node:test";
import { promisify } from "node:util";
import type { MqttClient } from "mqtt";
import type { Dynsec } from "../../lib/mqtt/dynsec.ts";
import { connectAs, type Broker } from "./broker.ts";
import { call, type Instance } from "./instance.ts";
import { deviceRequestArgs } from "./mosquitto-rr.ts";
import { brokerAdmin, startMqttInstance } from "./mqtt.ts";
import { sleep } from "./wait.ts";

// The MQTT trust suites' fixture (mqtt-trust*.test.ts): a broker, a Tessera
// on it whose expiry does not depend on the periodic reconcile, a
// dynamic-security admin client of the test's own, and two registered
// devices, victim and thief. One per test file (each file is its own
// process): startTrustFixture() fills the exported bindings, which the
// importing file reads as live bindings. setUpTrustFixture() registers the
// file's before and after hooks.

const run = promisify(execFile);
export let broker: Broker;
export let tessera: Instance;
export let admin: Dynsec;
export const passwords: Record<string, string> = {};
export const clients: MqttClient[] = [];
let counter = 0;

async function startTrustFixture(): Promise<void> {
  ({ broker, tessera } = await startMqttInstance({
    TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "0",
    TESSERA_MQTT_TIMEOUT_SECONDS: "2",
    // Long: expiry must not depend on the periodic reconcile.
    TESSERA_MQTT_SWEEP_SECONDS: "300",
  }));
  admin = brokerAdmin(broker);
  await register("victim");
  await register("thief");
}

async function stopTrustFixture(): Promise<void> {
  if (process.env.DEBUG_OUTPUT) console.log(tessera?.server.output(), broker?.output());
  for (const client of clients) client.end(true);
  await admin?.close();
  await tessera?.close();
  await broker?.stop();
}

/** Starts the fixture before the file's tests and stops it after them. */
export function setUpTrustFixture(): void {
  before(startTrustFixture);
  after(stopTrustFixture);
}

export const api = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });

export async function register(id: string): Promise<void> {
  const response = await api("/api/devices", { method: "POST", body: { id } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  passwords[id] = response.body.mqtt.password;
}

export async function credentials(
  ttl = 3600,
): Promise<{ username: string; password: string; token_id: string; expires_at: string }> {
  const response = await api("/api/mqtt/tokens", {
    method: "POST",
    body: { user_email: `trust-${process.pid}-${++counter}@example.com`, ttl_seconds: ttl },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return { ...response.body.mqtt_credentials, token_id: response.body.token_id, expires_at: response.body.expires_at };
}

export async function connect(
  username: string,
  password: string,
  clientId: string,
  extra: Parameters<typeof connectAs>[1] = {},
): Promise<MqttClient> {
  const client = await connectAs(broker.url, { username, password, clientId, ...extra });
  clients.push(client);
  return client;
}

/** The broker's refusal of a connection, or null when it was accepted. */
export async function refusal(
  username: string,
  password: string,
  clientId: string,
  extra: Parameters<typeof connectAs>[1] = {},
): Promise<string | null> {
  try {
    (await connect(username, password, clientId, extra)).end(true);
    return null;
  } catch (error) {
    return String(error);
  }
}

/** A token for device id over MQTT (v5 request/response with mosquitto_rr), or the answer line. */
export async function ask(id: string, waitSeconds = 5): Promise<string> {
  const { stdout } = await run(
    "mosquitto_rr",
    deviceRequestArgs({ port: broker.port, id, password: passwords[id]!, waitSeconds }),
    { timeout: (waitSeconds + 2) * 1000 },
  ).catch(() => ({ stdout: "" }));
  return stdout.trim();
}

/** Asks until a 71, answer comes (the first may precede the responder's subscription); resolves with it and the time it took. */
export async function tokenWithin(id: string, ms: number): Promise<{ line: string; ms: number }> {
  const started = Date.now();
  let line = "";
  while (!line.startsWith("71,") && Date.now() - started < ms) {
    line = await ask(id, 2);
    if (!line.startsWith("71,")) await sleep(200);
  }
  return { line, ms: Date.now() - started };
}

export async function brokerClients(): Promise<
  { username: string; clientid?: string; roles?: { rolename: string }[]; disabled?: boolean; textname?: string }[]
> {
  const [listed] = await admin.run([{ command: "listClients", verbose: true }]);
  return listed!.data!.clients as never;
}

export async function health() {
  const response = await call(`${tessera.url}/api/health`);
  return {
    status: response.status,
    body: response.body as {
      status: string;
      database: string;
      mqtt: { broker: string; responder: string; reconcile: { state: string; leader: string | null } };
    },
  };
}
