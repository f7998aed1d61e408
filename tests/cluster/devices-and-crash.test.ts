import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MqttClient } from "mqtt";
import { connectAs, startBroker, subscribe, type Broker } from "../helpers/broker.ts";
import { killServerProcess, startCluster, type Cluster } from "../helpers/cluster.ts";
import { INSTANCE_HEADER, PROXY_HEADER } from "../helpers/cluster-proxy.ts";
import { call } from "../helpers/instance.ts";
import { inDays, uniqueName } from "../helpers/tokens.ts";
import { sleep, until } from "../helpers/wait.ts";

// Issue 17: three instances on one PostgreSQL and one broker behind the
// round-robin proxy. Every device request gets exactly one answer with three
// responders in the shared subscription; then one instance's server process
// is killed with SIGKILL under a mixed load, and nothing acknowledged is lost.
// The crash runs last: it leaves two instances.

let broker: Broker;
let cluster: Cluster;
const devices: MqttClient[] = [];
before(async () => {
  broker = await startBroker();
  cluster = await startCluster(3, {
    ...broker.env,
    TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "0",
    // The load uses tokens revoked under it: their refusals must not turn into 429s.
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
  });
});
after(async () => {
  for (const device of devices) device.end(true);
  await cluster?.close();
  await broker?.stop();
});

