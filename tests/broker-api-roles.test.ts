// Engine-independent: the broker's dynamic security roles over MQTT; the database only authenticates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MqttClient } from "mqtt";
import { connectAs, nextMessage, subscribe } from "./helpers/broker.ts";
import { assertJson, assertText, startBrokerApi, unique, type BrokerApi } from "./helpers/broker-api.ts";

// The broker's dynamic security roles and their ACLs over REST, against a
// real Mosquitto 2.0.11, and an ACL change taking effect for a client that
// is already connected (Mosquitto 2.0.11's modifyRole takes acls: tested here).

let t: BrokerApi;
before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
});
after(async () => {
  await t?.close();
});

const rolePath = (rolename: string) => `/api/broker/roles/${encodeURIComponent(rolename)}`;
const acl = (acltype: string, topic: string, priority = 0, allow = true) => ({ acltype, topic, priority, allow });
const role = (rolename: string, extra: Record<string, unknown> = {}) => ({
  rolename,
  textname: null,
  textdescription: null,
  acls: [],
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
      connections.push(
        await connectAs(t.broker.url, { username, password: "password1", clientId: username, protocolVersion: 4 }),
      );
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
    // Subscribe ACLs are checked when subscribing: removing one leaves the open subscription (README, limits)...
    const subscribeAcl = new URLSearchParams({ acltype: "subscribeLiteral", topic });
    assert.equal((await t.api(`${rolePath(subscriberRole)}/acls?${subscribeAcl}`, { method: "DELETE" })).status, 200);
    message = nextMessage(subscriber, topic);
    publisher.publish(topic, "four", { qos: 1 });
    assert.equal(await message, "four");
    // ...while a publishClientReceive deny is checked per message, so it stops delivery at once.
    await post(`${rolePath(subscriberRole)}/acls`, acl("publishClientReceive", topic, 10, false));
    message = nextMessage(subscriber, topic, 1_500);
    publisher.publish(topic, "five", { qos: 1 });
    assert.equal(await message, null);
  });
});

function sortAcls(acls: { acltype: string; topic: string }[]) {
  return [...acls].sort((a, b) => `${a.acltype} ${a.topic}`.localeCompare(`${b.acltype} ${b.topic}`));
}
