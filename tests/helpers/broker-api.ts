import assert from "node:assert/strict";
import type { MqttClient } from "mqtt";
import type { Broker } from "./broker.ts";
import { call, type CallOptions, type Instance } from "./instance.ts";
import { assertDocumented, templateOf, type OpenApiDocument } from "./openapi.ts";
import { startMqttInstance } from "./mqtt.ts";

// The broker API test files' setup: a Mosquitto of their own, a Tessera
// pointed at it, and calls as its admin token. Every answer of api() is
// checked against what GET /api/openapi.json documents for it (status,
// content type, JSON Schema), so the integration tests check the document.

export interface BrokerApi {
  broker: Broker;
  tessera: Instance;
  /** One call as the admin token (or options.token). */
  api(path: string, options?: CallOptions): ReturnType<typeof call>;
  /** Mints an app token of this role (as the admin). */
  mint(role: string): Promise<string>;
  /** MQTT clients to end after the file. */
  clients: MqttClient[];
  close(): Promise<void>;
}

let counter = 0;
/** A name no other test (or run) uses. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

export async function startBrokerApi(extra: Record<string, string> = {}): Promise<BrokerApi> {
  const { broker, tessera } = await startMqttInstance(extra);
  const clients: MqttClient[] = [];
  let doc: OpenApiDocument | undefined;
  const api = async (path: string, options: CallOptions = {}) => {
    const answer = await call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });
    doc ??= (await call(`${tessera.url}/api/openapi.json`)).body as OpenApiDocument;
    const method = options.method ?? "GET";
    const pathname = new URL(path, tessera.url).pathname;
    if (method !== "HEAD") {
      const body = typeof options.body === "string" ? undefined : options.body;
      assertDocumented(doc, method, templateOf(doc, pathname), answer, body);
    }
    return answer;
  };
  return {
    broker,
    tessera,
    api,
    clients,
    async mint(role) {
      const response = await api("/api/tokens", {
        method: "POST",
        body: { name: unique(role.slice(0, 12)), role, validUntil: new Date(Date.now() + 86_400_000).toISOString() },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body.token as string;
    },
    async close() {
      for (const client of clients) client.end(true);
      await tessera?.close();
      await broker?.stop();
    },
  };
}

/** Asserts a text answer: exact status and body. */
export function assertText(response: { status: number; body: unknown }, status: number, body: string) {
  assert.deepEqual({ status: response.status, body: response.body }, { status, body });
}

/** Asserts a JSON answer: exact status, and the body equal to expected. */
export function assertJson(response: { status: number; body: unknown }, status: number, expected: unknown) {
  assert.deepEqual({ status: response.status, body: response.body }, { status, body: expected });
}
