import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { healthAnswer } from "../lib/openapi/answers.ts";
import { connectAs, nextMessage, startBroker, subscribe, type Broker } from "./helpers/broker.ts";
import { engine, freshPostgresDatabase } from "./helpers/database.ts";
import { call, signingKey } from "./helpers/instance.ts";
import { runCli, startCli } from "./helpers/server.ts";
import { until } from "./helpers/wait.ts";
import {
  buildForVercel,
  functionEntries,
  HEALTH_WITHOUT_WORKER,
  startNext,
  tracedPackages,
  VERCEL_JSON,
  type NextServer,
} from "./helpers/vercel-build.ts";

// Tessera built and served the way Vercel does it (README, Deploying):
// vercel.json's build command (migrations, then `next build` with VERCEL=1 and
// Vercel's variables) into a dist dir of its own; the function bundles (the
// .nft.json traces Vercel packages per function, plus instrumentation's,
// which goes into every function) free of PGlite and mqtt.js; the middleware
// an edge function; and `next start` from that build, with VERCEL=1 on a fresh
// PostgreSQL database, serving the token path while `tessera worker` runs as a
// process of its own and the web side starts nothing long-lived. PostgreSQL
// only: on Vercel the embedded database refuses to start.

/**
 * Functions that talk to the broker themselves (dynamic security commands, $SYS, MQTT credentials, devices, the
 * cron's reconcile), so mqtt.js is in their bundle by nature; README "Deploying" lists them too. Every other
 * function, the token path and /api/health (which reads the workers' rows on Vercel) first, must not carry it.
 */
const TALKS_TO_BROKER = [
  /^app\/api\/broker\//,
  /^app\/api\/mqtt\//,
  /^app\/api\/devices(\/|$)/,
  /^app\/v2\/tokens\//,
  /^app\/api\/cron\/sweep\//,
  /^app\/\(console\)\/broker\//,
  /^app\/\(console\)\/tokens\/(mqtt|devices)\//,
];
const TOKEN_PATH = [
  "app/api/tokens/route",
  "app/api/tokens/[hash]/route",
  "app/api/me/route",
  "app/(console)/tokens/(app-tokens)/page",
  "app/(console)/account/page",
  "app/(console)/api-docs/page",
  "app/(auth)/login/page",
];
const PGLITE = ["@electric-sql/pglite", "pglite-prisma-adapter"];
const MQTT = ["mqtt", "mqtt-packet"];

