import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import type { MqttClient } from "mqtt";
import { closedWithin, connectAs, nextMessage, startLocalBroker, subscribe, type Broker } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { call, type Instance } from "./helpers/instance.ts";
import { startMqttInstance } from "./helpers/mqtt.ts";
import { sleep, sleepUntil } from "./helpers/wait.ts";

// Device tokens over MQTT (the Cumulocity flow) against a real Mosquitto with
// the dynamic security plugin, and Debian's mosquitto_rr.

const run = promisify(execFile);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
let broker: Broker;
let tessera: Instance;
const configHome = mkdtempSync(path.join(os.tmpdir(), "tessera-rr-"));
const devices: Record<string, string> = {};
const clients: MqttClient[] = [];

const api = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, options);
const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  api(path, { token: tessera.adminToken, ...options });

async function register(id: string): Promise<string> {
  const response = await admin("/api/devices", { method: "POST", body: { id } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  devices[id] = response.body.mqtt.password;
  return response.body.mqtt.password;
}

async function connectDevice(id: string, protocolVersion: 4 | 5 = 4): Promise<MqttClient> {
  const client = await connectAs(broker.url, { username: id, password: devices[id]!, clientId: id, protocolVersion });
  clients.push(client);
  return client;
}

/**
 * The seed's one-liner, verbatim, for device id: its connection options come
 * from mosquitto_rr's own config file ($XDG_CONFIG_HOME/mosquitto_rr), as a
 * device would keep them.
 */
async function oneLiner(id: string): Promise<string> {
  return (await rr(id)).slice(3);
}

/** The answer line mosquitto_rr prints for device id's request (no -W: it must come back on its own; the 10 s kill fails the test). */
async function rr(id: string): Promise<string> {
  writeFileSync(
    path.join(configHome, "mosquitto_rr"),
    `-h 127.0.0.1\n-p ${broker.port}\n-u ${id}\n-P ${devices[id]}\n-i ${id}\n`,
  );
  const script = `mosquitto_rr -t tessera/${id}/s/uat -e tessera/${id}/s/dat -m ''`;
  const { stdout } = await run("bash", ["-c", script], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome },
    timeout: 10_000,
  });
  return stdout.trim();
}

before(async () => {
  ({ broker, tessera } = await startMqttInstance({ TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "2" }));
  await register("dev1");
  await register("dev2");
});

after(async () => {
  for (const client of clients) client.end(true);
  await tessera?.close();
  await broker?.stop();
  rmSync(configHome, { recursive: true, force: true });
});

