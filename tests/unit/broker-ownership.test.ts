import assert from "node:assert/strict";
import { test } from "node:test";
import { assertAclsAllowed, clientOwner, filtersOverlap, roleOwner } from "../../lib/broker/ownership.ts";

// The pure parts of the broker API's ownership rules (lib/broker/ownership.ts).

test("filtersOverlap: two filters overlap when one topic matches both", () => {
  const cases: [string, string, boolean][] = [
    ["tessera/dev1/s/dat", "tessera/+/s/dat", true],
    ["tessera/#", "tessera/+/s/dat", true],
    ["#", "tessera/+/s/dat", true],
    ["+/+/+/+", "tessera/+/s/dat", true],
    ["+/+/+", "tessera/+/s/dat", false],
    ["tessera/+/s", "tessera/+/s/dat", false],
    ["tessera/+/s/#", "tessera/+/s/dat", true],
    ["tessera/+/s/dat/#", "tessera/+/s/dat", true], // # matches the parent level too
    ["tessera/dev1/s/uat", "tessera/+/s/dat", false],
    ["other/+/s/dat", "tessera/+/s/dat", false],
    ["$share/g/tessera/+/s/uat", "tessera/+/s/uat", true],
    ["#", "$SYS/broker/uptime", false], // a leading wildcard matches no $ topic
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["sensors/#", "tessera/+/s/dat", false],
    // The ACL is checked against the whole shared subscription: its group level may be a wildcard too.
    ["$share/#", "tessera/+/s/dat", true],
    ["$share/+/#", "tessera/+/s/dat", true],
    ["$share/+/tessera/+/s/dat", "tessera/+/s/dat", true],
    ["$share/+/sensors/#", "tessera/+/s/dat", false],
    ["$share/g", "tessera/+/s/dat", false],
  ];
  for (const [a, b, expected] of cases) {
    assert.equal(filtersOverlap(a, b), expected, `${a} x ${b}`);
    assert.equal(filtersOverlap(b, a), expected, `${b} x ${a}`);
  }
});

test("assertAclsAllowed: $CONTROL is 400, an allowing ACL on the device topics 409, the rest passes", () => {
  const context = {
    guardedTopics: [
      { topics: ["tessera/+/s/uat", "tessera/+/s/dat"], refusal: "devices" },
      { topics: ["users/#"], refusal: "credentials" },
    ],
  };
  const refuse = (acltype: string, topic: string, allow = true) => {
    try {
      assertAclsAllowed(context, [{ acltype: acltype as "subscribePattern", topic, allow }]);
      return "passed";
    } catch (error) {
      return `${(error as { code: string }).code}`;
    }
  };
  assert.equal(refuse("publishClientSend", "$CONTROL/dynamic-security/v1"), "bad_request");
  assert.equal(refuse("subscribePattern", "$CONTROL/#", false), "bad_request");
  assert.equal(refuse("subscribePattern", "#"), "conflict");
  assert.equal(refuse("subscribeLiteral", "tessera/+/s/dat"), "conflict");
  assert.equal(refuse("publishClientReceive", "tessera/dev1/s/dat"), "conflict");
  assert.equal(refuse("publishClientSend", "tessera/dev1/s/uat"), "conflict");
  assert.equal(refuse("subscribePattern", "#", false), "passed"); // a deny hands out nothing
  assert.equal(refuse("unsubscribePattern", "#"), "passed");
  assert.equal(refuse("subscribePattern", "sensors/#"), "passed");
  assert.equal(refuse("subscribePattern", "$SYS/#"), "passed");
  assert.equal(refuse("subscribePattern", "$share/#"), "conflict");
  assert.equal(refuse("subscribePattern", "users/#"), "conflict"); // the MQTT credentials' topics
  assert.equal(refuse("publishClientSend", "users/alice@example.com/x"), "conflict");
  assert.equal(refuse("subscribePattern", "users2/#"), "passed");
});

test("clientOwner and roleOwner: marks, reserved names, the admin client and its roles", () => {
  assert.equal(
    clientOwner({ username: "u", textname: "tessera mqtt credential 2026-01-01T00:00:00.000Z" }, "adm"),
    "mqtt-credentials",
  );
  assert.equal(clientOwner({ username: "d", textname: "tessera device" }, "adm"), "devices");
  assert.equal(clientOwner({ username: "tessera-responder-ab12" }, "adm"), "tessera");
  assert.equal(clientOwner({ username: "adm" }, "adm"), "tessera");
  assert.equal(clientOwner({ username: "kitchen", textname: "tessera devices" }, "adm"), null);
  assert.equal(roleOwner({ rolename: "admin" }, new Set(["admin"])), "tessera");
  assert.equal(roleOwner({ rolename: "tessera-responder" }, new Set()), "tessera");
  assert.equal(roleOwner({ rolename: "tessera-device:d1" }, new Set()), "devices");
  assert.equal(roleOwner({ rolename: "tessera:u1" }, new Set()), "mqtt-credentials");
  assert.equal(roleOwner({ rolename: "sensors" }, new Set(["admin"])), null);
});