if (engine === "postgres") {
  const distDir = ".next-vercel";
  const cronSecret = randomBytes(24).toString("base64url");
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let broker: Broker;
  let settings: Record<string, string>;
  let build: Awaited<ReturnType<typeof buildForVercel>>;
  let web: NextServer;
  let worker: ReturnType<typeof startCli>;
  let adminToken = "";

  before(
    async () => {
      database = await freshPostgresDatabase("tessera_vercel");
      broker = await startBroker();
      // What a Vercel project's settings hold (README, Deploying); the build sees them too.
      settings = {
        DATABASE_URL: database.url,
        TESSERA_TOKEN_KEYS: signingKey("k1"),
        NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
        TESSERA_TRUST_PROXY: "true",
        CRON_SECRET: cronSecret,
        TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS: "0",
        ...broker.env,
      };
      build = await buildForVercel(distDir, settings);
      console.log(`vercel build (migrations and next build): ${build.seconds.toFixed(0)} s`);
      assert.equal(build.code, 0, build.output);
      const minted = await runCli(
        [
          "tokens",
          "create",
          "--name",
          "vercel-admin",
          "--role",
          "admin",
          "--valid-until",
          new Date(Date.now() + 86_400_000).toISOString(),
        ],
        settings,
      );
      assert.equal(minted.code, 0, minted.output);
      adminToken = minted.output.split("\n").find((line) => line.startsWith("eyJ"))!;
      web = await startNext(distDir, { ...settings, VERCEL: "1", VERCEL_ENV: "production" });
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await worker?.stop();
    await web?.stop();
    await broker?.stop();
    await database?.drop();
    rmSync(distDir, { recursive: true, force: true });
  });

  describe("the Vercel build", () => {
    test("vercel.json migrates, then builds; its cron calls the sweep route", () => {
      assert.match(VERCEL_JSON.buildCommand, /npm run db:migrate && npm run build/);
      assert.match(build.output, /Applied \d+ migration\(s\) to PostgreSQL \(DATABASE_URL\)/);
      assert.deepEqual(
        VERCEL_JSON.crons.map((cron) => cron.path),
        ["/api/cron/sweep"],
      );
    });

    test("no function bundle carries PGlite; only those that talk to the broker carry mqtt.js", () => {
      const instrumentation = tracedPackages(distDir, "instrumentation");
      // Vercel puts instrumentation's files into every function, so they count for each.
      for (const name of [...PGLITE, ...MQTT]) assert.ok(!instrumentation.has(name), `instrumentation carries ${name}`);
      const entries = functionEntries(distDir);
      for (const entry of [...TOKEN_PATH, "app/api/health/route"])
        assert.ok(entries.includes(entry), `${entry} is a function of the build`);
      const carriers: string[] = [];
      for (const entry of entries) {
        const packages = tracedPackages(distDir, entry);
        for (const name of PGLITE) assert.ok(!packages.has(name), `${entry} carries ${name}`);
        if (MQTT.some((name) => packages.has(name))) carriers.push(entry);
      }
      for (const entry of carriers) {
        assert.ok(!TOKEN_PATH.includes(entry), `${entry} (the token path) carries mqtt.js`);
        assert.ok(
          TALKS_TO_BROKER.some((pattern) => pattern.test(entry)),
          `${entry} carries mqtt.js but does not talk to the broker`,
        );
      }
      assert.ok(carriers.length > 0, "the broker's routes do carry mqtt.js (the check can see it)");
      console.log(`${entries.length} functions; ${carriers.length} carry mqtt.js: ${carriers.join(" ")}`);
    });

    test("the middleware is an edge function", () => {
      const read = (file: string) => JSON.parse(readFileSync(path.join(distDir, "server", file), "utf8"));
      const middleware = read("middleware-manifest.json").middleware["/"];
      assert.ok(middleware, "the middleware is in the edge manifest");
      assert.ok(
        middleware.files.every((file: string) => file.startsWith("server/edge/")),
        middleware.files.join(" "),
      );
      assert.equal(read("functions-config-manifest.json").functions["/_middleware"], undefined, "not a Node function");
    });
  });

  describe("served from the Vercel build, before any worker has run", () => {
    test("/api/health: degraded, as no worker has been seen (the function reports the workers' rows, not itself)", async () => {
      const health = await call(`${web.url}/api/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, HEALTH_WITHOUT_WORKER);
      healthAnswer.parse(health.body);
    });
  });

  describe("served from the Vercel build, with `tessera worker` elsewhere", () => {
    before(async () => {
      worker = startCli(["worker"], settings);
      const answering = await until(() => /answering device token requests/.test(worker.output()), 30_000, 100);
      assert.ok(answering, `the worker did not start answering:\n${worker.output()}`);
    });

    test("the token path: GET /api/tokens and /api/me with a token made by the CLI", async () => {
      const list = await call(`${web.url}/api/tokens`, { token: adminToken });
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.map((token: { name: string }) => token.name),
        ["vercel-admin"],
      );
      const me = await call(`${web.url}/api/me`, { token: adminToken });
      assert.equal(me.status, 200);
      assert.equal(me.body.name, "vercel-admin");
      assert.equal(me.body.role, "admin");
    });

    test("the web side started nothing long-lived: one instance in mqtt_instances, the worker's", async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const rows = (await client.query("SELECT id, leader FROM mqtt_instances")).rows;
        assert.equal(rows.length, 1, JSON.stringify(rows));
        assert.match(worker.output(), new RegExp(`instance ${rows[0].id} leads`));
      } finally {
        await client.end();
      }
      assert.doesNotMatch(web.output(), /mqtt|responder|leads the cluster/i);
    });

    test("/api/health reports the worker's broker connection, responder and reconcile from mqtt_instances: ok", async () => {
      // The worker writes its row when its responder has subscribed, and every 10 s; the leader's reconcile may still run.
      const health = await until(
        async () => {
          const answer = await call(`${web.url}/api/health`);
          return answer.body.status === "ok" && answer.body.mqtt.reconcile.state === "ok" ? answer : null;
        },
        15_000,
        200,
      );
      const last = health ?? (await call(`${web.url}/api/health`));
      const workerId = /instance (\w+) leads/.exec(worker.output())?.[1];
      assert.ok(workerId, worker.output());
      assert.equal(last.status, 200);
      assert.equal(last.body.status, "ok", JSON.stringify(last.body));
      assert.deepEqual(
        { ...last.body.mqtt, reconcile: { ...last.body.mqtt.reconcile, last_success_at: null } },
        { broker: "ok", responder: "ok", reconcile: { state: "ok", last_success_at: null, leader: workerId } },
      );
      assert.ok(Date.parse(last.body.mqtt.reconcile.last_success_at) <= Date.now());
      healthAnswer.parse(last.body);
    });

    test("a device's token request over MQTT is answered by the worker; the token works on the web side", async () => {
      const registered = await call(`${web.url}/api/devices`, {
        method: "POST",
        token: adminToken,
        body: { id: "vercel-dev1" },
      });
      assert.equal(registered.status, 200, JSON.stringify(registered.body));
      const device = await until(
        () =>
          connectAs(broker.url, {
            username: "vercel-dev1",
            password: registered.body.mqtt.password,
            clientId: "vercel-dev1",
            protocolVersion: 4,
          }).catch(() => null),
        10_000,
        200,
      );
      assert.ok(device, "the device connects (the web side put its client on the broker)");
      try {
        assert.equal(await subscribe(device, "tessera/vercel-dev1/s/dat"), 1);
        const answer = nextMessage(device, "tessera/vercel-dev1/s/dat", 10_000);
        device.publish("tessera/vercel-dev1/s/uat", "");
        const line = (await answer) ?? "";
        assert.match(line, /^71,eyJ/);
        const me = await call(`${web.url}/api/me`, { token: line.slice(3) });
        assert.equal(me.status, 200);
        assert.equal(me.body.device, "vercel-dev1");
      } finally {
        device.end(true);
      }
    });

    test("the cron route: Bearer CRON_SECRET only; it sweeps only while no worker leads", async () => {
      const cron = (secret?: string) =>
        call(`${web.url}/api/cron/sweep`, secret ? { headers: { authorization: `Bearer ${secret}` } } : {});
      const none = await cron();
      assert.equal(none.status, 401);
      assert.equal((await cron(`${cronSecret}x`)).status, 401);
      assert.equal((await cron(adminToken)).status, 401, "an admin token is not the cron's secret");
      const whileWorkerLeads = await cron(cronSecret);
      assert.equal(whileWorkerLeads.status, 200);
      assert.equal(whileWorkerLeads.body.ran, false);
      assert.equal(await worker.stop(), 0, worker.output());
      const swept = await until(
        async () => {
          const answer = await cron(cronSecret);
          return answer.body.ran === true ? answer : null;
        },
        15_000,
        500,
      );
      assert.ok(swept, "the cron sweeps once the worker is gone");
      assert.equal(swept.status, 200);
      assert.equal(typeof swept.body.reconcile.created, "number");
    });

    test("/api/health once the worker is gone (its row removed at its stop): degraded again", async () => {
      assert.equal(await worker.stop(), 0, worker.output());
      const health = await call(`${web.url}/api/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, HEALTH_WITHOUT_WORKER);
    });
  });
}
