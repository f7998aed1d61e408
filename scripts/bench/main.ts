import { newSigningKey } from "../../lib/embedded/secrets.ts";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { freshPostgresDatabase } from "../../tests/helpers/database.ts";
import { nextServerPid, startServer, tempDataDir } from "../../tests/helpers/server.ts";
import { clusterScenario, type ClusterFigures } from "./cluster.ts";
import { cpuMs, load, procStatus, type Result } from "./measure.ts";
import { printReport } from "./print.ts";
import { seed } from "./seed.ts";

/**
 * npm run bench: the token path under load. Production build, started the way
 * the README starts it (tessera start), on the embedded database, or on
 * PostgreSQL when DATABASE_URL is set (in a fresh database of its own).
 * 10,000 tokens are seeded first, 1,000 of them real tokens in use: B sends
 * them round robin, C as many sessions, and while E reads the list they are
 * used in the background (lastUsed keeps being written, as in production).
 * Each scenario runs autocannon in a separate
 * process with a warm-up first; all scenarios run in one server, one after
 * another, so their ratios compare like with like.
 *
 * Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (10), BENCH_TOKENS (10000), BENCH_IN_USE (1000), BENCH_SKIP_BUILD=1 to reuse the build,
 * BENCH_ONLY=A,B to run some scenarios only, BENCH_TOKEN_ALG=EdDSA|ES256 to sign every token that way (HS256 otherwise).
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SEED = Number(process.env.BENCH_TOKENS ?? 10_000);
const IN_USE = Number(process.env.BENCH_IN_USE ?? 1_000);
/** E's background use of the IN_USE tokens, requests per second (each token every IN_USE / rate seconds). */
const BACKGROUND_RATE = 50;
/** What signs the seeded tokens and the server's new ones (the verify cost differs: README, Performance). */
const TOKEN_ALG = (process.env.BENCH_TOKEN_ALG ?? "HS256") as "HS256" | "EdDSA" | "ES256";
if (!["HS256", "EdDSA", "ES256"].includes(TOKEN_ALG)) throw new Error("BENCH_TOKEN_ALG must be HS256, EdDSA or ES256");
/** BENCH_ONLY=A,E runs just those scenarios (for a quick look; the README quotes full runs). */
const ONLY = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const ADMIN_PASSWORD = "bench-admin-password";

