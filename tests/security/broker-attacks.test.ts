// Engine-independent: hostile input to the broker API, refused before or by the broker; the database only authenticates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectAs } from "../helpers/broker.ts";
import { startBrokerApi, unique, type BrokerApi } from "../helpers/broker-api.ts";
import { securityReport } from "../helpers/report.ts";

// Issue 16, an independent attack on the broker API (each case failed on the
// code before its fix): an ACL of $share/# read every device's REST token; a
// role deleted while a client had it crashed Mosquitto 2.0.11 on the next
// read; a client created without a client id took over Tessera's pinned
// sessions; ACLs on the MQTT credentials' tree read users' messages; a 503
// said "nothing was changed" of a change the broker made; a PATCH dropped an
// unknown group without a word; "." and ".." made unreachable clients.

const report = securityReport(import.meta.filename);
let t: BrokerApi;
before(async () => {
  t = await startBrokerApi({ TESSERA_MQTT_TIMEOUT_SECONDS: "2" });
});
after(async () => {
  t?.broker.signal("SIGCONT");
  await t?.close();
});

const post = (path: string, body: unknown) => t.api(path, { method: "POST", body });
const DEVICE_TOPICS =
  "409 This ACL reaches the device token topics (tessera/+/s/uat, tessera/+/s/dat), which belong to devices (managed by Tessera): they carry each device's REST token; choose topics outside them";
/** Status and the whole body (full() shortens long ones). */
const full = (answer: { status: number; body: unknown }) =>
  `${answer.status} ${typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body)}`;