describe(`device tokens over MQTT ${engine === "postgres" ? "(PostgreSQL)" : "(embedded)"}`, () => {
  test("registering a device answers its MQTT password once and its topics; only admins may", async () => {
    const response = await admin("/api/devices", { method: "POST", body: { id: "dev-shape" } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.mqtt.username, "dev-shape");
    assert.deepEqual(response.body.mqtt.client_id, "dev-shape");
    assert.match(response.body.mqtt.password, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(response.body.request_topic, "tessera/dev-shape/s/uat");
    assert.equal(response.body.response_topic, "tessera/dev-shape/s/dat");
    assert.equal(response.body.role, "viewer");
    const listed = (await admin("/api/devices")).body as Record<string, unknown>[];
    assert.ok(listed.some((device) => device.id === "dev-shape"));
    assert.ok(!JSON.stringify(listed).includes(response.body.mqtt.password), "the list holds no password");
    assert.equal((await admin("/api/devices", { method: "POST", body: { id: "dev-shape" } })).status, 409);
    assert.equal(
      (await admin("/api/devices", { method: "POST", body: { id: "bad/id" } })).body,
      "id must be 1-64 of A-Z a-z 0-9 _ . -",
    );
    // A device must not be able to take the name of Tessera's own responder clients, nor be unreachable over REST.
    const reserved = await admin("/api/devices", { method: "POST", body: { id: "tessera-responder-0123456789" } });
    assert.equal(reserved.status, 400);
    assert.equal(reserved.body, "ids starting with tessera- are reserved for Tessera's own broker clients");
    assert.equal((await admin("/api/devices", { method: "POST", body: { id: ".." } })).body, "id must not be . or ..");
    const viewer = await api("/api/tokens", {
      method: "POST",
      token: tessera.adminToken,
      body: { name: "dev-viewer", role: "viewer", validUntil: new Date(Date.now() + 86_400_000).toISOString() },
    });
    assert.equal((await api("/api/devices", { token: viewer.body.token })).status, 403);
  });

  test("the seed's mosquitto_rr one-liner receives a token that /api/me accepts", async () => {
    const token = await oneLiner("dev1");
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeJwt(token);
    assert.equal(claims.sub, "dev1");
    assert.equal(claims.role, "viewer");
    assert.equal(
      claims.iss,
      "tessera",
      "iss is the stable TESSERA_ISSUER (TESSERA_PUBLIC_URL when set), never the port the server listens on",
    );
    assert.equal(claims.exp! - claims.iat!, 3600);

    const me = await api("/api/me", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(me.body.device, "dev1");
    assert.equal(me.body.role, "viewer");
    assert.equal(me.body.hash, sha256(token));
    const listed = (await admin("/api/tokens")).body as { hash: string; requestedBy: string; name: string }[];
    const row = listed.find((item) => item.hash === sha256(token));
    assert.equal(row?.requestedBy, "device:dev1", "listed as a device token");
    assert.match(row!.name, /^dev:dev1:[0-9a-f]{8}$/);

    // Introspected by another service (issue 18): a device token, its device as sub; a device token cannot rotate.
    const introspected = await admin("/api/tokens/introspect", { method: "POST", body: { token } });
    assert.deepEqual(introspected.body, {
      active: true,
      role: "viewer",
      exp: claims.exp,
      iat: claims.iat,
      iss: "tessera",
      sub: "dev1",
      name: row!.name,
      hash: sha256(token),
      token_type: "device",
    });
    const selfRotate = await api("/api/tokens/self/rotate", { method: "POST", token });
    assert.equal(selfRotate.status, 400);
    assert.match(String(selfRotate.body), /Device tokens are not rotated/);

    // The same one-liner again within the interval: an error line at once, so it returns (it has no -W).
    const started = Date.now();
    const limited = await rr("dev1");
    assert.ok(Date.now() - started < 1_000, `answered within 1 s (${Date.now() - started} ms)`);
    assert.match(limited, /^42,429,Too many token requests: ask again in [12] s$/);
  });

  test("a device can neither read another device's answers nor ask in its name", async () => {
    const one = await connectDevice("dev1");
    const two = await connectDevice("dev2");
    assert.equal(await subscribe(one, "tessera/dev2/s/dat"), 128, "another device's response topic");
    assert.equal(await subscribe(one, "tessera/+/s/dat"), 128, "every device's response topic");
    assert.equal(await subscribe(two, "tessera/dev2/s/dat"), 1);
    const before = ((await admin("/api/devices")).body as { id: string; last_token_at: string | null }[]).find(
      (d) => d.id === "dev2",
    )!.last_token_at;
    const stolen = nextMessage(two, "tessera/dev2/s/dat", 1_500);
    one.publish("tessera/dev2/s/uat", "", { qos: 1 });
    assert.equal(await stolen, null, "a publish on another device's request topic is dropped by the broker");
    const after = ((await admin("/api/devices")).body as { id: string; last_token_at: string | null }[]).find(
      (d) => d.id === "dev2",
    )!.last_token_at;
    assert.equal(after, before, "no token was issued for dev2");
    await assert.rejects(
      connectAs(broker.url, { username: "dev1", password: devices.dev1!, clientId: "not-dev1" }),
      "the password works only with the device's own client id",
    );
  });

  test("an MQTT v3.1.1 client without a response topic gets the answer on its default response topic", async () => {
    const two = await connectDevice("dev2", 4);
    assert.equal(await subscribe(two, "tessera/dev2/s/dat"), 1);
    const answer = nextMessage(two, "tessera/dev2/s/dat", 5_000);
    two.publish("tessera/dev2/s/uat", "", { qos: 1 });
    const message = await answer;
    assert.ok(message?.startsWith("71,"), String(message));
    const token = message!.slice(3);
    assert.equal(decodeJwt(token).sub, "dev2");
    assert.equal((await api("/api/me", { headers: { authorization: `Bearer ${token}` } })).body.device, "dev2");

    // A flood within the interval gets one error line per request at once (never silence), and the log says so once.
    const floodAnswers: string[] = [];
    const collect = (topic: string, payload: Buffer) =>
      topic === "tessera/dev2/s/dat" && floodAnswers.push(payload.toString());
    two.on("message", collect);
    const started = Date.now();
    for (let i = 0; i < 5; i++) two.publish("tessera/dev2/s/uat", "", { qos: 1 });
    for (let i = 0; i < 20 && floodAnswers.length < 5; i++) await sleep(50);
    assert.ok(Date.now() - started < 1_000, `answered within 1 s (${Date.now() - started} ms)`);
    two.off("message", collect);
    assert.equal(floodAnswers.length, 5, "one answer per request");
    assert.ok(
      floodAnswers.every((line) => line.startsWith("42,429,")),
      floodAnswers.join(" | "),
    );
    const lines = tessera.server
      .output()
      .split("\n")
      .filter((line) => line.includes("device dev2 asks for tokens faster"));
    assert.equal(lines.length, 1, "logged once");
    // The interval runs from the last token issued (the device's last_token_at), not from the refused requests.
    const issuedAt = ((await admin("/api/devices")).body as { id: string; last_token_at: string }[]).find(
      (d) => d.id === "dev2",
    )!.last_token_at;
    await sleepUntil(Date.parse(issuedAt) + 2_000 + 300);
    const later = nextMessage(two, "tessera/dev2/s/dat", 5_000);
    two.publish("tessera/dev2/s/uat", "", { qos: 1 });
    assert.ok((await later)?.startsWith("71,"), "answered again after the interval");
  });

  test("the responder survives a broker restart; a revoked device token is refused on the next REST call", async () => {
    await broker.restart();
    let token = "";
    for (let attempt = 0; attempt < 10 && !token; attempt++) {
      token = await oneLiner("dev1").catch(() => "");
      if (!token) await sleep(1_000);
    }
    assert.match(token, /^eyJ/, "answered after the broker came back");
    assert.equal((await api("/api/me", { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await admin(`/api/tokens/${sha256(token)}`, { method: "DELETE" })).status, 200);
    const refused = await api("/api/me", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, "Token not found or was revoked");
  });

  test("removing a device drops its connection and revokes every token it was issued", async () => {
    await register("dev3");
    const token = await oneLiner("dev3");
    assert.equal((await api("/api/me", { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const client = await connectDevice("dev3");
    const closed = closedWithin(client, 3_000);
    assert.deepEqual((await admin("/api/devices/dev3", { method: "DELETE" })).body, { id: "dev3", removed: true });
    assert.ok(await closed, "the broker dropped the device");
    assert.equal((await api("/api/me", { headers: { authorization: `Bearer ${token}` } })).status, 403);
    await assert.rejects(connectAs(broker.url, { username: "dev3", password: devices.dev3!, clientId: "dev3" }));
    assert.equal((await admin("/api/devices/dev3", { method: "DELETE" })).status, 404);
  });

  test("the seed's one-liner character for character, on a device-side broker bridged by `tessera devices bridge-config`", async () => {
    await register("dev-bridge");
    // The CLI needs no database, so it runs beside the embedded server.
    const printed = await tessera.cli(["devices", "bridge-config", "dev-bridge", "--password", devices["dev-bridge"]!]);
    assert.equal(printed.code, 0, printed.output);
    const snippet = printed.output;
    assert.match(snippet, new RegExp(`^address 127\\.0\\.0\\.1:${broker.port}$`, "m"));
    assert.match(snippet, /^remote_clientid dev-bridge$/m);
    assert.match(snippet, /^topic "" out 1 c8y\/s\/uat tessera\/dev-bridge\/s\/uat$/m);
    assert.match(snippet, /^topic "" in 1 c8y\/s\/dat tessera\/dev-bridge\/s\/dat$/m);
    const placeholder = await tessera.cli(["devices", "bridge-config", "dev-bridge"]);
    assert.match(
      placeholder.output,
      /^remote_password <the device's MQTT password, shown once when it was registered>$/m,
    );
    assert.ok(!placeholder.output.includes(devices["dev-bridge"]!), "no password unless given");
    // Generated passwords are base64url: one in 64 starts with "-", and it is passed as printed.
    const dashed = await tessera.cli(["devices", "bridge-config", "dev-bridge", "--password", "-Ab3_x"]);
    assert.match(dashed.output, /^remote_password -Ab3_x$/m, dashed.output);
    const rest = await admin("/api/devices/dev-bridge/bridge-config");
    assert.equal(rest.status, 200);
    assert.equal(rest.body, placeholder.output);
    assert.equal((await admin("/api/devices/nope/bridge-config")).status, 404);

    // The device's own broker: a local listener for its programs, plus the printed snippet.
    const local = await startLocalBroker(snippet);
    const home = mkdtempSync(path.join(os.tmpdir(), "tessera-device-"));
    try {
      // mosquitto_rr's own config file holds where the local broker is, as on a device; the command line is the seed's.
      mkdirSync(path.join(home, ".config"), { recursive: true });
      writeFileSync(path.join(home, ".config", "mosquitto_rr"), `-h 127.0.0.1\n-p ${local.port}\n`);
      const script = [
        `export C8Y_URL="${tessera.url}"`,
        "export C8Y_TOKEN=$(mosquitto_rr -t c8y/s/uat -e c8y/s/dat -m '' | cut -d, -f2-)",
        'curl -s -H "Authorization: Bearer $C8Y_TOKEN" \\\n    -H "Accept: application/json" \\\n    "$C8Y_URL/api/me"',
      ].join("\n");
      const deviceEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home };
      delete deviceEnv.XDG_CONFIG_HOME;
      let answer = "";
      // The bridge connects on its own schedule: the first request may come before it is up.
      for (let attempt = 0; attempt < 10 && !answer.startsWith("{"); attempt++) {
        answer = (await run("bash", ["-c", script], { env: deviceEnv, timeout: 5_000 }).catch(() => ({ stdout: "" })))
          .stdout;
        if (!answer.startsWith("{")) await sleep(500);
      }
      const me = JSON.parse(answer);
      assert.equal(me.device, "dev-bridge");
      assert.equal(me.role, "viewer");
    } finally {
      await local.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("device tokens survive a restart on another port: the issuer does not depend on it", async () => {
    await register("dev-port");
    const token = await oneLiner("dev-port");
    const before = tessera.url;
    await tessera.restart();
    assert.notEqual(tessera.url, before, "the server listens on another port now");
    const me = await api("/api/me", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200, String(me.body));
    assert.equal(me.body.device, "dev-port");
  });
});
