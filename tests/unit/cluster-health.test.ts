import assert from "node:assert/strict";
import { test } from "node:test";
import { INSTANCE_STALE_MS, summariseInstances, type InstanceRow } from "../../lib/mqtt/cluster-health.ts";

// /api/health where no worker runs in-process (a Vercel function): the cluster's MQTT side as the live rows of
// mqtt_instances report it (README "Health"). tests/vercel-build.test.ts checks the same against a real worker.

const NOW = new Date("2026-12-04T10:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let next = 0;
function row(fields: Partial<InstanceRow>): InstanceRow {
  return {
    id: `i${++next}`,
    seenAt: ago(5_000),
    leader: false,
    reconciledAt: null,
    reconcileError: null,
    brokerState: "ok",
    responderState: "ok",
    ...fields,
  };
}

const NO_WORKER = {
  broker: "unavailable",
  responder: "starting",
  reconcile: { state: "pending", last_success_at: null, leader: null },
};

test("no worker seen, or only silent ones: broker unavailable, responder starting, reconcile pending, no leader", () => {
  assert.deepEqual(summariseInstances([], NOW), NO_WORKER);
  const silent = row({ seenAt: ago(INSTANCE_STALE_MS), leader: true, reconciledAt: ago(70_000) });
  assert.deepEqual(summariseInstances([silent], NOW), NO_WORKER);
});

test("one live worker that leads: its broker, responder and reconcile", () => {
  const worker = row({ id: "w1", leader: true, reconciledAt: ago(8_000) });
  assert.deepEqual(summariseInstances([worker], NOW), {
    broker: "ok",
    responder: "ok",
    reconcile: { state: "ok", last_success_at: ago(8_000).toISOString(), leader: "w1" },
  });
  assert.equal(summariseInstances([{ ...worker, reconcileError: "boom" }], NOW).reconcile.state, "failing");
  assert.equal(summariseInstances([{ ...worker, reconciledAt: null }], NOW).reconcile.state, "pending");
});

test("the broker is ok if any live worker's connection is; the responder is the best live state", () => {
  const down = row({ brokerState: "unavailable", responderState: "reconnecting" });
  const up = row({ brokerState: "ok", responderState: "ok" });
  assert.deepEqual(summariseInstances([down, up], NOW).broker, "ok");
  assert.deepEqual(summariseInstances([down, up], NOW).responder, "ok");
  assert.deepEqual(summariseInstances([down], NOW).broker, "unavailable");
  assert.equal(summariseInstances([down, row({ responderState: "starting" })], NOW).responder, "reconnecting");
  assert.equal(summariseInstances([row({ responderState: "stopped" })], NOW).responder, "stopped");
  // "off" (TESSERA_MQTT_RESPONDER=false) only when every live worker is off: one that should answer and cannot wins.
  assert.equal(summariseInstances([row({ responderState: "off" })], NOW).responder, "off");
  assert.equal(summariseInstances([row({ responderState: "off" }), down], NOW).responder, "reconnecting");
  // A silent worker's "ok" counts for nothing.
  assert.equal(summariseInstances([down, row({ seenAt: ago(61_000) })], NOW).responder, "reconnecting");
  assert.equal(summariseInstances([down, row({ seenAt: ago(61_000) })], NOW).broker, "unavailable");
});

test("a state the reader does not know (a newer worker's) counts as none; the reconcile is the newest live leader's", () => {
  assert.equal(summariseInstances([row({ responderState: "paused" })], NOW).responder, "starting");
  assert.equal(summariseInstances([row({ brokerState: "degraded" })], NOW).broker, "unavailable");
  const old = row({ id: "old", leader: true, seenAt: ago(30_000), reconcileError: "x" });
  const fresh = row({ id: "new", leader: true, seenAt: ago(1_000), reconciledAt: ago(2_000) });
  assert.equal(summariseInstances([old, fresh], NOW).reconcile.leader, "new");
  assert.equal(summariseInstances([fresh, old], NOW).reconcile.state, "ok");
});
