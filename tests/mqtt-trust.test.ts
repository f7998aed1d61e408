import assert from "node:assert/strict";
import { describe, test } from "node:test";
import mqtt from "mqtt";
import { closedWithin, connectAs, subscribe } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import {
  admin,
  api,
  ask,
  broker,
  brokerClients,
  clients,
  connect,
  credentials,
  health,
  passwords,
  refusal,
  setUpTrustFixture,
} from "./helpers/mqtt-trust.ts";
import { sleep, sleepUntil, until } from "./helpers/wait.ts";

// The MQTT half under attack (issue 13), against a real Mosquitto 2.0.11
// with dynamic security: health, no session takeover by client id, and exact
// expiry. Restarts against a broker in any state and broker outages:
// mqtt-trust-restarts.test.ts.

setUpTrustFixture();

describe(`MQTT you can trust ${engine === "postgres" ? "(PostgreSQL)" : "(embedded)"}`, () => {
  test("health names each component: database, broker, responder, reconcile", async () => {
    let current = await health();
    // On PostgreSQL the lead is won on the lock's first try, a moment after start: wait for the first reconcile too.
    for (let i = 0; i < 150 && (current.body.status !== "ok" || current.body.mqtt.reconcile.state !== "ok"); i++) {
      await sleep(100);
      current = await health();
    }
    assert.equal(current.status, 200);
    assert.equal(current.body.status, "ok");
    assert.equal(current.body.database, "ok");
    assert.equal(current.body.mqtt.broker, "ok");
    assert.equal(current.body.mqtt.responder, "ok");
    assert.equal(current.body.mqtt.reconcile.state, "ok");
    assert.match(String(current.body.mqtt.reconcile.leader), /^[0-9a-f]{10}$/);
  });

  test("every credential kind is refused under another's client id, and the victim stays connected", async () => {
    const user = await credentials();
    const other = await credentials();
    const victim = await connect("victim", passwords.victim!, "victim");
    const victimUser = await connect(user.username, user.password, user.username);
    const kicked = [closedWithin(victim, 1_500), closedWithin(victimUser, 1_500)];
    // The responder's client id, as the broker knows it.
    const responderId = (await brokerClients()).find((client) =>
      client.username.startsWith("tessera-responder"),
    )!.username;

    // MQTT credentials under a device's id, another user's id, the responder's id, and a random one.
    for (const clientId of ["victim", other.username, responderId, "anything-else"]) {
      assert.match(
        String(await refusal(user.username, user.password, clientId)),
        /Not authorized|Bad username or password/i,
        `credentials as ${clientId}`,
      );
    }
    // A device under another device's id, a user's id and the responder's.
    for (const clientId of ["victim", user.username, responderId]) {
      assert.match(
        String(await refusal("thief", passwords.thief!, clientId)),
        /Not authorized|Bad username or password/i,
        `device as ${clientId}`,
      );
    }
    assert.deepEqual(await Promise.all(kicked), [false, false], "neither victim was disconnected");
    // The responder was not kicked either: the victim device still gets tokens.
    assert.match(await ask("victim"), /^71,eyJ/);
  });

  test("a persistent-session takeover attempt receives nothing; the owner still gets its queued answer", async () => {
    const device = await connect("victim", passwords.victim!, "victim", { clean: false, protocolVersion: 4 });
    assert.equal(await subscribe(device, "tessera/victim/s/dat"), 1);
    device.end(true);
    await sleep(200);
    // An answer queued for the device's session while it is away, published by a client of the test's own (as the responder would).
    await admin.run([
      {
        command: "createRole",
        rolename: "test-queuer",
        acls: [{ acltype: "publishClientSend", topic: "tessera/victim/s/dat", allow: true }],
      },
      {
        command: "createClient",
        username: "test-queuer",
        password: "test-queuer-password",
        roles: [{ rolename: "test-queuer" }],
      },
    ]);
    const publisher = await connectAs(broker.url, {
      username: "test-queuer",
      password: "test-queuer-password",
      clientId: `queuer-${process.pid}`,
    });
    clients.push(publisher);
    await new Promise<void>((resolve, reject) =>
      publisher.publish("tessera/victim/s/dat", "71,queued-for-the-victim", { qos: 1 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );

    const user = await credentials();
    for (const [username, password] of [
      [user.username, user.password],
      ["thief", passwords.thief!],
    ] as const) {
      let received = "";
      try {
        const thief = await connect(username, password, "victim", { clean: false, protocolVersion: 4 });
        thief.on("message", (_topic, payload) => (received = payload.toString()));
        await sleep(500);
      } catch {
        // refused: what must happen
      }
      assert.equal(received, "", `${username} received nothing`);
    }
    // The owner: listening before the CONNACK, since the queued message may come in the same packet.
    const owner = mqtt.connect(broker.url, {
      username: "victim",
      password: passwords.victim!,
      clientId: "victim",
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(owner);
    const queued = new Promise<string | null>((resolve) => {
      owner.on("message", (_topic, payload) => resolve(payload.toString()));
      setTimeout(() => resolve(null), 3_000);
    });
    assert.equal(await queued, "71,queued-for-the-victim", "the session was the device's all along");
    owner.end(true);
    await connect("victim", passwords.victim!, "victim", { clean: true }).then((client) => client.end(true));
  });

  test("expiry is exact: a connection open at expires_at is closed within 2 s, a new one 1 s after is refused", async () => {
    const user = await credentials(10);
    const client = await connect(user.username, user.password, user.username, { reconnectPeriod: 0 });
    let closedAt = 0;
    client.once("close", () => (closedAt = Date.now()));
    const expiresAt = Date.parse(user.expires_at);
    await sleepUntil(expiresAt - 1_500);
    assert.equal(closedAt, 0, "still connected 1.5 s before expiry");
    assert.equal(
      await refusal(user.username, user.password, user.username),
      null,
      "a new connection before expiry is accepted",
    );
    await sleepUntil(expiresAt + 1_000);
    assert.match(
      String(await refusal(user.username, user.password, user.username)),
      /Not authorized|Bad username or password/i,
      "refused 1 s after expires_at",
    );
    await until(() => closedAt > 0, 1_000);
    assert.ok(closedAt > 0 && closedAt - expiresAt < 2_000, `closed ${closedAt - expiresAt} ms after expires_at`);
    const listed = (await api("/api/mqtt/tokens")).body as { token_id: string; status: string }[];
    assert.equal(listed.find((item) => item.token_id === user.token_id)?.status, "disabled");
  });
});
