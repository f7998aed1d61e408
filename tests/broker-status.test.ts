// Engine-independent: the broker's $SYS status, read over MQTT; the database only authenticates (covered on both engines elsewhere).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import type { MqttClient } from "mqtt";
import { MESSAGES } from "../lib/api/error-codes.ts";
import { STATUS_NOT_YET } from "../lib/broker/status.ts";
import { brokerStatusResponse, type BrokerStatusResponse } from "../lib/schemas/broker-status.ts";
import { connectAs, startBroker, type Broker } from "./helpers/broker.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";
import { brokerAdmin } from "./helpers/mqtt.ts";
import { inDays, uniqueName } from "./helpers/tokens.ts";
import { sleep, until } from "./helpers/wait.ts";

// GET /api/broker/status against a real Mosquitto publishing $SYS every second (sys_interval 1) and a real Tessera.

let broker: Broker;
let tessera: Instance;
const clients: MqttClient[] = [];
const PROBE = { username: "status-probe", password: "probe-password-1" };

async function status(token = tessera.adminToken) {
  return call(`${tessera.url}/api/broker/status`, { token });
}

/** The snapshot, asserting a 200 whose body is exactly what the schema describes. */
async function snapshot(): Promise<BrokerStatusResponse> {
  const response = await status();
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type")!, /^application\/json/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  // Strict: no field the schema does not name, and every one it names.
  assert.deepEqual(brokerStatusResponse.strict().parse(response.body), response.body);
  return response.body as BrokerStatusResponse;
}

before(async () => {
  broker = await startBroker({ sysInterval: 1 });
  tessera = await createInstance({
    ...broker.env,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
    TESSERA_MQTT_TIMEOUT_SECONDS: "3",
  });
  const admin = brokerAdmin(broker);
  try {
    await admin.run([{ command: "createClient", ...PROBE }]);
  } finally {
    await admin.close();
  }
});

after(async () => {
  for (const client of clients) client.end(true);
  await tessera?.close();
  await broker?.stop();
});

test("the snapshot: the broker's version, live, young, every figure a number", async () => {
  const installed = spawnSync("mosquitto", ["-h"], { encoding: "utf8" }).stdout.split("\n")[0]!.trim();
  assert.match(installed, /^mosquitto version 2\./);
  // The first answer may be the broker's retained values, published before Tessera connected; the next ones count it.
  let body = await snapshot();
  body = (await until(async () => ((body = await snapshot()).clients.connected! >= 2 ? body : null), 5_000)) ?? body;
  // Tessera's own two connections at least: dynamic security and this subscription.
  assert.ok(body.clients.connected! >= 2, `connected ${body.clients.connected}`);
  assert.equal(body.version, installed);
  assert.equal(body.connected, true);
  assert.ok(body.age_seconds < 2.5, `age ${body.age_seconds}`);
  assert.ok(Math.abs(Date.parse(body.received_at) - Date.now()) < 2_500, body.received_at);
  assert.equal(typeof body.uptime_seconds, "number");
  for (const figure of [body.clients.total, body.subscriptions, body.messages.received, body.bytes.sent])
    assert.equal(typeof figure, "number");
  assert.equal(typeof body.load.messages.received["15min"], "number");
  assert.equal(typeof body.load.connections["1min"], "number");
  assert.equal(typeof body.per_second.bytes_sent, "number");
});

test("without credentials 401; another method 405", async () => {
  const anonymous = await call(`${tessera.url}/api/broker/status`);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body, MESSAGES.unauthenticated);
  const post = await call(`${tessera.url}/api/broker/status`, { method: "POST", token: tessera.adminToken });
  assert.equal(post.status, 405);
  assert.equal(post.body, "Method POST is not allowed here; this path allows GET, HEAD, OPTIONS");
});

