import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { MqttClient } from "mqtt";
import { Dynsec } from "../lib/mqtt/dynsec.ts";
import { closedWithin, connectAs, nextMessage, startBroker, subscribe, type Broker } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";

// Short-lived MQTT credentials against a real Mosquitto 2.0 with the dynamic
// security plugin, started for this file on a port of its own.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let broker: Broker;
let tessera: Instance;
let manager: string;
let viewer: string;
const clients: MqttClient[] = [];
let counter = 0;
const email = (prefix = "user") => `${prefix}-${process.pid}-${++counter}@example.com`;

const api = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, options);
const mint = (body: Record<string, unknown>, token = manager) =>
  api("/api/mqtt/tokens", { method: "POST", token, body });

interface Minted {
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

async function created(body: Record<string, unknown>): Promise<Minted> {
  const response = await mint(body);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as Minted;
}

/** Connects as a credential's broker client: its client id is its username (pinned). */
async function connect(
  credentials: { username: string; password: string },
  clientId = credentials.username,
): Promise<MqttClient> {
  const client = await connectAs(broker.url, { ...credentials, clientId });
  clients.push(client);
  return client;
}

async function refused(credentials: { username: string; password: string }): Promise<boolean> {
  try {
    (await connect(credentials)).end(true);
    return false;
  } catch (error) {
    return /Not authorized|Bad username or password|refused/i.test(String(error));
  }
}

before(async () => {
  broker = await startBroker();
  tessera = await createInstance({
    ...broker.env,
    TESSERA_MQTT_SWEEP_SECONDS: "1",
    TESSERA_MQTT_DELETE_AFTER_SECONDS: "4",
    TESSERA_MQTT_TIMEOUT_SECONDS: "2",
    TESSERA_MQTT_MAX_TTL_SECONDS: "7200",
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
  });
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
});

after(async () => {
  if (process.env.DEBUG_OUTPUT) console.log(tessera?.server.output(), broker?.output());
  for (const client of clients) client.end(true);
  await tessera?.close();
  await broker?.stop();
});

describe(`MQTT credentials on Mosquitto ${engine === "postgres" ? "(PostgreSQL)" : "(embedded)"}`, () => {
  test("only roles with mqtt:credentials (admin, connectionManager) may use the API", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [method, path, body] of [
      ["GET", "/api/mqtt/tokens", undefined],
      ["POST", "/api/mqtt/tokens", { user_email: email() }],
      ["POST", "/api/mqtt/tokens/refresh", { token_id: id, current_token_password: "tkn_x" }],
      ["DELETE", `/api/mqtt/tokens/${id}`, undefined],
    ] as const) {
      assert.equal((await api(path, { method, body })).status, 401, `${method} ${path} without credentials`);
      const forbidden = await api(path, { method, body, token: viewer });
      assert.equal(forbidden.status, 403, `${method} ${path} as viewer`);
      assert.equal(forbidden.body, "Forbidden");
    }
    assert.equal((await api("/api/mqtt/tokens", { token: manager })).status, 200);
    assert.equal((await api("/api/mqtt/tokens", { token: tessera.adminToken })).status, 200);
  });

