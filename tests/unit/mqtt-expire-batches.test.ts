import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engine } from "../helpers/database.ts";
import { inProcessDatabase } from "../helpers/in-process-database.ts";

// The sweep's expiry (lib/mqtt/expiry.ts, expireDue): a backlog of expired
// credentials (a leader away for a while) is marked disabled in bounded
// transactions, each credential with exactly one mqtt_credentials.expired row
// by the system, and a second run finds nothing and writes nothing.

await inProcessDatabase("expire");
const { db } = await import("../../lib/db.ts");
const { expireDue } = await import("../../lib/mqtt/expiry.ts");

describe(`expiring a backlog of MQTT credentials on ${engine}`, () => {
  test("1,203 expired credentials: 1,203 rows, in batches; the live one untouched; a second run writes nothing", async () => {
    const now = new Date();
    await db().$executeRawUnsafe(
      `INSERT INTO mqtt_credentials (id, user_email, username, password_hash, requested_by, expires_at)
         SELECT gen_random_uuid(), 'backlog-' || n || '@example.com', 'backlog' || n || '@org_tessera',
                repeat('a', 64), 'test', $1::timestamptz - make_interval(secs => n)
           FROM generate_series(1, 1203) AS n`,
      now,
    );
    await db().$executeRawUnsafe(
      `INSERT INTO mqtt_credentials (id, user_email, username, password_hash, requested_by, expires_at)
         VALUES (gen_random_uuid(), 'live@example.com', 'live@org_tessera', repeat('b', 64), 'test', $1::timestamptz + interval '1 hour')`,
      now,
    );

    assert.equal(await expireDue(now), 1203);
    assert.equal(await db().mqttCredential.count({ where: { disabledAt: null } }), 1, "only the live one is left");
    const rows = await db().auditEvent.findMany({ where: { action: "mqtt_credentials.expired" } });
    assert.equal(rows.length, 1203);
    assert.equal(new Set(rows.map((row) => row.target)).size, 1203, "one row per credential");
    for (const row of rows) {
      assert.equal(row.actor, "system");
      assert.equal(row.via, "system");
      assert.match(row.target!, /^backlog\d+@org_tessera$/);
      assert.ok(!JSON.stringify(row.details).includes("aaaaaaaa"), "no password hash");
    }

    assert.equal(await expireDue(now), 0);
    assert.equal(await db().auditEvent.count({ where: { action: "mqtt_credentials.expired" } }), 1203);
  });
});