test("a monitoringViewer token reads the status", async () => {
  const created = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: tessera.adminToken,
    body: { name: uniqueName("mon"), role: "monitoringViewer", validUntil: inDays(1) },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const response = await status(created.body.token);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.equal(response.body.connected, true);
});

test("the figures move: three more clients are counted, published messages raise the counters", async () => {
  const start = await snapshot();
  for (let i = 0; i < 3; i++)
    clients.push(await connectAs(broker.url, { ...PROBE, clientId: `probe-${i}`, protocolVersion: 4 }));
  const more = await until(async () => {
    const body = await snapshot();
    return body.clients.connected! >= start.clients.connected! + 3 ? body : null;
  }, 8_000);
  assert.ok(more, "clients.connected grew by 3");
  assert.ok(more.clients.total! >= start.clients.total! + 3);
  assert.ok(more.clients.maximum! >= start.clients.connected! + 3);

  for (let i = 0; i < 100; i++) await clients[0]!.publishAsync("probe/x", `m${i}`, { qos: 1 });
  const busier = await until(async () => {
    const body = await snapshot();
    return body.messages.received! >= more.messages.received! + 100 &&
      body.load.messages.received["1min"]! > more.load.messages.received["1min"]!
      ? body
      : null;
  }, 8_000);
  assert.ok(busier, "messages received grew by the 100 published");
  assert.ok(busier.bytes.received! > more.bytes.received!);
  assert.equal(
    busier.per_second.messages_received,
    Math.round((busier.load.messages.received["1min"]! / 60) * 1000) / 1000,
  );
  assert.ok(busier.per_second.messages_received! > 0);

  for (const client of clients.splice(0)) await client.endAsync();
  let last = busier;
  const fewer = await until(async () => {
    last = await snapshot();
    // The three probes are gone (Tessera's own connections may have grown meanwhile: CI saw its count go 2 -> 3).
    return last.clients.connected! <= busier.clients.connected! - 3 ? last : null;
  }, 8_000);
  assert.ok(
    fewer,
    `clients.connected went back down: ${JSON.stringify([start.clients, busier.clients, last.clients])}`,
  );
});

test("broker stopped: the last snapshot with connected false and a growing age; back after the restart", async () => {
  const before = await snapshot();
  await broker.restart(async () => {
    const down = await until(async () => {
      const body = await snapshot();
      return body.connected ? null : body;
    }, 5_000);
    assert.ok(down, "connected turned false");
    assert.equal(down.version, before.version);
    assert.ok(down.uptime_seconds! >= before.uptime_seconds!);
    await sleep(1_500);
    const older = await snapshot();
    assert.equal(older.connected, false);
    assert.equal(older.received_at, down.received_at);
    assert.ok(older.age_seconds >= down.age_seconds + 1.4, `${down.age_seconds} then ${older.age_seconds}`);
  });
  const back = await until(async () => {
    const body = await snapshot();
    return body.connected && body.age_seconds < 2 && body.uptime_seconds! < before.uptime_seconds! ? body : null;
  }, 10_000);
  assert.ok(back, "connected again with a fresh snapshot from the restarted broker");
});

test("no snapshot yet and no broker: 503 after the timeout; no broker configured: 404", async () => {
  await broker.restart(async () => {
    await tessera.restart();
    const started = Date.now();
    const response = await status();
    assert.equal(response.status, 503);
    assert.equal(response.body, STATUS_NOT_YET);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.ok(Date.now() - started >= 2_900, `answered after ${Date.now() - started} ms`);
  });
  // Broker back: the waiting process gets its first snapshot.
  const response = await until(async () => {
    const answer = await status();
    return answer.status === 200 && answer.body.connected ? answer : null;
  }, 10_000);
  assert.ok(response, "200 once the broker is back");

  await tessera.restart({ TESSERA_MQTT_URL: undefined });
  const unconfigured = await status();
  assert.equal(unconfigured.status, 404);
  assert.equal(unconfigured.body, MESSAGES.brokerNotConfigured);
});
