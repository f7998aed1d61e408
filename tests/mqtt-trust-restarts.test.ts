import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engine } from "./helpers/database.ts";
import { call } from "./helpers/instance.ts";
import {
  admin,
  api,
  ask,
  broker,
  brokerClients,
  credentials,
  health,
  passwords,
  refusal,
  register,
  setUpTrustFixture,
  tessera,
  tokenWithin,
} from "./helpers/mqtt-trust.ts";
import { sleep } from "./helpers/wait.ts";

// The MQTT half under operations (issue 13), against a real Mosquitto
// 2.0.11 with dynamic security: restarts against a broker in any state,
// Tessera's own broker clients changed by hand, and broker outages.

setUpTrustFixture();

describe(`MQTT you can trust across restarts and outages ${engine === "postgres" ? "(PostgreSQL)" : "(embedded)"}`, () => {
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