const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${cluster.url}${path}`, { token: cluster.adminToken, ...options });

describe("three instances, one broker", () => {
  test("every device token request gets exactly one answer with three responders running", async () => {
    const responders = await until(async () => {
      const states = await Promise.all(
        cluster.servers.map(async (server) => (await call(`${server.url}/api/health`)).body?.mqtt?.responder),
      );
      return states.every((state) => state === "ok") && states;
    }, 20_000);
    assert.ok(responders, "the three responders are up");

    const registered = await admin("/api/devices", { method: "POST", body: { id: "cluster-dev" } });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    // MQTT v5: each request carries its own correlation data, which the answer echoes, so every
    // answer is matched to its request (not only counted).
    const device = await connectAs(broker.url, {
      username: "cluster-dev",
      password: registered.body.mqtt.password,
      clientId: "cluster-dev",
      protocolVersion: 5,
    });
    devices.push(device);
    assert.equal(await subscribe(device, "tessera/cluster-dev/s/dat"), 1);
    const answers = new Map<string, string[]>();
    device.on("message", (_topic, payload, packet) => {
      const id = packet.properties?.correlationData?.toString() ?? "none";
      answers.set(id, [...(answers.get(id) ?? []), payload.toString()]);
    });

    const requests = 15;
    const ids = Array.from({ length: requests }, (_, i) => `request-${i}`);
    for (const id of ids) {
      device.publish("tessera/cluster-dev/s/uat", "", { qos: 1, properties: { correlationData: Buffer.from(id) } });
      await sleep(100);
    }
    const count = () => [...answers.values()].reduce((sum, lines) => sum + lines.length, 0);
    await until(() => count() >= requests, 10_000);
    await sleep(1_500); // the window in which a second answer to any request would arrive
    assert.deepEqual([...answers.keys()].sort(), [...ids].sort(), "an answer to each request, none to an unknown one");
    assert.deepEqual(
      ids.filter((id) => answers.get(id)?.length !== 1),
      [],
      "requests answered more than once (or never)",
    );
    // A token each: the interval is 0 here. (The claim is on the database's clock: on each instance's own, a
    // request stamped earlier but claimed after another instance's later one was refused 42,429 now and then.)
    const lines = ids.map((id) => answers.get(id)![0]!);
    assert.deepEqual(
      lines.filter((line) => !line.startsWith("71,eyJ")),
      [],
    );
    const listed = (await admin("/api/tokens")).body as { requestedBy: string }[];
    assert.equal(
      listed.filter((token) => token.requestedBy === "device:cluster-dev").length,
      lines.filter((line) => line.startsWith("71,")).length,
      "one token per 71 answer",
    );
  });

  test("kill -9 of one instance under creates, uses and revokes: no acknowledged write lost, the others keep answering", async (t) => {
    const WORKERS = 6;
    const victim = 1;
    const created = new Set<string>();
    /** Revokes sent: acknowledged (200) or not (their outcome is unknown to the client, so either is right). */
    const revokes = new Map<string, boolean>();
    /** Every answer: when its request was sent, which instance answered, and whether the proxy made it. */
    const answers: { sent: number; instance: number; status: number; byProxy: boolean; what: string }[] = [];
    const timed = async (what: string, request: () => ReturnType<typeof call>) => {
      const sent = Date.now();
      const answer = await request();
      const instance = Number(answer.headers.get(INSTANCE_HEADER));
      answers.push({ sent, instance, status: answer.status, byProxy: answer.headers.has(PROXY_HEADER), what });
      return answer;
    };

    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const body = { name: uniqueName(`k${n}`), role: "viewer", validUntil: inDays(1) };
        const made = await timed("create", () => admin("/api/tokens", { method: "POST", body }));
        if (made.status !== 200) continue;
        const { token, hash } = made.body as { token: string; hash: string };
        created.add(hash);
        await timed("use", () => call(`${cluster.url}/api/me`, { token }));
        if (i % 2 === 0) {
          const gone = await timed("revoke", () => admin(`/api/tokens/${hash}`, { method: "DELETE" }));
          revokes.set(hash, gone.status === 200);
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));
    await sleep(3_000);
    const killedAt = Date.now();
    killServerProcess(cluster.servers[victim]!);
    await sleep(5_000);
    stop = true;
    await load;

    const failures = answers.filter((answer) => answer.status !== 200);
    const broken = failures.filter((answer) => answer.byProxy && answer.instance === victim);
    assert.deepEqual(
      failures.filter((answer) => !broken.includes(answer)),
      [],
      "no answer but 200, except requests lost with the killed instance",
    );
    assert.ok(broken.length <= WORKERS, `lost in flight: ${broken.length}, at most one per worker (${WORKERS})`);
    assert.equal(
      cluster.proxy.stats.broken.reduce((sum, n) => sum + (n ?? 0), 0),
      broken.length,
    );

    // Requests sent after the kill: the survivors answered them, the killed instance none.
    const afterKill = answers.filter((answer) => answer.sent > killedAt && answer.status === 200);
    const byInstance = [0, 1, 2].map((index) => afterKill.filter((answer) => answer.instance === index).length);
    assert.ok(byInstance[0]! >= 20 && byInstance[2]! >= 20, `answered after the kill, per instance: ${byInstance}`);
    assert.equal(byInstance[victim], 0, `answered after the kill, per instance: ${byInstance}`);
    assert.ok((cluster.proxy.stats.refused[victim] ?? 0) > 0, "the proxy found the killed instance refusing");

    const rows = new Set(
      (await cluster.query<{ hash: string }>("SELECT hash FROM application_tokens")).map((row) => row.hash),
    );
    const acknowledged = [...revokes].filter(([, ok]) => ok).map(([hash]) => hash);
    t.diagnostic(
      `${answers.length} requests, ${created.size} creates and ${acknowledged.length} revokes acknowledged, ` +
        `${broken.length} lost in flight, answered after the kill per instance: ${byInstance}`,
    );
    const lostCreates = [...created].filter((hash) => !revokes.has(hash) && !rows.has(hash));
    const undeadRevokes = acknowledged.filter((hash) => rows.has(hash));
    assert.deepEqual(
      { lostCreates, undeadRevokes },
      { lostCreates: [], undeadRevokes: [] },
      `${created.size} creates and ${acknowledged.length} revokes acknowledged`,
    );
    assert.ok(
      created.size >= 50 && acknowledged.length >= 20,
      `load: ${created.size} created, ${acknowledged.length} revoked`,
    );
  });
});
