import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertText, startBrokerApi, unique, type BrokerApi } from "./helpers/broker-api.ts";
import { until } from "./helpers/wait.ts";

// What Tessera manages on the broker (MQTT credentials, devices, its
// responder, its own admin client and that client's roles) is listed with
// managed_by and refused by the generic broker API with a sentence naming
// the owning feature; and nothing the generic API creates can pass for it.

let t: BrokerApi;
let credential: string; // the MQTT credential's username
const device = `dev-${process.pid}`;
let responder: string;

before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
  const minted = await t.api("/api/mqtt/tokens", {
    method: "POST",
    body: { user_email: `u${process.pid}@example.com` },
  });
  assert.equal(minted.status, 200, JSON.stringify(minted.body));
  credential = minted.body.mqtt_credentials.username;
  assert.equal((await t.api("/api/devices", { method: "POST", body: { id: device } })).status, 200);
  responder = await until(async () => {
    const list = await t.api("/api/broker/clients?limit=1000");
    return list.body.clients.find((c: { username: string }) => c.username.startsWith("tessera-responder-"))?.username;
  }, 10_000);
});
after(async () => {
  await t?.close();
});

const CREDENTIAL = "This client belongs to MQTT credentials (managed by Tessera); change it through /api/mqtt/tokens";
const DEVICE = "This client belongs to a device (managed by Tessera); change it through /api/devices";
const OWN =
  "This client is Tessera's own (its broker admin connection or its device-token responder); it cannot be changed here";
const clientPath = (username: string) => `/api/broker/clients/${encodeURIComponent(username)}`;
const rolePath = (rolename: string) => `/api/broker/roles/${encodeURIComponent(rolename)}`;

