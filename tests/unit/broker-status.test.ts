import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCount, parseRate, parseUptime, snapshotOf } from "../../lib/broker/status.ts";

// The $SYS parsing: what Mosquitto writes becomes a number, anything else null (never NaN, never a guess).

test("counts, rates and uptime are parsed strictly", () => {
  assert.equal(parseCount("42"), 42);
  assert.equal(parseCount(" 7\n"), 7);
  for (const bad of [undefined, "", "-1", "4.2", "42abc", "1e3", "0x10", "NaN", "Infinity", "9".repeat(16)])
    assert.equal(parseCount(bad), null, String(bad));
  assert.equal(parseRate("12.34"), 12.34);
  assert.equal(parseRate("0.00"), 0);
  assert.equal(parseRate("3"), 3);
  for (const bad of [undefined, "", "-0.5", "1.", ".5", "1,5", "nan", "1e2"]) assert.equal(parseRate(bad), null);
  assert.equal(parseUptime("123 seconds"), 123);
  assert.equal(parseUptime("1 second"), 1);
  for (const bad of [undefined, "123", "seconds", "-1 seconds", "12.5 seconds"]) assert.equal(parseUptime(bad), null);
});

test("a snapshot of garbage is nulls, and per second is the 1min load over 60", () => {
  const at = new Date("2026-01-01T00:00:00.000Z");
  const values = new Map([
    ["version", "mosquitto version 2.0.11"],
    ["uptime", "lots"],
    ["clients/connected", "three"],
    ["clients/total", "5"],
    ["load/messages/received/1min", "90.00"],
    ["load/bytes/sent/1min", "garbage"],
  ]);
  const body = snapshotOf(values, at, false, new Date("2026-01-01T00:00:02.345Z"));
  assert.equal(body.connected, false);
  assert.equal(body.received_at, "2026-01-01T00:00:00.000Z");
  assert.equal(body.age_seconds, 2.3);
  assert.equal(body.version, "mosquitto version 2.0.11");
  assert.equal(body.uptime_seconds, null);
  assert.equal(body.clients.connected, null);
  assert.equal(body.clients.total, 5);
  assert.equal(body.per_second.messages_received, 1.5);
  assert.equal(body.per_second.bytes_sent, null);
  assert.equal(body.load.messages.received["1min"], 90);
  assert.equal(body.load.messages.received["5min"], null);
  assert.ok(!JSON.stringify(body).includes("NaN"));
});