function log(line: string) {
  console.error(`[bench] ${line}`);
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    log("next build (BENCH_SKIP_BUILD=1 skips it)");
    const next = createRequire(import.meta.url).resolve("next/dist/bin/next");
    const build = spawnSync(process.execPath, [next, "build"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const engine = process.env.DATABASE_URL ? "postgres" : "pglite";
  const keys = `bench:${randomBytes(32).toString("base64url")}`;
  const data = tempDataDir();
  const pgdb = engine === "postgres" ? await freshPostgresDatabase("tessera_bench") : undefined;
  const serverEnv = {
    DATABASE_URL: pgdb?.url ?? "",
    TESSERA_DATA_DIR: data.dir,
    TESSERA_TOKEN_KEYS: keys,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Measure the work of rejecting a bad token, not the throttle that would soon answer 429 instead.
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
    ...(TOKEN_ALG === "HS256"
      ? {}
      : { TESSERA_TOKEN_ALG: TOKEN_ALG, TESSERA_SIGNING_KEYS: JSON.stringify([newSigningKey(TOKEN_ALG)]) }),
  };
  Object.assign(process.env, serverEnv);

  try {
    log(`seeding ${SEED} tokens into ${engine}, ${IN_USE} of them in use, and ${IN_USE} console sessions`);
    const validUntil = new Date(Date.now() + 30 * 86_400_000);
    const tokens = await seed({
      total: SEED,
      inUse: IN_USE,
      adminPassword: ADMIN_PASSWORD,
      secret: serverEnv.NEXTAUTH_SECRET,
      validUntil,
      log,
    });
    const [h, p, s] = tokens.admin.split(".");
    const forged = `${h}.${p}.${s!.slice(0, -4)}${s!.endsWith("AAAA") ? "BBBB" : "AAAA"}`;

    log("starting the server (tessera start)");
    const server = await startServer(serverEnv, 300_000);
    const serverPid = nextServerPid(server.process.pid!);
    const metrics = async () =>
      (await (
        await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${tokens.admin}` } })
      ).json()) as { lastUsedUpdates: number; lastUsedWrites: number; dbQueries: number };
    const before = await metrics();
    const startedAt = Date.now();

    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const tokenRotation = { header: "authorization", values: tokens.inUse.map((token) => `Bearer ${token}`) };
    const cookieRotation = { header: "cookie", values: tokens.cookies };
    // Scenario E's company: the IN_USE tokens in use, round robin, at BACKGROUND_RATE requests per second.
    const inUseBeside = {
      E: {
        requests: [{ method: "GET", path: "/api/me", rotate: tokenRotation }],
        connections: 2,
        rate: BACKGROUND_RATE,
      },
    } as Record<string, { requests: unknown[]; connections: number; rate: number } | undefined>;
    const results: Record<string, Result> = {};
    let rssAfterWarmup = 0;
    const scenarios: [string, string, unknown[], number[]][] = [
      ["A", "GET /api/health (public, through the middleware)", [{ method: "GET", path: "/api/health" }], [200]],
      [
        "B",
        `GET /api/me, valid app tokens (${IN_USE})`,
        [{ method: "GET", path: "/api/me", rotate: tokenRotation }],
        [200],
      ],
      [
        "C",
        `GET /api/me, session cookies (${IN_USE})`,
        [{ method: "GET", path: "/api/me", rotate: cookieRotation }],
        [200],
      ],
      [
        "D1",
        "GET /api/me, revoked token",
        [{ method: "GET", path: "/api/me", headers: bearer(tokens.revoked) }],
        [403],
      ],
      ["D2", "GET /api/me, forged token", [{ method: "GET", path: "/api/me", headers: bearer(forged) }], [403]],
      [
        "E",
        `GET /api/tokens, ${SEED + 1} tokens, ${IN_USE} in use`,
        [{ method: "GET", path: "/api/tokens", headers: bearer(tokens.admin) }],
        [200],
      ],
      [
        "F",
        "POST /api/tokens then DELETE it",
        [
          {
            method: "POST",
            path: "/api/tokens",
            headers: { ...bearer(tokens.admin), "content-type": "application/json" },
            body: JSON.stringify({ name: "bench-f", role: "viewer", validUntil: validUntil.toISOString() }),
            unique: true,
            captureHash: true,
          },
          { method: "DELETE", path: "/api/tokens/", headers: bearer(tokens.admin), useHash: true },
        ],
        [200],
      ],
    ];
    // A freshly started server is still compiling its hot paths, and its heap
    // (and PGlite's) is still growing to the size the workload needs: the
    // first scenario would pay for that. So every scenario runs unmeasured,
    // twice, at least 5 s each, and RSS "after warm-up" is taken then. What
    // grows after that, over all measured rounds, is what a leak would show.
    const selected = scenarios.filter(([id]) => ONLY.length === 0 || ONLY.includes(id));
    const warmupEach = Math.max(WARMUP, 5);
    log(`warm-up: every scenario twice for ${warmupEach} s`);
    for (let round = 0; round < 2; round++) {
      for (const [id, , requests, expect] of selected)
        await load(
          server.url,
          requests,
          expect,
          { seconds: warmupEach, warmupSeconds: 0, connections: CONNECTIONS },
          inUseBeside[id],
        );
    }
    rssAfterWarmup = procStatus(serverPid, "VmRSS");
    // Rounds: A B C ... then A B C ... again; each scenario's result is its
    // median round by req/s. A slow moment of the machine then costs one
    // round of one scenario, not a ratio.
    const rounds: Record<string, Result[]> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [id, label, requests, expect] of selected) {
        log(`round ${round}/${ROUNDS}, scenario ${id}: ${label}`);
        const cpuBefore = cpuMs(serverPid);
        const result = await load(
          server.url,
          requests,
          expect,
          { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS },
          inUseBeside[id],
        );
        // The load process's own warm-up runs inside this window too, so CPU is divided by all requests it made.
        result.cpuMsPerRequest = (cpuMs(serverPid) - cpuBefore) / (result.requests * (1 + WARMUP / SECONDS));
        (rounds[id] ??= []).push(result);
      }
    }
    for (const [id] of selected) {
      const sorted = [...rounds[id]!].sort((a, b) => a.rps - b.rps);
      const cpu = rounds[id]!.map((r) => r.cpuMsPerRequest!).sort((a, b) => a - b);
      results[id] = {
        ...sorted[Math.floor(sorted.length / 2)]!,
        roundsRps: rounds[id]!.map((r) => Math.round(r.rps)),
        cpuMsPerRequest: Number(cpu[Math.floor(cpu.length / 2)]!.toFixed(2)),
      };
    }
    // A ratio compares scenarios of the same round (close in time), and the median round's ratio is reported.
    const ratio = (id: string) => {
      if (!rounds[id] || !rounds.A) return null;
      const perRound = rounds[id].map((r, i) => r.rps / rounds.A![i]!.rps).sort((a, b) => a - b);
      return Number(perRound[Math.floor(perRound.length / 2)]!.toFixed(2));
    };
    const after = await metrics();
    const rssEnd = procStatus(serverPid, "VmRSS");
    const rssPeak = procStatus(serverPid, "VmHWM");
    // G: scenario B through a proxy to one instance and to three (PostgreSQL: one database for all three).
    let cluster: ClusterFigures | undefined;
    if (engine === "postgres" && (ONLY.length === 0 || ONLY.includes("G"))) {
      cluster = await clusterScenario({
        first: server,
        serverEnv,
        requests: [{ method: "GET", path: "/api/me", rotate: tokenRotation }],
        timing: { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS },
        rounds: ROUNDS,
        metrics: async (url) =>
          (await (await fetch(`${url}/api/metrics`, { headers: bearer(tokens.admin) })).json()) as {
            lastUsedUpdates: number;
            lastUsedWrites: number;
          },
        log,
      });
    }
    await server.stop();

    const cpu = os.cpus();
    const report = {
      date: new Date().toISOString(),
      engine,
      machine: {
        cpus: cpu.length,
        model: cpu[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.type()} ${os.release()}`,
      },
      settings: {
        seconds: SECONDS,
        warmupSeconds: WARMUP,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        seededTokens: SEED,
        tokenAlg: TOKEN_ALG,
        tokensInUse: IN_USE,
        backgroundRateDuringE: BACKGROUND_RATE,
      },
      scenarios: Object.fromEntries(selected.map(([id, label]) => [id, { label, ...results[id] }])),
      ratios: { "B/A": ratio("B"), "C/A": ratio("C"), "D1/A": ratio("D1"), "D2/A": ratio("D2") },
      cluster,
      lastUsedUpdates: after.lastUsedUpdates - before.lastUsedUpdates,
      lastUsedWrites: after.lastUsedWrites - before.lastUsedWrites,
      minutes: Number(((Date.now() - startedAt) / 60_000).toFixed(1)),
      rss: {
        afterWarmupMiB: Math.round(rssAfterWarmup / 2 ** 20),
        endMiB: Math.round(rssEnd / 2 ** 20),
        peakMiB: Math.round(rssPeak / 2 ** 20),
        endOverWarm: Number((rssEnd / rssAfterWarmup).toFixed(2)),
      },
    };
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/latest.json", JSON.stringify(report, null, 2) + "\n");
    const suffix = TOKEN_ALG === "HS256" ? "" : `-${TOKEN_ALG.toLowerCase()}`;
    writeFileSync(`bench/results/latest-${engine}${suffix}.json`, JSON.stringify(report, null, 2) + "\n");

    printReport(report, selected, results);
  } finally {
    await pgdb?.drop();
    data.remove();
  }
}

await main();
process.exit(0);
