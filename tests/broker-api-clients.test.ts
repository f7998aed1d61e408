// Engine-independent: the broker's dynamic security clients over MQTT; the database only authenticates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closedWithin, connectAs } from "./helpers/broker.ts";
import { assertJson, assertText, startBrokerApi, unique, type BrokerApi } from "./helpers/broker-api.ts";

// The broker's dynamic security clients over REST (/api/broker/clients*),
// against a real Mosquitto 2.0.11 with the dynamic security plugin and a
// real Tessera server: each endpoint's answer, its errors, and what the
// broker then does with a real MQTT connection.

let t: BrokerApi;
before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
});
after(async () => {
  await t?.close();
});

const path = (username: string) => `/api/broker/clients/${encodeURIComponent(username)}`;
/** A client as the API answers it; pinned to its username unless created with another client id. */
const client = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  clientid: username,
  textname: null,
  textdescription: null,
  disabled: false,
  roles: [],
  groups: [],
  managed_by: null,
  ...extra,
});

async function connect(username: string, password: string) {
  // Clients the API creates are pinned to their username unless given another client id.
  const connection = await connectAs(t.broker.url, { username, password, clientId: username, protocolVersion: 4 });
  t.clients.push(connection);
  return connection;
}
const refused = (username: string, password: string) =>
  assert.rejects(connect(username, password), /Not authorized|Bad username or password/);

