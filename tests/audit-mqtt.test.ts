import assert from "node:assert/strict";
import os from "node:os";
import { describe, test } from "node:test";
import { engine } from "./helpers/database.ts";
import { brokerAdmin } from "./helpers/mqtt.ts";
import { api, broker, connect, created, email, manager, refused } from "./helpers/mqtt-credentials.ts";
import { setUpCredentialsFixture, tessera, type Minted } from "./helpers/mqtt-credentials.ts";
import { sha256 } from "./helpers/tokens.ts";
import { cli } from "./helpers/users.ts";
import { sleep, until } from "./helpers/wait.ts";
import { startReceiver } from "./helpers/webhook-receiver.ts";

// Issue 19, continued: MQTT credentials and devices in the audit log. Each
// action writes exactly one row (action, actor, channel, target) in the
// change's own transaction, and no row holds a password, a token or a hash of
// one. Against a real Mosquitto with the dynamic security plugin (the MQTT
// credentials fixture: sweep every second, deletion 4 s after expiry).

setUpCredentialsFixture();

type AuditEvent = {
  id: string;
  action: string;
  actor: string;
  via: string;
  address: string | null;
  tokenHash: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
  count: number;
};

const admin = (path: string, options: Parameters<typeof api>[1] = {}) =>
  api(path, { token: tessera.adminToken, ...options });
/** Every row for this target, oldest first. */
const eventsFor = async (target: string): Promise<AuditEvent[]> => {
  const response = await admin(`/api/audit?limit=500`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { events: AuditEvent[] }).events.filter((event) => event.target === target).reverse();
};
const actionsOf = (events: AuditEvent[]) => events.map((event) => event.action);
/** Every password, token and secret this file sees: none may reach an audit row. */
const secrets: string[] = [];
const remember = (minted: Minted): Minted => {
  secrets.push(minted.mqtt_credentials.password, sha256(minted.mqtt_credentials.password));
  return minted;
};
const deviceId = (prefix: string) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const list = async () => (await api("/api/mqtt/tokens", { token: manager })).body as { token_id: string }[];

