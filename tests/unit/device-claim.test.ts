import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { inProcessDatabase } from "../helpers/in-process-database.ts";

// A device's token claim that waits for another instance's claim of the same
// device (two responders, or a device that asks twice at once) is answered
// "ask again later", never "not registered" (a SmartREST client may take 42,404
// for being deregistered and stop asking). From an independent attack on
// issue 17: the claim and the read of the wait were one statement, whose
// snapshot predated the claim it had waited for.

const database = await inProcessDatabase("claim");
process.env.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS = "10";
const { issueDeviceToken } = await import("../../lib/devices/devices.ts");

if (engine === "postgres") {
  describe("device token claims racing on PostgreSQL", () => {
    test("the claim that loses the race is told to ask again, not that the device is unknown", async () => {
      const other = new pg.Client({ connectionString: database.url });
      await other.connect();
      try {
        await other.query(`INSERT INTO devices (id, role, requested_by) VALUES ('racer', 'viewer', 'test')`);
        await other.query("BEGIN");
        await other.query(`UPDATE devices SET last_token_at = statement_timestamp() WHERE id = 'racer'`);
        const racing = issueDeviceToken("racer"); // waits for the row lock
        await new Promise((resolve) => setTimeout(resolve, 500));
        await other.query("COMMIT");
        const result = await racing;
        assert.deepEqual(result, { kind: "limited", retryAfterSeconds: 10 });
      } finally {
        await other.end();
      }
    });
  });
}

describe(`device token claims on ${engine}`, () => {
  test("an unknown device is unknown; a second claim within the interval is limited", async () => {
    assert.deepEqual(await issueDeviceToken("nobody"), { kind: "unknown" });
    const { db } = await import("../../lib/db.ts");
    await db().device.create({ data: { id: "twice", role: "viewer", requestedBy: "test" } });
    assert.equal((await issueDeviceToken("twice")).kind, "token");
    assert.deepEqual(await issueDeviceToken("twice"), { kind: "limited", retryAfterSeconds: 10 });
  });
});
