import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { MqttClient } from "mqtt";
import { connectAs, type Broker } from "./broker.ts";
import { call, type Instance } from "./instance.ts";
import { startMqttInstance } from "./mqtt.ts";

// The MQTT credentials suites' fixture (mqtt-credentials*.test.ts): a broker
// started for the file on a port of its own, a Tessera on it that sweeps
// every second and deletes 4 s after expiry, and two app tokens, a
// connectionManager's (manager) and a viewer's. One per test file (each file
// is its own process): startCredentialsFixture() fills the exported
// bindings, which the importing file reads as live bindings.
// setUpCredentialsFixture() registers the file's before and after hooks.

export let broker: Broker;
export let tessera: Instance;
export let manager: string;
export let viewer: string;
export const clients: MqttClient[] = [];
let counter = 0;
export const email = (prefix = "user") => `${prefix}-${process.pid}-${++counter}@example.com`;

async function startCredentialsFixture(): Promise<void> {
  ({ broker, tessera } = await startMqttInstance({
    TESSERA_MQTT_SWEEP_SECONDS: "1",
    TESSERA_MQTT_DELETE_AFTER_SECONDS: "4",
    TESSERA_MQTT_TIMEOUT_SECONDS: "2",
    TESSERA_MQTT_MAX_TTL_SECONDS: "7200",
    // Webhook receivers of these tests listen on 127.0.0.1 (tests/audit-mqtt.test.ts: mqtt_credentials.expired).
    TESSERA_WEBHOOK_ALLOW_PRIVATE: "true",
    TESSERA_WEBHOOK_POLL_SECONDS: "0.5",
  }));
  const inDays = new Date(Date.now() + 86_400_000).toISOString();
  for (const role of ["connectionManager", "viewer"]) {
    const response = await api("/api/tokens", {
      method: "POST",
      token: tessera.adminToken,
      body: { name: `mqtt-${role}`, role, validUntil: inDays },
    });
    assert.equal(response.status, 200);
    if (role === "viewer") viewer = response.body.token;
    else manager = response.body.token;
  }
}

async function stopCredentialsFixture(): Promise<void> {
  if (process.env.DEBUG_OUTPUT) console.log(tessera?.server.output(), broker?.output());
  for (const client of clients) client.end(true);
  await tessera?.close();
  await broker?.stop();
}

/** Starts the fixture before the file's tests and stops it after them. */
export function setUpCredentialsFixture(): void {
  before(startCredentialsFixture);
  after(stopCredentialsFixture);
}

export const api = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, options);
export const mint = (body: Record<string, unknown>, token = manager) =>
  api("/api/mqtt/tokens", { method: "POST", token, body });

export interface Minted {
  access_token: string;
  token_type: string;
  expires_in: number;
  mqtt_credentials: { username: string; password: string };
  token_id: string;
  user_email: string;
  provider: string;
  expires_at: string;
  refresh_recommended_at: string;
}

export async function created(body: Record<string, unknown>): Promise<Minted> {
  const response = await mint(body);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as Minted;
}

/** Connects as a credential's broker client: its client id is its username (pinned). */
export async function connect(
  credentials: { username: string; password: string },
  clientId = credentials.username,
): Promise<MqttClient> {
  const client = await connectAs(broker.url, { ...credentials, clientId });
  clients.push(client);
  return client;
}

export async function refused(credentials: { username: string; password: string }): Promise<boolean> {
  try {
    (await connect(credentials)).end(true);
    return false;
  } catch (error) {
    return /Not authorized|Bad username or password|refused/i.test(String(error));
  }
}