  test("create: the seed's answer, a password that works on the broker, inside its own topic tree only", async () => {
    const before = Date.now();
    const minted = await created({ user_email: `  Alice-${process.pid}@Example.COM ` });
    assert.equal(minted.token_type, "Bearer");
    assert.equal(minted.expires_in, 3600);
    assert.equal(minted.access_token, minted.mqtt_credentials.password);
    assert.match(minted.access_token, /^tkn_[A-Za-z0-9_-]{43}$/);
    assert.match(minted.mqtt_credentials.username, /^[0-9a-f]{12}@org_tessera$/);
    assert.match(minted.token_id, /^[0-9a-f-]{36}$/);
    assert.equal(minted.user_email, `alice-${process.pid}@example.com`);
    assert.equal(minted.provider, "tessera");
    const expiresAt = Date.parse(minted.expires_at);
    assert.ok(Math.abs(expiresAt - (before + 3_600_000)) < 5_000);
    assert.equal(Date.parse(minted.refresh_recommended_at), expiresAt - 360_000, "10% before expiry");

    const listed = (await api("/api/mqtt/tokens", { token: manager })).body as Record<string, unknown>[];
    const row = listed.find((item) => item.token_id === minted.token_id)!;
    assert.deepEqual(Object.keys(row).sort(), [
      "created_at",
      "expires_at",
      "refreshed_at",
      "requested_by",
      "status",
      "token_id",
      "user_email",
      "username",
    ]);
    assert.equal(row.status, "active");
    assert.equal(row.requested_by, "token:mqtt-connectionManager");
    assert.ok(!JSON.stringify(listed).includes(minted.access_token), "the list holds no secret");

    const other = await created({ user_email: email("bob") });
    const alice = await connect(minted.mqtt_credentials);
    const bob = await connect(other.mqtt_credentials);
    const aliceTree = `users/${minted.mqtt_credentials.username}`;
    const bobTree = `users/${other.mqtt_credentials.username}`;
    assert.equal(await subscribe(alice, `${aliceTree}/#`), 1, "its own tree");
    assert.equal(await subscribe(bob, `${bobTree}/#`), 1);
    assert.equal(await subscribe(alice, `${bobTree}/#`), 128, "another user's tree");
    assert.equal(await subscribe(alice, "users/#"), 128, "a wildcard over every user");
    assert.equal(await subscribe(alice, "#"), 128);
    assert.equal(await subscribe(alice, "$CONTROL/dynamic-security/#"), 128, "the broker's control topic");

    const own = nextMessage(alice, `${aliceTree}/greeting`);
    alice.publish(`${aliceTree}/greeting`, "hello", { qos: 1 });
    assert.equal(await own, "hello", "publishes and receives inside its tree");
    const intrusion = nextMessage(bob, `${bobTree}/inbox`, 1_000);
    alice.publish(`${bobTree}/inbox`, "intrusion", { qos: 1 });
    assert.equal(await intrusion, null, "a publish into another tree is dropped by the broker");

    assert.ok(
      await refused({ username: minted.mqtt_credentials.username, password: `${minted.access_token}x` }),
      "a wrong password is refused",
    );
  });

