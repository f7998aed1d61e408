// Engine-independent: the broker's dynamic security groups over MQTT; the database only authenticates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertJson, assertText, startBrokerApi, unique, type BrokerApi } from "./helpers/broker-api.ts";

// The broker's dynamic security groups, anonymous group and default ACL
// access over REST, against a real Mosquitto 2.0.11.

let t: BrokerApi;
before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
});
after(async () => {
  await t?.close();
});

const groupPath = (groupname: string) => `/api/broker/groups/${encodeURIComponent(groupname)}`;
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

  test("the anonymous group cannot be deleted (Mosquitto 2.0.11 crashes on it): 409, and the broker stays up", async () => {
    const groupname = unique("anon-del");
    await post("/api/broker/groups", { groupname });
    const put = (name: string) => t.api("/api/broker/anonymous-group", { method: "PUT", body: { groupname: name } });
    assertJson(await put(groupname), 200, { groupname });
    assertText(
      await t.api(groupPath(groupname), { method: "DELETE" }),
      409,
      "This group is the broker's anonymous group; make another group the anonymous group first",
    );
    assertJson(await t.api("/api/broker/anonymous-group"), 200, { groupname });
    assert.equal((await t.api(groupPath(groupname))).status, 200, "the group is still there");
    // Once another group is the anonymous one, it can go.
    const other = unique("anon-next");
    await post("/api/broker/groups", { groupname: other });
    assertJson(await put(other), 200, { groupname: other });
    assertJson(await t.api(groupPath(groupname), { method: "DELETE" }), 200, { deleted: groupname });
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
    const changed = await put([{ acltype: "publishClientReceive", allow: false }]);
    const receive = (allow: boolean) =>
      before.body.acls.map((a: { acltype: string }) =>
        a.acltype === "publishClientReceive" ? { acltype: "publishClientReceive", allow } : a,
      );
    assertJson(changed, 200, { acls: receive(false) });
    // Opening publishing or subscribing by default would open $CONTROL and the device token topics to every client.
    for (const acltype of ["subscribe", "publishClientSend"])
      assertText(
        await put([{ acltype, allow: true }]),
        400,
        `Allowing ${acltype} by default is refused: every client could then reach $CONTROL and the device token topics`,
      );
    assertText(
      await put([{ acltype: "subscribeLiteral", allow: true }]),
      400,
      "acltype must be one of publishClientSend, publishClientReceive, subscribe, unsubscribe",
    );
    assertText(await put([]), 400, "acls must name at least one acltype");
    assertJson(await t.api("/api/broker/default-acl"), 200, { acls: receive(false) });
    assertJson(await put([{ acltype: "publishClientReceive", allow: true }]), 200, before.body);
  });
});
