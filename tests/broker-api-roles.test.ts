import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MqttClient } from "mqtt";
import { connectAs, nextMessage, subscribe } from "./helpers/broker.ts";
import { assertJson, assertText, startBrokerApi, unique, type BrokerApi } from "./helpers/broker-api.ts";
import { sleep } from "./helpers/wait.ts";

// The broker's dynamic security roles, ACLs, groups, anonymous group and
// default ACL access over REST, against a real Mosquitto 2.0.11, and an ACL
// change taking effect for a client that is already connected.

let t: BrokerApi;
before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
});
after(async () => {
  await t?.close();
});

const rolePath = (rolename: string) => `/api/broker/roles/${encodeURIComponent(rolename)}`;
const groupPath = (groupname: string) => `/api/broker/groups/${encodeURIComponent(groupname)}`;
const acl = (acltype: string, topic: string, priority = 0, allow = true) => ({ acltype, topic, priority, allow });
const role = (rolename: string, extra: Record<string, unknown> = {}) => ({
  rolename,
  textname: null,
  textdescription: null,
  acls: [],
  managed_by: null,
  ...extra,
});
const group = (groupname: string, extra: Record<string, unknown> = {}) => ({
  groupname,
  textname: null,
  textdescription: null,
  roles: [],
  clients: [],
  managed_by: null,
  ...extra,
});
const post = (path: string, body: unknown) => t.api(path, { method: "POST", body });