  test("refresh: a new password; the old one stops working at once; a wrong one changes nothing", async () => {
    const minted = await created({ user_email: email(), ttl_seconds: 600 });
    const wrong = await api("/api/mqtt/tokens/refresh", {
      method: "POST",
      token: manager,
      body: { token_id: minted.token_id, current_token_password: "tkn_wrong" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body, "token_id or current_token_password is wrong");
    const unknown = await api("/api/mqtt/tokens/refresh", {
      method: "POST",
      token: manager,
      body: { token_id: "00000000-0000-4000-8000-000000000000", current_token_password: minted.access_token },
    });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body, wrong.body, "one answer for an unknown id and a wrong password");
    const before = await connect(minted.mqtt_credentials);
    const kicked = closedWithin(before, 2_000);

    const response = await api("/api/mqtt/tokens/refresh", {
      method: "POST",
      token: manager,
      body: { token_id: minted.token_id, current_token_password: minted.access_token },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const refreshed = response.body as Minted;
    assert.equal(refreshed.token_id, minted.token_id);
    assert.equal(refreshed.mqtt_credentials.username, minted.mqtt_credentials.username);
    assert.notEqual(refreshed.access_token, minted.access_token);
    assert.equal(refreshed.expires_in, 600, "the same lifetime again");
    assert.ok(await refused(minted.mqtt_credentials), "the old password is refused");
    assert.ok(
      await kicked,
      "the connection made with the old password is dropped too (it reconnects with the new one)",
    );
    (await connect(refreshed.mqtt_credentials)).end(true);
    const again = await api("/api/mqtt/tokens/refresh", {
      method: "POST",
      token: manager,
      body: { token_id: minted.token_id, current_token_password: minted.access_token },
    });
    assert.equal(again.status, 401, "the old password cannot refresh again");
  });

  test("revoke: the broker drops the connection at once and refuses the credentials", async () => {
    const minted = await created({ user_email: email() });
    const client = await connect(minted.mqtt_credentials);
    const closed = closedWithin(client, 3_000);
    const response = await api(`/api/mqtt/tokens/${minted.token_id}`, { method: "DELETE", token: manager });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { token_id: minted.token_id, revoked: true });
    assert.ok(await closed, "disconnected");
    assert.ok(await refused(minted.mqtt_credentials));
    assert.equal((await api(`/api/mqtt/tokens/${minted.token_id}`, { method: "DELETE", token: manager })).status, 404);
    assert.equal((await api("/api/mqtt/tokens/not-a-uuid", { method: "DELETE", token: manager })).status, 400);
    const listed = (await api("/api/mqtt/tokens", { token: manager })).body as { token_id: string }[];
    assert.ok(!listed.some((item) => item.token_id === minted.token_id));
  });

  test("a second create for the same email replaces the first (409 with replace_existing false)", async () => {
    const user = email();
    const first = await created({ user_email: user });
    const client = await connect(first.mqtt_credentials);
    const conflict = await mint({ user_email: user, replace_existing: false });
    assert.equal(conflict.status, 409);
    assert.equal(
      conflict.body,
      "Credentials for this user_email already exist; send replace_existing: true to replace them",
    );
    assert.ok(client.connected, "a refused create changes nothing");

    const closed = closedWithin(client, 3_000);
    const second = await created({ user_email: user });
    assert.notEqual(second.token_id, first.token_id);
    assert.notEqual(second.mqtt_credentials.username, first.mqtt_credentials.username);
    assert.ok(await closed, "the replaced credentials' connection is dropped");
    assert.ok(await refused(first.mqtt_credentials));
    (await connect(second.mqtt_credentials)).end(true);
    const listed = (await api("/api/mqtt/tokens", { token: manager })).body as { user_email: string }[];
    assert.equal(listed.filter((item) => item.user_email === user).length, 1);
  });

  test("bad input gets a clear 400 and creates nothing", async () => {
    const count = async () => ((await api("/api/mqtt/tokens", { token: manager })).body as unknown[]).length;
    const before = await count();
    for (const [body, message] of [
      [{}, "user_email is required"],
      [{ user_email: "not an email" }, "user_email must be an email address"],
      [{ user_email: email(), ttl_seconds: 5 }, "ttl_seconds must be at least 10"],
      [{ user_email: email(), ttl_seconds: 7201 }, "ttl_seconds must be at most 7200"],
      [{ user_email: email(), ttl_seconds: "60" }, "ttl_seconds must be a number of seconds"],
      [{ user_email: email(), replace_existing: "yes" }, "replace_existing must be true or false"],
      [{ user_email: email(), password: "mine" }, "Unknown field: password"],
    ] as const) {
      const response = await mint(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body, message);
    }
    assert.equal(await count(), before);
  });

  test("the seed's curl examples work against /v2 with only the base URL changed", async () => {
    const user = email("curl");
    const create = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${tessera.url}/v2/tokens/create`,
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify({ organization_id: "org_tessera", secret_key: manager, user_email: user }),
    ]);
    const minted = JSON.parse(create.stdout) as Minted;
    assert.equal(minted.user_email, user);
    assert.equal(minted.expires_in, 3600);
    (await connect(minted.mqtt_credentials)).end(true);

    const refresh = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${tessera.url}/v2/tokens/refresh`,
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify({ token_id: minted.token_id, current_token_password: minted.access_token }),
    ]);
    const refreshed = JSON.parse(refresh.stdout) as Minted;
    assert.equal(refreshed.token_id, minted.token_id);
    assert.ok(await refused(minted.mqtt_credentials));
    (await connect(refreshed.mqtt_credentials)).end(true);

    const v2 = (body: Record<string, unknown>) => call(`${tessera.url}/v2/tokens/create`, { method: "POST", body });
    assert.equal(
      (await v2({ organization_id: "org_other", secret_key: manager, user_email: email() })).body,
      "organization_id does not match this Tessera",
    );
    assert.equal(
      (await v2({ organization_id: "org_tessera", secret_key: viewer, user_email: email() })).status,
      403,
      "a viewer token may not mint",
    );
    const forged = await v2({
      organization_id: "org_tessera",
      secret_key: `${manager.slice(0, -2)}AA`,
      user_email: email(),
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.body, "Token not found or was revoked");
    assert.equal((await v2({ organization_id: "org_tessera", user_email: email() })).status, 400);
  });

  test("broker down: 503 with a clear sentence, and nothing is created", async () => {
    const count = async () => ((await api("/api/mqtt/tokens", { token: manager })).body as unknown[]).length;
    const before = await count();
    await broker.restart(async () => {
      const response = await mint({ user_email: email() });
      assert.equal(response.status, 503);
      assert.equal(response.body, "The MQTT broker is unavailable; nothing was changed, try again later");
      assert.equal(response.headers.get("retry-after"), "5");
    });
    assert.equal(await count(), before, "no row was left behind");
    // Tessera reconnects on its own once the broker is back.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await mint({ user_email: email() })).status;
      if (status !== 200) await sleep(250);
    }
    assert.equal(status, 200);
  });