describe(`the audit log of MQTT credentials and devices on ${engine}`, () => {
  test("create, refresh (both routes), replace and revoke: one row each, the caller as actor, no secret", async () => {
    const user = email("audit");
    const first = remember(await created({ user_email: user }));
    const username = first.mqtt_credentials.username;

    const refreshed = await api("/api/mqtt/tokens/refresh", {
      method: "POST",
      token: manager,
      body: { token_id: first.token_id, current_token_password: first.mqtt_credentials.password },
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const second = remember(refreshed.body as Minted);
    // The seed's refresh: no app token, the current password is the credential.
    const v2 = await api("/v2/tokens/refresh", {
      method: "POST",
      body: { token_id: first.token_id, current_token_password: second.mqtt_credentials.password },
    });
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    const third = remember(v2.body as Minted);
    // A refresh with a password that no longer works changes nothing and writes nothing.
    const stale = await api("/v2/tokens/refresh", {
      method: "POST",
      body: { token_id: first.token_id, current_token_password: first.mqtt_credentials.password },
    });
    assert.equal(stale.status, 401);

    const events = await eventsFor(username);
    assert.deepEqual(actionsOf(events), [
      "mqtt_credentials.created",
      "mqtt_credentials.refreshed",
      "mqtt_credentials.refreshed",
    ]);
    const [create, byManager, byHolder] = events as [AuditEvent, AuditEvent, AuditEvent];
    for (const event of [create, byManager]) {
      assert.equal(event.actor, "token:mqtt-connectionManager");
      assert.equal(event.via, "api");
    }
    assert.equal(byHolder.actor, `mqtt:${username}`, "the holder of the credentials, who proved itself with them");
    assert.equal(byHolder.via, "api");
    for (const event of events) {
      assert.ok(event.address, "the caller's address is recorded");
      assert.equal(event.tokenHash, null);
      assert.equal(event.count, 1);
      assert.equal(event.details!.tokenId, first.token_id);
      assert.equal(event.details!.userEmail, user);
    }
    assert.equal(create.details!.expiresAt, first.expires_at);
    assert.equal(create.details!.ttlSeconds, 3600);
    assert.equal(byHolder.details!.expiresAt, third.expires_at);

    // Replacing (replace_existing, the default) through the seed's create: one row, naming what it replaced.
    const v2Create = await api("/v2/tokens/create", {
      method: "POST",
      body: { organization_id: "org_tessera", secret_key: manager, user_email: user, ttl_seconds: 600 },
    });
    assert.equal(v2Create.status, 200, JSON.stringify(v2Create.body));
    const replacement = remember(v2Create.body as Minted);
    const newName = replacement.mqtt_credentials.username;
    assert.equal(actionsOf(await eventsFor(username)).length, 3, "the replaced username gets no row of its own");
    const [replaced, ...more] = await eventsFor(newName);
    assert.equal(more.length, 0);
    assert.equal(replaced!.action, "mqtt_credentials.replaced");
    assert.equal(replaced!.actor, "token:mqtt-connectionManager");
    assert.equal(replaced!.via, "api");
    assert.equal(replaced!.details!.previous, username);
    assert.equal(replaced!.details!.ttlSeconds, 600);

    // Revoke: one row; a second revoke finds nothing and writes nothing.
    assert.equal(
      (await api(`/api/mqtt/tokens/${replacement.token_id}`, { method: "DELETE", token: tessera.adminToken })).status,
      200,
    );
    assert.equal(
      (await api(`/api/mqtt/tokens/${replacement.token_id}`, { method: "DELETE", token: tessera.adminToken })).status,
      404,
    );
    const after = await eventsFor(newName);
    assert.deepEqual(actionsOf(after), ["mqtt_credentials.replaced", "mqtt_credentials.revoked"]);
    assert.equal(after[1]!.actor, "token:test-admin");
    assert.equal(after[1]!.via, "api");
    assert.equal(after[1]!.details!.tokenId, replacement.token_id);
  });

  test("expiry: one mqtt_credentials.expired row and one webhook per credential, whether the timer or the sweep got there", async () => {
    const receiver = await startReceiver();
    const endpoint = await admin("/api/webhooks", {
      method: "POST",
      body: { url: receiver.url, events: ["mqtt_credentials.expired"] },
    });
    assert.equal(endpoint.status, 200, JSON.stringify(endpoint.body));
    receiver.secret = endpoint.body.secret;
    // One expires on its own (the exact-expiry timer); three are pushed into the past at once (the sweep's batch).
    const timed = remember(await created({ user_email: email("expiry"), ttl_seconds: 10 }));
    const swept = [
      remember(await created({ user_email: email("sweep") })),
      remember(await created({ user_email: email("sweep") })),
      remember(await created({ user_email: email("sweep") })),
    ];
    const [pushed] = await tessera.sql(
      `UPDATE mqtt_credentials SET expires_at = now() - interval '1 second'
        WHERE id IN (${swept.map((minted) => `'${minted.token_id}'`).join(", ")})`,
    );
    assert.ok(!(pushed instanceof Error), String(pushed));
    for (const minted of [...swept, timed]) {
      const username = minted.mqtt_credentials.username;
      const expired =
        (await until(async () => {
          const events = (await eventsFor(username)).filter((event) => event.action === "mqtt_credentials.expired");
          return events.length > 0 ? events : undefined;
        }, 20_000)) ?? [];
      assert.equal(expired.length, 1, `one expired row for ${username}`);
      assert.equal(expired[0]!.actor, "system");
      assert.equal(expired[0]!.via, "system");
      assert.equal(expired[0]!.address, null);
      assert.equal(expired[0]!.details!.tokenId, minted.token_id);
      assert.ok(await refused(minted.mqtt_credentials), "and the broker refuses it");
    }
    // Deleted 4 s after expiry (housekeeping, not an action of its own): still one row each.
    await until(async () => {
      const ids = new Set((await list()).map((row) => row.token_id));
      return [...swept, timed].every((minted) => !ids.has(minted.token_id)) ? true : undefined;
    }, 20_000);
    for (const minted of [...swept, timed])
      assert.deepEqual(actionsOf(await eventsFor(minted.mqtt_credentials.username)), [
        "mqtt_credentials.created",
        "mqtt_credentials.expired",
      ]);
    // The webhook: stored with the expiry, one per credential, signed.
    const ids = [...swept, timed].map((minted) => minted.token_id).sort();
    await until(() => receiver.received.length >= ids.length, 10_000);
    await sleep(1_500); // three polls: nothing is sent twice
    await receiver.close();
    assert.deepEqual(receiver.received.map((message) => message.payload.data.tokenId).sort(), ids);
    assert.ok(
      receiver.received.every((message) => message.verified && message.payload.type === "mqtt_credentials.expired"),
    );
    await admin(`/api/webhooks/${endpoint.body.id}`, { method: "DELETE" });
  });

  test("devices: added and removed, through the API and the CLI, one row each, no password", async () => {
    const viaApi = deviceId("aud-api");
    const added = await admin("/api/devices", { method: "POST", body: { id: viaApi, role: "editor" } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    secrets.push(added.body.mqtt.password);
    assert.equal((await admin(`/api/devices/${viaApi}`, { method: "DELETE" })).status, 200);
    assert.equal((await admin(`/api/devices/${viaApi}`, { method: "DELETE" })).status, 404);
    const events = await eventsFor(viaApi);
    assert.deepEqual(actionsOf(events), ["device.added", "device.removed"]);
    for (const event of events) {
      assert.equal(event.actor, "token:test-admin");
      assert.equal(event.via, "api");
      assert.ok(event.address);
      assert.equal(event.details!.role, "editor");
    }
    assert.equal(events[0]!.details!.clientId, viaApi);

    const viaCli = deviceId("aud-cli");
    const password = (await cli(tessera, ["devices", "add", viaCli], ["devices", "remove", viaCli]))[0]!
      .trim()
      .split("\n")[0]!;
    assert.ok(password.length >= 20, "the CLI printed the device's password");
    secrets.push(password);
    const cliEvents = await eventsFor(viaCli);
    assert.deepEqual(actionsOf(cliEvents), ["device.added", "device.removed"]);
    for (const event of cliEvents) {
      assert.equal(event.actor, `cli:${os.userInfo().username}`);
      assert.equal(event.via, "cli");
      assert.equal(event.address, null);
    }
  });

  test("a device the broker refuses: its row and the undoing of it, and no device", async () => {
    const id = deviceId("aud-taken");
    const foreign = brokerAdmin(broker);
    try {
      await foreign.run([
        { command: "createClient", username: id, password: "someone-elses-pw-1", textname: "not ours" },
      ]);
      const refusedAdd = await admin("/api/devices", { method: "POST", body: { id } });
      assert.equal(refusedAdd.status, 409, JSON.stringify(refusedAdd.body));
      assert.equal((await admin("/api/devices")).body.filter((device: { id: string }) => device.id === id).length, 0);
      const events = await eventsFor(id);
      assert.deepEqual(actionsOf(events), ["device.added", "device.undone"]);
      assert.equal(events[1]!.actor, "token:test-admin");
      assert.equal(events[1]!.details!.undoes, "device.added");
      assert.equal(events[1]!.details!.reason, "broker_refused");
    } finally {
      await foreign.run([{ command: "deleteClient", username: id }]).catch(() => {});
      await foreign.close();
    }
  });

  test("a failure after the change's write leaves neither the change nor its row", async () => {
    const doomedEmail = email("doomed");
    const victim = remember(await created({ user_email: email("victim") }));
    const device = deviceId("aud-keep");
    assert.equal((await admin("/api/devices", { method: "POST", body: { id: device } })).status, 200);
    const [fn, trigger] = await tessera.sql(
      `CREATE FUNCTION audit_mqtt_fail() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.details->>'userEmail' = '${doomedEmail}'
            OR (NEW.action = 'mqtt_credentials.revoked' AND NEW.target = '${victim.mqtt_credentials.username}')
            OR (NEW.action = 'device.removed' AND NEW.target = '${device}') THEN
           RAISE EXCEPTION 'injected failure';
         END IF;
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER audit_mqtt_fail BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_mqtt_fail()`,
    );
    assert.ok(!(fn instanceof Error), String(fn));
    assert.ok(!(trigger instanceof Error), String(trigger));
    try {
      const before = (await list()).length;
      const create = await api("/api/mqtt/tokens", {
        method: "POST",
        token: manager,
        body: { user_email: doomedEmail },
      });
      assert.equal(create.status, 500);
      assert.equal((await list()).length, before, "the credentials whose audit row failed were not created");
      const all = (await admin("/api/audit?limit=500")).body.events as AuditEvent[];
      assert.equal(all.filter((event) => event.details?.userEmail === doomedEmail).length, 0, "and no row for them");

      const revoke = await api(`/api/mqtt/tokens/${victim.token_id}`, { method: "DELETE", token: manager });
      assert.equal(revoke.status, 500);
      assert.ok(
        (await list()).some((row) => row.token_id === victim.token_id),
        "the revocation was rolled back",
      );
      (await connect(victim.mqtt_credentials)).end(true);

      assert.equal((await admin(`/api/devices/${device}`, { method: "DELETE" })).status, 500);
      assert.equal(
        (await admin("/api/devices")).body.filter((row: { id: string }) => row.id === device).length,
        1,
        "the device is still registered",
      );
    } finally {
      await tessera.sql(`DROP TRIGGER audit_mqtt_fail ON audit_events`, `DROP FUNCTION audit_mqtt_fail()`);
    }
    assert.deepEqual(actionsOf(await eventsFor(victim.mqtt_credentials.username)), ["mqtt_credentials.created"]);
    assert.deepEqual(actionsOf(await eventsFor(device)), ["device.added"]);
    // With the trigger gone, the same changes go through, each with its row.
    assert.equal((await api(`/api/mqtt/tokens/${victim.token_id}`, { method: "DELETE", token: manager })).status, 200);
    assert.equal((await admin(`/api/devices/${device}`, { method: "DELETE" })).status, 200);
    assert.deepEqual(actionsOf(await eventsFor(victim.mqtt_credentials.username)), [
      "mqtt_credentials.created",
      "mqtt_credentials.revoked",
    ]);
    assert.deepEqual(actionsOf(await eventsFor(device)), ["device.added", "device.removed"]);
  });

  test("no MQTT password, token, secret or hash of one reaches any audit row", async () => {
    const dump = JSON.parse(await tessera.dumpDatabase()) as Record<string, Record<string, unknown>[]>;
    const rows = dump.audit_events!;
    const ours = rows.filter((row) => /^(mqtt_credentials|device)\./.test(String(row.action)));
    assert.ok(ours.length >= 15, `the rows of this file are there (${ours.length})`);
    const text = JSON.stringify(rows);
    assert.ok(secrets.length >= 10);
    const hashes = new Set(
      (dump.mqtt_credentials ?? []).map((row) => String(row.password_hash)).filter((hash) => hash.length === 64),
    );
    for (const secret of [
      ...secrets,
      ...hashes,
      manager,
      ...manager.split(".").slice(1),
      tessera.adminToken.split(".")[2]!,
      broker.adminPassword,
    ])
      assert.ok(!text.includes(secret), `an audit row holds ${secret.slice(0, 12)}...`);
  });
});