describe("broker roles and ACLs", () => {
  test("create, get, list, modify (acls replace the list), delete", async () => {
    const rolename = unique("r");
    const created = await post("/api/broker/roles", {
      rolename,
      textname: "Sensors",
      acls: [{ acltype: "subscribePattern", topic: "sensors/#" }, acl("publishClientSend", "sensors/+/x", 5, false)],
    });
    const expected = role(rolename, {
      textname: "Sensors",
      acls: [acl("publishClientSend", "sensors/+/x", 5, false), acl("subscribePattern", "sensors/#")],
    });
    assert.equal(created.status, 200);
    assert.deepEqual(
      { ...created.body, acls: sortAcls(created.body.acls) },
      { ...expected, acls: sortAcls(expected.acls) },
    );
    assertJson(await t.api(rolePath(rolename)), 200, created.body);
    const list = await t.api("/api/broker/roles?limit=1000");
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.roles.find((r: { rolename: string }) => r.rolename === rolename),
      created.body,
    );
    assert.equal(list.body.total, list.body.roles.length);
    const modified = await t.api(rolePath(rolename), {
      method: "PATCH",
      body: { textdescription: "only one now", acls: [acl("subscribeLiteral", "a/b")] },
    });
    assertJson(
      modified,
      200,
      role(rolename, { textname: "Sensors", textdescription: "only one now", acls: [acl("subscribeLiteral", "a/b")] }),
    );
    assertJson(await t.api(rolePath(rolename), { method: "DELETE" }), 200, { deleted: rolename });
    assertText(await t.api(rolePath(rolename)), 404, "Broker role not found");
    assertText(await t.api(rolePath(rolename), { method: "DELETE" }), 404, "Broker role not found");
    assertText(
      await t.api(rolePath(rolename), { method: "PATCH", body: { textname: "x" } }),
      404,
      "Broker role not found",
    );
  });

  test("errors: 409 duplicate and reserved names, 400 bad ACLs and $CONTROL, nothing created", async () => {
    const rolename = unique("dup");
    assert.equal((await post("/api/broker/roles", { rolename })).status, 200);
    assertText(await post("/api/broker/roles", { rolename }), 409, "A broker role with this rolename already exists");
    const refusals: [unknown, number, string][] = [
      [
        { rolename: "tessera-mine" },
        409,
        "Rolenames starting with tessera are reserved for Tessera's own broker roles",
      ],
      [
        { rolename: unique("m"), textname: "tessera device" },
        409,
        "This textname marks roles Tessera manages; choose another textname",
      ],
      [
        { rolename: unique("a"), acls: [acl("publishClientSend", "$CONTROL/dynamic-security/v1")] },
        400,
        "ACLs on $CONTROL topics are refused: they would let a client administer the broker",
      ],
      [
        { rolename: unique("a"), acls: [{ acltype: "publish", topic: "x" }] },
        400,
        "acltype must be one of publishClientSend, publishClientReceive, subscribeLiteral, subscribePattern, unsubscribeLiteral, unsubscribePattern",
      ],
      [{ rolename: unique("a"), acls: [{ acltype: "subscribeLiteral", topic: "" }] }, 400, "topic must not be empty"],
      [
        { rolename: unique("a"), acls: [{ ...acl("subscribeLiteral", "x"), priority: 1.5 }] },
        400,
        "priority must be a whole number",
      ],
    ];
    for (const [body, status, message] of refusals) {
      assertText(await post("/api/broker/roles", body), status, message);
      const name = (body as { rolename: string }).rolename;
      if (!name.startsWith("tessera")) assertText(await t.api(rolePath(name)), 404, "Broker role not found");
    }
  });

  test("add and remove one ACL; duplicates 409, missing 404, $CONTROL 400", async () => {
    const rolename = unique("acl");
    await post("/api/broker/roles", { rolename });
    const path = `${rolePath(rolename)}/acls`;
    assertJson(
      await post(path, { acltype: "subscribeLiteral", topic: "x/y" }),
      200,
      role(rolename, { acls: [acl("subscribeLiteral", "x/y")] }),
    );
    assertText(
      await post(path, { acltype: "subscribeLiteral", topic: "x/y" }),
      409,
      "The role already has an ACL of this acltype for this topic",
    );
    assertText(
      await post(path, acl("subscribePattern", "$CONTROL/#")),
      400,
      "ACLs on $CONTROL topics are refused: they would let a client administer the broker",
    );
    const query = new URLSearchParams({ acltype: "subscribeLiteral", topic: "x/y" });
    assertJson(await t.api(`${path}?${query}`, { method: "DELETE" }), 200, role(rolename));
    assertText(
      await t.api(`${path}?${query}`, { method: "DELETE" }),
      404,
      "The role has no ACL of this acltype for this topic",
    );
    assertText(await t.api(`${path}?acltype=subscribeLiteral`, { method: "DELETE" }), 400, "topic is required");
    assertText(await post(`${rolePath("no-role")}/acls`, acl("subscribeLiteral", "a")), 404, "Broker role not found");
  });

  test("an ACL change takes effect for a client that is already connected", async () => {
    const [subscriberRole, publisherRole] = [unique("sub"), unique("pub")];
    const topic = `live/${unique("t")}`;
    await post("/api/broker/roles", { rolename: subscriberRole });
    await post("/api/broker/roles", { rolename: publisherRole, acls: [acl("publishClientSend", topic)] });
    const connections: MqttClient[] = [];
    for (const [username, rolename] of [
      [unique("s"), subscriberRole],
      [unique("p"), publisherRole],
    ]) {
      const body = { username, password: "password1", roles: [{ rolename }] };
      assert.equal((await post("/api/broker/clients", body)).status, 200);
      connections.push(await connectAs(t.broker.url, { username, password: "password1", protocolVersion: 4 }));
    }
    t.clients.push(...connections);
    const [subscriber, publisher] = connections as [MqttClient, MqttClient];
    // The broker's default: subscribing is denied without an ACL.
    assert.equal(await subscribe(subscriber, topic), 128);
    await post(`${rolePath(subscriberRole)}/acls`, acl("subscribeLiteral", topic));
    assert.equal(await subscribe(subscriber, topic), 1);
    let message = nextMessage(subscriber, topic);
    publisher.publish(topic, "one", { qos: 1 });
    assert.equal(await message, "one");
    // The publisher loses its publishClientSend ACL: its message is no longer delivered.
    const query = new URLSearchParams({ acltype: "publishClientSend", topic });
    assert.equal((await t.api(`${rolePath(publisherRole)}/acls?${query}`, { method: "DELETE" })).status, 200);
    message = nextMessage(subscriber, topic, 1_500);
    publisher.publish(topic, "two", { qos: 1 });
    assert.equal(await message, null);
    // And back through PATCH (acls replace the list).
    await t.api(rolePath(publisherRole), { method: "PATCH", body: { acls: [acl("publishClientSend", topic)] } });
    message = nextMessage(subscriber, topic);
    publisher.publish(topic, "three", { qos: 1 });
    assert.equal(await message, "three");
  });
});