  test("expiry: disabled at expires_at (connection closed) and later deleted, across a restart; foreign clients left alone", async () => {
    const foreign = new Dynsec({
      TESSERA_MQTT_URL: broker.url,
      TESSERA_MQTT_ADMIN_USERNAME: broker.adminUsername,
      TESSERA_MQTT_ADMIN_PASSWORD: broker.adminPassword,
      TESSERA_MQTT_TIMEOUT_SECONDS: 5,
    });
    try {
      await foreign.run([
        {
          command: "createClient",
          username: "someone-else",
          password: "their-password-123",
          textname: "not Tessera's",
        },
        // Marked as Tessera's, unknown to its database and old: an orphan of a create that crashed.
        {
          command: "createClient",
          username: "orphan@org_tessera",
          password: "orphan-password-123",
          textname: "tessera mqtt credential 2020-01-01T00:00:00.000Z",
        },
      ]);
      const short = await created({ user_email: email(), ttl_seconds: 10 });
      const later = await created({ user_email: email(), ttl_seconds: 10 });
      const client = await connect(short.mqtt_credentials);
      const closed = closedWithin(client, 14_000);
      assert.ok(await closed, "disconnected at expiry");
      assert.ok(await refused(short.mqtt_credentials));
      const status = async (id: string) =>
        ((await api("/api/mqtt/tokens", { token: manager })).body as { token_id: string; status: string }[]).find(
          (item) => item.token_id === id,
        )?.status;
      // The row is marked at expiry, then the broker disables the client.
      let marked = await status(short.token_id);
      for (let i = 0; i < 30 && marked !== "disabled"; i++) {
        await sleep(100);
        marked = await status(short.token_id);
      }
      assert.equal(marked, "disabled");

      // A restart while `later` is already disabled and due for deletion: the new process deletes it.
      await tessera.restart({}, () => sleep(4_500));
      let gone = false;
      for (let i = 0; i < 40 && !gone; i++) {
        gone = (await status(later.token_id)) === undefined && (await status(short.token_id)) === undefined;
        if (!gone) await sleep(250);
      }
      assert.ok(gone, "deleted TESSERA_MQTT_DELETE_AFTER_SECONDS after expiry, by the restarted server");
      // The rows go first, then the reconcile removes their broker clients.
      let usernames: string[] = [];
      for (let i = 0; i < 40; i++) {
        const [listed] = await foreign.run([{ command: "listClients" }]);
        usernames = (listed!.data!.clients as string[]) ?? [];
        if (
          !usernames.includes(short.mqtt_credentials.username) &&
          !usernames.includes(later.mqtt_credentials.username)
        )
          break;
        await sleep(250);
      }
      assert.ok(usernames.includes("someone-else"), "a client Tessera did not create is untouched");
      assert.ok(!usernames.includes("orphan@org_tessera"), "an orphan with Tessera's mark (no row) is removed");
      assert.ok(!usernames.includes(short.mqtt_credentials.username), "the expired client is removed from the broker");
      assert.ok(!usernames.includes(later.mqtt_credentials.username), "the expired client is removed from the broker");
      (await connect({ username: "someone-else", password: "their-password-123" })).end(true);
    } finally {
      await foreign.close();
    }
  });
});