describe("broker clients", () => {
  test("create with a password: the answer has no password, and the client connects with it", async () => {
    const username = unique("c");
    const created = await t.api("/api/broker/clients", {
      method: "POST",
      body: { username, password: "correct horse", textname: "Kitchen sensor", textdescription: "second floor" },
    });
    assertJson(created, 200, client(username, { textname: "Kitchen sensor", textdescription: "second floor" }));
    assertJson(await t.api(path(username)), 200, created.body);
    (await connect(username, "correct horse")).end(true);
    await refused(username, "wrong password");
  });

  test("create without a password: one is generated, shown in that answer only, and works", async () => {
    const username = unique("gen");
    const created = await t.api("/api/broker/clients", { method: "POST", body: { username, clientid: "pinned" } });
    assert.equal(created.status, 200);
    const { password, ...rest } = created.body as { password: string };
    assert.match(password, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(rest, client(username, { clientid: "pinned" }));
    assertJson(await t.api(path(username)), 200, rest);
    const connection = await connectAs(t.broker.url, { username, password, clientId: "pinned", protocolVersion: 4 });
    connection.end(true);
    // Pinned: the same credentials under another client id are refused.
    await assert.rejects(connectAs(t.broker.url, { username, password, clientId: "other", protocolVersion: 4 }));
  });

  test("list is paged: limit, offset and the total", async () => {
    for (let i = 0; i < 3; i++)
      await t.api("/api/broker/clients", { method: "POST", body: { username: unique("page"), password: "password1" } });
    const all = await t.api("/api/broker/clients?limit=1000");
    assert.equal(all.status, 200);
    assert.equal(all.body.total, all.body.clients.length);
    assert.ok(all.body.total >= 5, String(all.body.total));
    const page = await t.api("/api/broker/clients?limit=2&offset=1");
    assertJson(page, 200, { clients: all.body.clients.slice(1, 3), total: all.body.total });
    assertText(await t.api("/api/broker/clients?limit=0"), 400, "limit must be a whole number from 1 to 1000");
    assertText(await t.api("/api/broker/clients?offset=-1"), 400, "offset must be a whole number, 0 or more");
    assertText(await t.api("/api/broker/clients?page=2"), 400, "Unknown field: page");
  });

  test("errors: 404 unknown, 409 duplicate, 400 bad input that changes nothing", async () => {
    assertText(await t.api(path("nobody-here")), 404, "Broker client not found");
    const username = unique("dup");
    const body = { username, password: "password1" };
    assert.equal((await t.api("/api/broker/clients", { method: "POST", body })).status, 200);
    assertText(
      await t.api("/api/broker/clients", { method: "POST", body }),
      409,
      "A broker client with this username already exists",
    );
    const bad: [unknown, string][] = [
      [{ username: unique("b"), password: "short" }, "password must be at least 8 characters"],
      [{ username: unique("b"), password: "password1", admin: true }, "Unknown field: admin"],
      [
        { username: `${unique("b")}\u0007`, password: "password1" },
        "username must not contain control or invisible characters",
      ],
      [{ username: unique("b"), roles: [{ rolename: "nope-role" }] }, 'Broker role "nope-role" not found'],
      [{ password: "password1" }, "username is required"],
      ["[1]", "The body must be a JSON object"],
    ];
    for (const [request, message] of bad) {
      const response = await t.api("/api/broker/clients", { method: "POST", body: request });
      assertText(response, message.includes("not found") ? 404 : 400, message);
      const name = (request as { username?: string }).username;
      if (name && !/\p{Cc}/u.test(name)) assertText(await t.api(path(name)), 404, "Broker client not found");
    }
    assertText(await t.api(path(" lead")), 400, "username must not start or end with a space");
  });

  test("a username with spaces, UTF-8 and an encoded / is one path segment", async () => {
    const username = `${unique("odd")} näme/ü €`;
    const created = await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } });
    assertJson(created, 200, client(username));
    assert.ok(path(username).includes("%2F"));
    assertJson(await t.api(path(username)), 200, client(username));
    (await connect(username, "password1")).end(true);
    assertJson(await t.api(path(username), { method: "DELETE" }), 200, { deleted: username });
  });

  test("modify: what is sent changes; roles replace the list; the client id changes but is never cleared", async () => {
    const username = unique("mod");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1", clientid: "x1" } });
    const rolename = unique("role");
    assert.equal((await t.api("/api/broker/roles", { method: "POST", body: { rolename } })).status, 200);
    const modified = await t.api(path(username), {
      method: "PATCH",
      body: { textname: "renamed", roles: [{ rolename, priority: 3 }], clientid: "x2" },
    });
    assertJson(
      modified,
      200,
      client(username, { clientid: "x2", textname: "renamed", roles: [{ rolename, priority: 3 }] }),
    );
    assertText(
      await t.api(path(username), { method: "PATCH", body: { clientid: null } }),
      400,
      "clientid cannot be cleared: a client without one could connect as any other client and take its session over",
    );
    assertText(
      await t.api(path(username), { method: "PATCH", body: { roles: [{ rolename: "missing-role" }] } }),
      404,
      'Broker role "missing-role" not found',
    );
    assertText(
      await t.api(path(username), { method: "PATCH", body: {} }),
      400,
      "Send at least one of clientid, textname, textdescription, roles, groups",
    );
    assertJson(await t.api(path(username)), 200, modified.body);
    assertText(
      await t.api(path("no-such"), { method: "PATCH", body: { textname: "x" } }),
      404,
      "Broker client not found",
    );
  });

  test("set password: the new one works, the old one no longer; without one, one is generated", async () => {
    const username = unique("pw");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "old password" } });
    const set = await t.api(`${path(username)}/password`, { method: "PUT", body: { password: "new password" } });
    assertJson(set, 200, { username });
    (await connect(username, "new password")).end(true);
    await refused(username, "old password");
    const generated = await t.api(`${path(username)}/password`, { method: "PUT", body: {} });
    assert.equal(generated.status, 200);
    assert.match(generated.body.password, /^[A-Za-z0-9_-]{32}$/);
    (await connect(username, generated.body.password)).end(true);
    await refused(username, "new password");
    assertText(
      await t.api(`${path(username)}/password`, { method: "PUT", body: { password: "x" } }),
      400,
      "password must be at least 8 characters",
    );
    assertText(await t.api(`${path("no-such")}/password`, { method: "PUT", body: {} }), 404, "Broker client not found");
  });

  test("disable drops the open connection and refuses new ones; enable lets it back", async () => {
    const username = unique("dis");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } });
    const open = await connect(username, "password1");
    const closed = closedWithin(open, 3_000);
    assertJson(await t.api(`${path(username)}/disable`, { method: "POST" }), 200, client(username, { disabled: true }));
    assert.equal(await closed, true, "the open connection was dropped");
    open.end(true);
    await refused(username, "password1");
    assertJson(await t.api(`${path(username)}/enable`, { method: "POST" }), 200, client(username));
    (await connect(username, "password1")).end(true);
    assertText(await t.api(`${path("no-such")}/disable`, { method: "POST" }), 404, "Broker client not found");
    assertText(
      await t.api(`${path(username)}/enable`, { method: "GET" }),
      405,
      "Method GET is not allowed here; this path allows OPTIONS, POST",
    );
  });

  test("delete: the client and its connection are gone", async () => {
    const username = unique("del");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } });
    const open = await connect(username, "password1");
    const closed = closedWithin(open, 3_000);
    assertJson(await t.api(path(username), { method: "DELETE" }), 200, { deleted: username });
    assert.equal(await closed, true);
    open.end(true);
    await refused(username, "password1");
    assertText(await t.api(path(username)), 404, "Broker client not found");
    assertText(await t.api(path(username), { method: "DELETE" }), 404, "Broker client not found");
  });

  test("broker stopped: 503 within TESSERA_MQTT_TIMEOUT_SECONDS; working again once it is back", async () => {
    const username = unique("down");
    await t.broker.restart(async () => {
      for (const [method, url, body] of [
        ["GET", "/api/broker/clients", undefined],
        ["POST", "/api/broker/clients", { username, password: "password1" }],
      ] as const) {
        const started = Date.now();
        const response = await t.api(url, { method, body });
        assertText(response, 503, "The MQTT broker is unavailable; nothing was changed, try again later");
        assert.equal(response.headers.get("retry-after"), "5");
        assert.ok(Date.now() - started < 3_000, `answered in ${Date.now() - started} ms`);
      }
    });
    let back = await t.api(path(username));
    for (let i = 0; i < 50 && back.status === 503; i++) back = await t.api(path(username));
    assertText(back, 404, "Broker client not found"); // the POST while it was down created nothing
    assert.equal(
      (await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } })).status,
      200,
    );
  });
});