describe("Tessera-owned broker objects", () => {
  test("clients and roles are listed with the feature that owns them", async () => {
    const clients = await t.api("/api/broker/clients?limit=1000");
    const owners = Object.fromEntries(
      clients.body.clients.map((c: { username: string; managed_by: string | null }) => [c.username, c.managed_by]),
    );
    assert.deepEqual(
      [owners[credential], owners[device], owners[responder], owners[t.broker.adminUsername]],
      ["mqtt-credentials", "devices", "tessera", "tessera"],
    );
    const roles = await t.api("/api/broker/roles?limit=1000");
    const roleOwners = Object.fromEntries(
      roles.body.roles.map((r: { rolename: string; managed_by: string | null }) => [r.rolename, r.managed_by]),
    );
    assert.deepEqual(
      [
        roleOwners[`tessera:${credential}`],
        roleOwners[`tessera-device:${device}`],
        roleOwners["tessera-responder"],
        roleOwners.admin,
      ],
      ["mqtt-credentials", "devices", "tessera", "tessera"],
    );
    assert.equal((await t.api(clientPath(device))).body.managed_by, "devices");
    assert.equal((await t.api(rolePath("admin"))).body.managed_by, "tessera");
  });

  test("every change to an owned client is refused with 409 naming its feature, and nothing changes", async () => {
    const owned: [string, string][] = [
      [credential, CREDENTIAL],
      [device, DEVICE],
      [responder, OWN],
      [t.broker.adminUsername, OWN],
    ];
    const groupname = unique("g");
    assert.equal((await t.api("/api/broker/groups", { method: "POST", body: { groupname } })).status, 200);
    for (const [username, message] of owned) {
      const before = await t.api(clientPath(username));
      const path = clientPath(username);
      for (const [method, url, body] of [
        ["PATCH", path, { textname: "mine now" }],
        ["DELETE", path, undefined],
        ["PUT", `${path}/password`, { password: "password1" }],
        ["POST", `${path}/disable`, undefined],
        ["POST", `${path}/enable`, undefined],
        ["POST", `/api/broker/groups/${groupname}/clients`, { username }],
        ["DELETE", `/api/broker/groups/${groupname}/clients/${encodeURIComponent(username)}`, undefined],
      ] as const)
        assertText(await t.api(url, { method, body }), 409, message);
      assert.deepEqual(await t.api(clientPath(username)).then((r) => r.body), before.body);
    }
  });

  test("owned roles: no change, no ACL, no delete, and never assigned to a client or group", async () => {
    const client = unique("c");
    const groupname = unique("g");
    assert.equal(
      (await t.api("/api/broker/clients", { method: "POST", body: { username: client, password: "password1" } }))
        .status,
      200,
    );
    assert.equal((await t.api("/api/broker/groups", { method: "POST", body: { groupname } })).status, 200);
    const roles: [string, string][] = [
      [`tessera:${credential}`, "belongs to MQTT credentials (managed by Tessera); change it through /api/mqtt/tokens"],
      [`tessera-device:${device}`, "belongs to a device (managed by Tessera); change it through /api/devices"],
      [
        "tessera-responder",
        "is Tessera's own (its broker admin connection or its device-token responder); it cannot be changed here",
      ],
      [
        "admin",
        "is Tessera's own (its broker admin connection or its device-token responder); it cannot be changed here",
      ],
    ];
    for (const [rolename, feature] of roles) {
      const before = await t.api(rolePath(rolename));
      const path = rolePath(rolename);
      const acl = { acltype: "subscribeLiteral", topic: "stolen/#" };
      assertText(await t.api(path, { method: "PATCH", body: { textname: "x" } }), 409, `This role ${feature}`);
      assertText(await t.api(path, { method: "DELETE" }), 409, `This role ${feature}`);
      assertText(await t.api(`${path}/acls`, { method: "POST", body: acl }), 409, `This role ${feature}`);
      const query = new URLSearchParams({ acltype: before.body.acls[0].acltype, topic: before.body.acls[0].topic });
      assertText(await t.api(`${path}/acls?${query}`, { method: "DELETE" }), 409, `This role ${feature}`);
      const assign = `Role ${JSON.stringify(rolename)} cannot be assigned here: it ${feature}`;
      for (const [method, url, body] of [
        ["POST", "/api/broker/clients", { username: unique("thief"), roles: [{ rolename }] }],
        ["PATCH", clientPath(client), { roles: [{ rolename }] }],
        ["POST", "/api/broker/groups", { groupname: unique("thieves"), roles: [{ rolename }] }],
        ["PATCH", `/api/broker/groups/${groupname}`, { roles: [{ rolename }] }],
        ["POST", `/api/broker/groups/${groupname}/roles`, { rolename }],
      ] as const)
        assertText(await t.api(url, { method, body }), 409, assign);
      assert.deepEqual((await t.api(rolePath(rolename))).body, before.body);
    }
    assert.deepEqual((await t.api(clientPath(client))).body.roles, []);
    assert.deepEqual((await t.api(`/api/broker/groups/${groupname}`)).body.roles, []);
  });

  test("nothing new may pass for Tessera's: reserved usernames, rolenames and textname marks", async () => {
    const cases: [string, unknown, string][] = [
      [
        "/api/broker/clients",
        { username: "tessera-responder-x" },
        "Usernames starting with tessera- are reserved for Tessera's own broker clients",
      ],
      [
        "/api/broker/clients",
        { username: "tessera-mine" },
        "Usernames starting with tessera- are reserved for Tessera's own broker clients",
      ],
      [
        "/api/broker/clients",
        { username: unique("m"), textname: "tessera device" },
        "This textname marks clients Tessera manages; choose another textname",
      ],
      [
        "/api/broker/clients",
        { username: unique("m"), textname: "tessera mqtt credential 2026" },
        "This textname marks clients Tessera manages; choose another textname",
      ],
      [
        "/api/broker/roles",
        { rolename: "tessera:someone" },
        "Rolenames starting with tessera are reserved for Tessera's own broker roles",
      ],
      [
        "/api/broker/roles",
        { rolename: unique("m"), textname: "tessera responder role" },
        "This textname marks roles Tessera manages; choose another textname",
      ],
    ];
    for (const [url, body, message] of cases) assertText(await t.api(url, { method: "POST", body }), 409, message);
    const username = unique("plain");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } });
    assertText(
      await t.api(clientPath(username), { method: "PATCH", body: { textname: "tessera device" } }),
      409,
      "This textname marks clients Tessera manages; choose another textname",
    );
    assert.equal((await t.api(clientPath(username))).body.textname, null);
  });

  test("no ACL reaches the device token topics, and no client takes a Tessera client id", async () => {
    const refusal =
      "This ACL reaches the device token topics (tessera/+/s/uat, tessera/+/s/dat), which belong to devices " +
      "(managed by Tessera): they carry each device's REST token; choose topics outside them";
    const rolename = unique("wide");
    for (const topic of ["#", "tessera/#", `tessera/${device}/s/dat`, "+/+/s/uat"])
      assertText(
        await t.api("/api/broker/roles", {
          method: "POST",
          body: { rolename, acls: [{ acltype: "subscribePattern", topic }] },
        }),
        409,
        refusal,
      );
    assertText(await t.api(rolePath(rolename)), 404, "Broker role not found");
    assert.equal((await t.api("/api/broker/roles", { method: "POST", body: { rolename } })).status, 200);
    assertText(
      await t.api(`${rolePath(rolename)}/acls`, {
        method: "POST",
        body: { acltype: "publishClientSend", topic: `tessera/${device}/s/dat` },
      }),
      409,
      refusal,
    );
    const deny = { acltype: "subscribePattern", topic: "#", allow: false };
    assert.equal((await t.api(`${rolePath(rolename)}/acls`, { method: "POST", body: deny })).status, 200);
    const takeover =
      "This client id is the client id of a client Tessera manages; a connection under it would take that session over";
    for (const clientid of [device, credential])
      assertText(
        await t.api("/api/broker/clients", { method: "POST", body: { username: unique("twin"), clientid } }),
        409,
        takeover,
      );
    assertText(
      await t.api("/api/broker/clients", {
        method: "POST",
        body: { username: unique("twin"), clientid: "tessera-dynsec-1" },
      }),
      409,
      "Client ids starting with tessera- are reserved for Tessera's own connections",
    );
    const username = unique("own-id");
    await t.api("/api/broker/clients", { method: "POST", body: { username, password: "password1" } });
    assertText(await t.api(clientPath(username), { method: "PATCH", body: { clientid: device } }), 409, takeover);
  });

  test("the features that own them still manage them: revoking the credential removes its client", async () => {
    const list = await t.api("/api/mqtt/tokens");
    const id = list.body.find((row: { username: string }) => row.username === credential)?.token_id;
    assert.ok(id, JSON.stringify(list.body));
    assert.equal((await t.api(`/api/mqtt/tokens/${id}`, { method: "DELETE" })).status, 200);
    assertText(await t.api(clientPath(credential)), 404, "Broker client not found");
  });
});