describe("broker API: what an editor must not reach", () => {
  test("shared-subscription ACLs whose group level is a wildcard reach the device topics: 409", async () => {
    for (const topic of ["$share/#", "$share/+/#", "$share/+/tessera/+/s/dat"]) {
      const answer = await post("/api/broker/roles", {
        rolename: unique("share"),
        acls: [{ acltype: "subscribePattern", topic }],
      });
      report.check("Broker API: guarded topics", `subscribePattern ${topic}`, DEVICE_TOPICS, full(answer));
    }
  });

  test("ACLs on the MQTT credentials' topics (users/#): 409", async () => {
    for (const topic of ["users/#", "users/alice@example.com/private", "users/+/x"]) {
      const answer = await post("/api/broker/roles", {
        rolename: unique("users"),
        acls: [{ acltype: "subscribePattern", topic }],
      });
      report.check(
        "Broker API: guarded topics",
        `subscribePattern ${topic}`,
        "409 This ACL reaches the MQTT credentials' topics (users/#), which belong to their users (managed by Tessera): each user's tree is theirs alone; choose topics outside them",
        full(answer),
      );
    }
  });

  test("a role still given to a client or a group is not deleted (Mosquitto 2.0.11 dies on it); the broker stays up", async () => {
    const [rolename, username, groupname] = [unique("inuse"), unique("holder"), unique("holders")];
    assert.equal((await post("/api/broker/roles", { rolename })).status, 200);
    assert.equal((await post("/api/broker/clients", { username, roles: [{ rolename }] })).status, 200);
    const deleteRole = () => t.api(`/api/broker/roles/${rolename}`, { method: "DELETE" });
    report.check(
      "Broker API: crashes",
      "DELETE a role a client has",
      `409 This role is still given to client "${username}"; take it from them first`,
      full(await deleteRole()),
    );
    report.check(
      "Broker API: crashes",
      "the list after it",
      "200",
      String((await t.api("/api/broker/clients")).status),
    );
    assert.equal((await post("/api/broker/groups", { groupname, roles: [{ rolename }] })).status, 200);
    await t.api(`/api/broker/clients/${username}`, { method: "PATCH", body: { roles: [] } });
    report.check(
      "Broker API: crashes",
      "DELETE a role a group has",
      `409 This role is still given to group "${groupname}"; take it from them first`,
      full(await deleteRole()),
    );
    await t.api(`/api/broker/groups/${groupname}/roles/${rolename}`, { method: "DELETE" });
    report.check("Broker API: crashes", "DELETE it once nobody has it", "200", String((await deleteRole()).status));
    report.check(
      "Broker API: crashes",
      "the broker answers after it",
      "200",
      String((await t.api(`/api/broker/groups/${groupname}`)).status),
    );
  });

  test("a client created without a client id is pinned to its username: it cannot connect as another client", async () => {
    const username = unique("kick");
    const created = await post("/api/broker/clients", { username, password: "password1" });
    report.check(
      "Broker API: session takeover",
      "clientid of a client created without one",
      username,
      String(created.body.clientid),
    );
    const responder = (await t.api("/api/broker/clients?limit=1000")).body.clients.find(
      (client: { username: string }) => client.username.startsWith("tessera-responder-"),
    );
    assert.ok(responder, "the responder's client is listed");
    const takeover = await connectAs(t.broker.url, {
      username,
      password: "password1",
      clientId: responder.username,
      protocolVersion: 4,
    }).then(
      (client) => (client.end(true), "connected"),
      (error: Error) => error.message,
    );
    report.check(
      "Broker API: session takeover",
      "connect under the responder's client id",
      "Connection refused: Not authorized",
      takeover,
    );
    const own = await connectAs(t.broker.url, {
      username,
      password: "password1",
      clientId: username,
      protocolVersion: 4,
    });
    own.end(true);
    report.check(
      "Broker API: session takeover",
      "PATCH clientid null",
      "400 clientid cannot be cleared: a client without one could connect as any other client and take its session over",
      full(await t.api(`/api/broker/clients/${username}`, { method: "PATCH", body: { clientid: null } })),
    );
  });

  test("a PATCH naming a group that does not exist is a 404 and changes nothing", async () => {
    const username = unique("pg");
    await post("/api/broker/clients", { username, password: "password1", textname: "before" });
    const answer = await t.api(`/api/broker/clients/${username}`, {
      method: "PATCH",
      body: { textname: "changed", groups: [{ groupname: "no-such-group" }] },
    });
    report.check(
      "Broker API: input",
      "PATCH with an unknown group",
      '404 Broker group "no-such-group" not found',
      full(answer),
    );
    report.check(
      "Broker API: input",
      "its textname after",
      "before",
      (await t.api(`/api/broker/clients/${username}`)).body.textname,
    );
  });

  test("a group or role listed twice is a 400 before anything reaches the broker (2.0.11 kept a freed client in the group)", async () => {
    const groupname = unique("twice");
    assert.equal((await post("/api/broker/groups", { groupname })).status, 200);
    const username = unique("d2");
    report.check(
      "Broker API: crashes",
      "create a client with a group twice",
      `400 groups has ${groupname} twice`,
      full(await post("/api/broker/clients", { username, groups: [{ groupname }, { groupname }] })),
    );
    report.check(
      "Broker API: crashes",
      "create a client with a role twice",
      "400 roles has r1 twice",
      full(await post("/api/broker/clients", { username, roles: [{ rolename: "r1" }, { rolename: "r1" }] })),
    );
    report.check(
      "Broker API: crashes",
      "the group after it",
      JSON.stringify([]),
      JSON.stringify((await t.api(`/api/broker/groups/${groupname}`)).body.clients),
    );
    report.check(
      "Broker API: crashes",
      "the client was not made",
      "404",
      String((await t.api(`/api/broker/clients/${username}`)).status),
    );
  });

  test("a client created with a group deleted meanwhile: 404, and no half-made client", async () => {
    const [kept, gone] = [unique("ga"), unique("gb")];
    for (const groupname of [kept, gone]) assert.equal((await post("/api/broker/groups", { groupname })).status, 200);
    const username = unique("race");
    const [created] = await Promise.all([
      post("/api/broker/clients", { username, groups: [{ groupname: kept }, { groupname: gone }] }),
      t.api(`/api/broker/groups/${gone}`, { method: "DELETE" }),
    ]);
    const client = await t.api(`/api/broker/clients/${username}`);
    const result =
      created.status === 200
        ? `200 ${JSON.stringify(client.body.groups.map((group: { groupname: string }) => group.groupname).sort())}`
        : `${created.status} ${client.status}`;
    // The delete came after the adds (the client keeps the group that is left), or before them (404, no client).
    const outcomes = [`200 ${JSON.stringify([kept])}`, "404 404"];
    report.note(
      "Broker API: crashes",
      "create with a group deleted at once",
      outcomes.join(" or "),
      result,
      outcomes.includes(result),
    );
    report.check(
      "Broker API: crashes",
      "the broker answers after it",
      "200",
      String((await t.api(`/api/broker/groups/${kept}`)).status),
    );
  });

  test('names "." and "..", and an ACL listed twice: 400', async () => {
    report.check(
      "Broker API: input",
      'username ".."',
      "400 username must not be . or ..",
      full(await post("/api/broker/clients", { username: ".." })),
    );
    report.check(
      "Broker API: input",
      'rolename "."',
      "400 rolename must not be . or ..",
      full(await post("/api/broker/roles", { rolename: "." })),
    );
    const acl = { acltype: "subscribeLiteral", topic: "a/b" };
    report.check(
      "Broker API: input",
      "an ACL twice in one role",
      "400 acls has subscribeLiteral a/b twice",
      full(await post("/api/broker/roles", { rolename: unique("dup"), acls: [acl, acl] })),
    );
  });

  test("a broker that takes the command and does not answer: the 503 says a change may have been made", async () => {
    const rolename = unique("ghost");
    t.broker.signal("SIGSTOP");
    let answer, read;
    try {
      [answer, read] = await Promise.all([post("/api/broker/roles", { rolename }), t.api("/api/broker/clients")]);
    } finally {
      t.broker.signal("SIGCONT");
    }
    report.check(
      "Broker API: outages",
      "POST a role while the broker is paused",
      "503 The MQTT broker did not answer in time; a change may have been made: read it back before you try again",
      full(answer),
    );
    report.check(
      "Broker API: outages",
      "GET the clients while the broker is paused",
      "503 The MQTT broker is unavailable; nothing was changed, try again later",
      full(read!),
    );
    // The broker carried it out once it ran again: reading it back is the only way to know.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await t.api(`/api/broker/roles/${rolename}`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    report.check("Broker API: outages", "the role after the broker runs again", "200", String(status));
  });
});
