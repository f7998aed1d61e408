import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { Dynsec } from "../lib/mqtt/dynsec.ts";
import { closedWithin, connectAs, startBroker, subscribe, type Broker } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";

// The MQTT half under attack and under operations (issue 13), against a real
// Mosquitto 2.0.11 with dynamic security: no session takeover by client id,
// restarts against a broker in any state, exact expiry, and broker outages.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let broker: Broker;
let tessera: Instance;
let admin: Dynsec;
const passwords: Record<string, string> = {};
const clients: MqttClient[] = [];
let counter = 0;

const api = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });

async function register(id: string): Promise<void> {
  const response = await api("/api/devices", { method: "POST", body: { id } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  passwords[id] = response.body.mqtt.password;
}

async function credentials(
  ttl = 3600,
): Promise<{ username: string; password: string; token_id: string; expires_at: string }> {
  const response = await api("/api/mqtt/tokens", {
    method: "POST",
    body: { user_email: `trust-${process.pid}-${++counter}@example.com`, ttl_seconds: ttl },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return { ...response.body.mqtt_credentials, token_id: response.body.token_id, expires_at: response.body.expires_at };
}

async function connect(
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
async function refusal(
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
async function ask(id: string, waitSeconds = 5): Promise<string> {
  const { stdout } = await run(
    "mosquitto_rr",
    [
      "-h",
      "127.0.0.1",
      "-p",
      String(broker.port),
      "-u",
      id,
      "-P",
      passwords[id]!,
      "-i",
      id,
      "-t",
      `tessera/${id}/s/uat`,
      "-e",
      `tessera/${id}/s/dat`,
      "-m",
      "",
      "-W",
      String(waitSeconds),
    ],
    { timeout: (waitSeconds + 2) * 1000 },
  ).catch(() => ({ stdout: "" }));
  return stdout.trim();
}

/** Asks until a 71, answer comes (the first may precede the responder's subscription); resolves with it and the time it took. */
async function tokenWithin(id: string, ms: number): Promise<{ line: string; ms: number }> {
  const started = Date.now();
  let line = "";
  while (!line.startsWith("71,") && Date.now() - started < ms) {
    line = await ask(id, 2);
    if (!line.startsWith("71,")) await sleep(200);
  }
  return { line, ms: Date.now() - started };
}

async function brokerClients(): Promise<
  { username: string; clientid?: string; roles?: { rolename: string }[]; disabled?: boolean; textname?: string }[]
> {
  const [listed] = await admin.run([{ command: "listClients", verbose: true }]);
  return listed!.data!.clients as never;
}

async function health() {
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

before(async () => {
  broker = await startBroker();
  tessera = await createInstance({
    ...broker.env,
    TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "0",
    TESSERA_MQTT_TIMEOUT_SECONDS: "2",
    // Long: expiry must not depend on the periodic reconcile.
    TESSERA_MQTT_SWEEP_SECONDS: "300",
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
  });
  admin = new Dynsec({
    TESSERA_MQTT_URL: broker.url,
    TESSERA_MQTT_ADMIN_USERNAME: broker.adminUsername,
    TESSERA_MQTT_ADMIN_PASSWORD: broker.adminPassword,
    TESSERA_MQTT_TIMEOUT_SECONDS: 5,
  });
  await register("victim");
  await register("thief");
});

after(async () => {
  if (process.env.DEBUG_OUTPUT) console.log(tessera?.server.output(), broker?.output());
  for (const client of clients) client.end(true);
  await admin?.close();
  await tessera?.close();
  await broker?.stop();
});

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
    await sleep(Math.max(0, expiresAt - Date.now() - 1_500));
    assert.equal(closedAt, 0, "still connected 1.5 s before expiry");
    assert.equal(
      await refusal(user.username, user.password, user.username),
      null,
      "a new connection before expiry is accepted",
    );
    await sleep(Math.max(0, expiresAt + 1_000 - Date.now()));
    assert.match(
      String(await refusal(user.username, user.password, user.username)),
      /Not authorized|Bad username or password/i,
      "refused 1 s after expires_at",
    );
    for (let i = 0; i < 20 && closedAt === 0; i++) await sleep(50);
    assert.ok(closedAt > 0 && closedAt - expiresAt < 2_000, `closed ${closedAt - expiresAt} ms after expires_at`);
    const listed = (await api("/api/mqtt/tokens")).body as { token_id: string; status: string }[];
    assert.equal(listed.find((item) => item.token_id === user.token_id)?.status, "disabled");
  });

  test("restart against an already-provisioned broker: device tokens within 10 s", async () => {
    await tessera.restart();
    const { line, ms } = await tokenWithin("victim", 10_000);
    assert.match(line, /^71,eyJ/, `a token within 10 s (${ms} ms)`);
    assert.ok(!tessera.server.output().includes("Internal error"), "no addClientRole on a client that has the role");
  });

  test("restart against a broker whose Tessera clients were deleted or changed by hand: restored, device tokens within 10 s", async () => {
    const user = await credentials();
    await tessera.restart({}, async () => {
      const before = await brokerClients();
      const responders = before
        .filter((client) => client.username.startsWith("tessera-responder-"))
        .map((client) => client.username);
      assert.ok(responders.length > 0);
      await admin.run([
        // Tessera's own clients and role, gone or tampered with.
        ...responders.map((username) => ({ command: "deleteClient", username })),
        {
          command: "removeRoleACL",
          rolename: "tessera-responder",
          acltype: "publishClientSend",
          topic: "tessera/+/s/dat",
        },
        // A device deleted, another changed (its pin removed, its role taken away), and a user's credentials deleted.
        { command: "deleteClient", username: "victim" },
        { command: "deleteRole", rolename: "tessera-device:victim" },
        { command: "modifyClient", username: "thief", clientid: "", roles: [] },
        // A group granted by hand would add its roles: reading every device's answers.
        {
          command: "createRole",
          rolename: "evil",
          acls: [
            { acltype: "subscribePattern", topic: "#", allow: true },
            { acltype: "publishClientReceive", topic: "#", allow: true },
          ],
        },
        { command: "createGroup", groupname: "evil" },
        { command: "addGroupRole", groupname: "evil", rolename: "evil" },
        { command: "addGroupClient", groupname: "evil", username: "thief" },
        { command: "deleteClient", username: user.username },
      ]);
    });
    // The devices and the user connect with the passwords they already have.
    const { line, ms } = await tokenWithin("victim", 10_000);
    assert.match(line, /^71,eyJ/, `the deleted device got a token within 10 s (${ms} ms)`);
    let thief = "";
    for (let i = 0; i < 20 && !thief.startsWith("71,"); i++) thief = await ask("thief", 1);
    assert.match(thief, /^71,eyJ/, "the changed device's role is back");
    assert.match(
      String(await refusal("thief", passwords.thief!, "not-thief")),
      /Not authorized/i,
      "its client id pin is back",
    );
    assert.equal(
      await refusal(user.username, user.password, user.username),
      null,
      "the deleted credentials are back with the same password",
    );
    const thiefNow = (await brokerClients()).find((client) => client.username === "thief") as
      { groups?: unknown[] } | undefined;
    assert.deepEqual(thiefNow?.groups ?? [], [], "the group granted by hand is taken away");
    const roles = await admin.run([{ command: "getRole", rolename: "tessera-responder" }]);
    assert.ok(JSON.stringify(roles[0]!.data).includes('"publishClientSend"'), "the responder role's ACL is back");
  });

  test("a responder client deleted (or its password changed) by hand while running: back on its own, device tokens within 10 s", async () => {
    const responders = (await brokerClients())
      .filter((client) => client.username.startsWith("tessera-responder-"))
      .map((client) => client.username);
    await admin.run(responders.map((username) => ({ command: "deleteClient", username })));
    await sleep(500);
    const { line, ms } = await tokenWithin("victim", 10_000);
    assert.match(line, /^71,eyJ/, `a token within 10 s (${ms} ms)`);
    await admin.run(
      responders.map((username) => ({ command: "setClientPassword", username, password: "changed-by-hand-123" })),
    );
    await sleep(500);
    const again = await tokenWithin("victim", 10_000);
    assert.match(again.line, /^71,eyJ/, `a token within 10 s (${again.ms} ms)`);
  });

  test("broker outage: 503 within the timeout naming no address; removing a device or revoking credentials still works", async () => {
    await register("doomed");
    const token = (await tokenWithin("doomed", 10_000)).line.slice(3);
    assert.equal((await call(`${tessera.url}/api/me`, { token })).status, 200);
    const user = await credentials();
    await broker.restart(async () => {
      const started = Date.now();
      const refused = await api("/api/mqtt/tokens", {
        method: "POST",
        body: { user_email: `down-${process.pid}@example.com` },
      });
      const took = Date.now() - started;
      assert.equal(refused.status, 503);
      assert.equal(refused.body, "The MQTT broker is unavailable; nothing was changed, try again later");
      assert.ok(took <= 2_000 + 300, `answered in ${took} ms (timeout 2 s)`);
      const v2 = await call(`${tessera.url}/v2/tokens/refresh`, {
        method: "POST",
        body: { token_id: user.token_id, current_token_password: user.password },
      });
      assert.equal(v2.status, 503);
      assert.ok(!String(v2.body).includes(String(broker.port)), "no port in the answer");

      const removed = await api("/api/devices/doomed", { method: "DELETE" });
      assert.equal(removed.status, 200, String(removed.body));
      assert.equal((await call(`${tessera.url}/api/me`, { token })).status, 403, "its token stops at once");
      const revoked = await api(`/api/mqtt/tokens/${user.token_id}`, { method: "DELETE" });
      assert.equal(revoked.status, 200, String(revoked.body));

      const during = await health();
      assert.equal(during.status, 200, "the status code is about the database alone");
      assert.equal(during.body.status, "degraded");
      assert.equal(during.body.mqtt.broker, "unavailable");
    });
    // Back: the reconcile removes what was removed while the broker was down.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      const names = (await brokerClients()).map((client) => client.username);
      gone = !names.includes("doomed") && !names.includes(user.username);
      if (!gone) await sleep(200);
    }
    assert.ok(gone, "the removed device's and the revoked user's broker clients are gone");
    assert.match(String(await refusal("doomed", passwords.doomed!, "doomed")), /Not authorized/i);
    assert.match(String(await refusal(user.username, user.password, user.username)), /Not authorized/i);
    const logged = tessera.server
      .output()
      .split("\n")
      .filter((line) => /broker is unavailable|cannot reach the broker/.test(line));
    assert.ok(logged.length >= 1 && logged.length <= 4, `the outage is logged, not flooded (${logged.length} lines)`);
  });
});
