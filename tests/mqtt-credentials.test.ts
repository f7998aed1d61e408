import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { closedWithin, nextMessage, subscribe } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { call } from "./helpers/instance.ts";
import { api, connect, created, email, mint, refused } from "./helpers/mqtt-credentials.ts";
import { manager, setUpCredentialsFixture, tessera, viewer, type Minted } from "./helpers/mqtt-credentials.ts";

// Short-lived MQTT credentials against a real Mosquitto 2.0 with the dynamic
// security plugin, started for this file on a port of its own: who may use
// the API, create, refresh, revoke, replace, bad input, and the seed's /v2
// curl examples. The broker going away and expiry: mqtt-credentials-broker.test.ts.

const run = promisify(execFile);
/** The seed's curl example: a JSON POST with curl, its answer parsed. */
async function curlPost(url: string, body: Record<string, unknown>): Promise<Minted> {
  const { stdout } = await run("curl", [
    "-s",
    "-X",
    "POST",
    url,
    "-H",
    "Content-Type: application/json",
    "-d",
    JSON.stringify(body),
  ]);
  return JSON.parse(stdout) as Minted;
}

setUpCredentialsFixture();

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
    const minted = await curlPost(`${tessera.url}/v2/tokens/create`, {
      organization_id: "org_tessera",
      secret_key: manager,
      user_email: user,
    });
    assert.equal(minted.user_email, user);
    assert.equal(minted.expires_in, 3600);
    (await connect(minted.mqtt_credentials)).end(true);

    const refreshed = await curlPost(`${tessera.url}/v2/tokens/refresh`, {
      token_id: minted.token_id,
      current_token_password: minted.access_token,
    });
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
});