describe("broker groups, anonymous group and default ACL", () => {
  test("groups: create, add and remove a client and a role, modify, list, delete", async () => {
    const [groupname, rolename, username] = [unique("g"), unique("gr"), unique("gc")];
    await post("/api/broker/roles", { rolename });
    await post("/api/broker/clients", { username, password: "password1" });
    assertJson(
      await post("/api/broker/groups", { groupname, textname: "Floor 2" }),
      200,
      group(groupname, { textname: "Floor 2" }),
    );
    assertText(
      await post("/api/broker/groups", { groupname }),
      409,
      "A broker group with this groupname already exists",
    );
    assertJson(
      await post(`${groupPath(groupname)}/clients`, { username, priority: 2 }),
      200,
      group(groupname, { textname: "Floor 2", clients: [{ username }] }),
    );
    const withRole = await post(`${groupPath(groupname)}/roles`, { rolename, priority: 1 });
    assertJson(
      withRole,
      200,
      group(groupname, {
        textname: "Floor 2",
        clients: [{ username }],
        roles: [{ rolename, priority: 1 }],
      }),
    );
    const member = await t.api(`/api/broker/clients/${username}`);
    assert.deepEqual(member.body.groups, [{ groupname, priority: 2 }]);
    assertJson(await t.api(groupPath(groupname)), 200, withRole.body);
    const list = await t.api("/api/broker/groups");
    assert.deepEqual(
      list.body.groups.find((g: { groupname: string }) => g.groupname === groupname),
      withRole.body,
    );
    assertText(
      await post(`${groupPath(groupname)}/clients`, { username: "no-client" }),
      404,
      "Broker client not found",
    );
    assertText(
      await post(`${groupPath(groupname)}/roles`, { rolename: "no-role" }),
      404,
      'Broker role "no-role" not found',
    );
    assertText(await post(`${groupPath("no-group")}/roles`, { rolename }), 404, "Broker group not found");
    assertJson(
      await t.api(`${groupPath(groupname)}/roles/${rolename}`, { method: "DELETE" }),
      200,
      group(groupname, { textname: "Floor 2", clients: [{ username }] }),
    );
    assertJson(
      await t.api(`${groupPath(groupname)}/clients/${username}`, { method: "DELETE" }),
      200,
      group(groupname, { textname: "Floor 2" }),
    );
    assertJson(
      await t.api(groupPath(groupname), { method: "PATCH", body: { roles: [{ rolename }] } }),
      200,
      group(groupname, { textname: "Floor 2", roles: [{ rolename }] }),
    );
    assertText(
      await t.api(groupPath(groupname), { method: "PATCH", body: { textname: 5 } }),
      400,
      "textname must be a string",
    );
    assertJson(await t.api(groupPath(groupname), { method: "DELETE" }), 200, { deleted: groupname });
    assertText(await t.api(groupPath(groupname)), 404, "Broker group not found");
  });

  test("anonymous group: none at first, set to an existing group, 404 for a missing one", async () => {
    assertJson(await t.api("/api/broker/anonymous-group"), 200, { groupname: null });
    const groupname = unique("anon");
    await post("/api/broker/groups", { groupname });
    const put = (name: string) => t.api("/api/broker/anonymous-group", { method: "PUT", body: { groupname: name } });
    assertJson(await put(groupname), 200, { groupname });
    assertText(await put("no-group"), 404, "Broker group not found");
    assertJson(await t.api("/api/broker/anonymous-group"), 200, { groupname });
  });

  test("default ACL access: read, change one acltype, the others stay", async () => {
    const before = await t.api("/api/broker/default-acl");
    assertJson(before, 200, {
      acls: [
        { acltype: "publishClientSend", allow: false },
        { acltype: "publishClientReceive", allow: true },
        { acltype: "subscribe", allow: false },
        { acltype: "unsubscribe", allow: true },
      ],
    });
    const put = (acls: unknown) => t.api("/api/broker/default-acl", { method: "PUT", body: { acls } });
    const changed = await put([{ acltype: "subscribe", allow: true }]);
    assertJson(changed, 200, {
      acls: before.body.acls.map((a: { acltype: string }) =>
        a.acltype === "subscribe" ? { acltype: "subscribe", allow: true } : a,
      ),
    });
    assertText(
      await put([{ acltype: "subscribeLiteral", allow: true }]),
      400,
      "acltype must be one of publishClientSend, publishClientReceive, subscribe, unsubscribe",
    );
    assertText(await put([]), 400, "acls must name at least one acltype");
    assertJson(await put([{ acltype: "subscribe", allow: false }]), 200, before.body);
    await sleep(0);
  });
});

function sortAcls(acls: { acltype: string; topic: string }[]) {
  return [...acls].sort((a, b) => `${a.acltype} ${a.topic}`.localeCompare(`${b.acltype} ${b.topic}`));
}
