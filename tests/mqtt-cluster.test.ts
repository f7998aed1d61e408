import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MqttClient } from "mqtt";
import { connectAs, subscribe, startBroker, type Broker } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";
import { startServer, type RunningServer } from "./helpers/server.ts";

// Several Tessera instances on one PostgreSQL and one broker (the scale-out
// path; the embedded database is one process's, so this runs on PostgreSQL):
// exactly one answer per device request, one leader for the reconcile and
// expiry, and a new leader when it dies.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Health {
  status: string;
  mqtt: { responder: string; reconcile: { state: string; leader: string | null } };
}
const health = async (url: string) => (await call(`${url}/api/health`)).body as Health;

if (engine === "postgres") {
  let broker: Broker;
  let first: Instance;
  let second: RunningServer;
  let password = "";
  const clients: MqttClient[] = [];

  before(async () => {
    broker = await startBroker();
    first = await createInstance({
      ...broker.env,
      TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "0",
      TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
    });
    second = await startServer(first.env);
    const registered = await call(`${first.url}/api/devices`, {
      method: "POST",
      token: first.adminToken,
      body: { id: "fleet-1" },
    });
    assert.equal(registered.status, 200);
    password = registered.body.mqtt.password;
  });

  after(async () => {
    for (const client of clients) client.end(true);
    await second?.stop();
    await first?.close();
    await broker?.stop();
  });

  describe("two instances on one PostgreSQL and one broker", () => {
    test("both responders run and one instance leads", async () => {
      let states: Health[] = [];
      for (let i = 0; i < 100; i++) {
        states = [await health(first.url), await health(second.url)];
        if (states.every((state) => state.status === "ok")) break;
        await sleep(100);
      }
      assert.deepEqual(
        states.map((state) => state.mqtt.responder),
        ["ok", "ok"],
      );
      assert.ok(states[0]!.mqtt.reconcile.leader, "a leader is known");
      assert.equal(states[0]!.mqtt.reconcile.leader, states[1]!.mqtt.reconcile.leader, "the same leader for both");
    });

    test("exactly one 71, answer per request", async () => {
      const device = await connectAs(broker.url, {
        username: "fleet-1",
        password,
        clientId: "fleet-1",
        protocolVersion: 4,
      });
      clients.push(device);
      assert.equal(await subscribe(device, "tessera/fleet-1/s/dat"), 1);
      const answers: string[] = [];
      device.on("message", (_topic, payload) => answers.push(payload.toString()));
      const requests = 12;
      for (let i = 0; i < requests; i++) {
        device.publish("tessera/fleet-1/s/uat", "", { qos: 1 });
        await sleep(150);
      }
      await sleep(1_500);
      assert.equal(answers.length, requests, `${answers.length} answers to ${requests} requests`);
      assert.ok(
        answers.every((line) => line.startsWith("71,eyJ")),
        answers.map((line) => line.slice(0, 6)).join(" "),
      );
      // Both instances took part: the shared subscription spreads requests (round robin).
      const listed = (await call(`${first.url}/api/tokens`, { token: first.adminToken })).body as {
        requestedBy: string;
      }[];
      assert.equal(
        listed.filter((token) => token.requestedBy === "device:fleet-1").length,
        requests,
        "one token per request, none twice",
      );
    });

    test("the leader dies: the other instance takes over the reconcile", async () => {
      const before = (await health(second.url)).mqtt.reconcile.leader;
      const [firstState] = [await health(first.url)];
      const leaderIsFirst =
        firstState.mqtt.reconcile.leader === before && (await call(`${first.url}/api/health`)).status === 200;
      // Kill whichever leads; the survivor must lead within the lock's retry period.
      const survivor = leaderIsFirst ? second.url : first.url;
      if (leaderIsFirst) await first.server.stop("SIGKILL");
      else await second.stop("SIGKILL");
      let after: string | null = before;
      for (let i = 0; i < 60 && (after === before || after === null); i++) {
        await sleep(250);
        after = (await health(survivor)).mqtt.reconcile.leader;
      }
      assert.ok(after && after !== before, `a new leader (${before} -> ${after})`);
      const state = await health(survivor);
      for (let i = 0; i < 40 && state.mqtt.reconcile.state !== "ok"; i++) {
        await sleep(250);
        Object.assign(state, await health(survivor));
      }
      assert.equal(state.mqtt.reconcile.state, "ok");
    });
  });
} else {
  describe("two instances on the embedded database", () => {
    test("are refused: the embedded database is one process's (several instances need PostgreSQL)", async () => {
      const broker = await startBroker();
      const first = await createInstance(broker.env);
      try {
        await assert.rejects(startServer(first.env, 20_000), /server did not start/);
      } finally {
        await first.close();
        await broker.stop();
      }
    });
  });
}
