#!/usr/bin/env node
// The test command. `npm test` = build + node:test suites + Playwright e2e on
// the embedded database; `npm run test:pg` = the node:test suites against
// DATABASE_URL; `npm run test:cluster` = the cluster harness (tests/cluster:
// three instances on one PostgreSQL behind a round-robin proxy). Ends with one
// line "N passed, N failed" and exits non-zero if anything failed or a runner
// broke without reporting.
//
//   node scripts/run-tests.mjs all|node|unit|security|e2e|pg|cluster [--no-build]
//
// "unit" runs tests/unit alone: no build, no server, files in parallel (the
// fast loop; seconds). The other modes include it.
//
// The security suite (tests/security) is part of "all", "node" and "pg";
// "security" runs it alone. After it runs, docs/security.md is rewritten
// from its results.
//
// tests/cluster runs only in "cluster" (PostgreSQL only): each file starts
// three servers, which the other modes' two-files-at-a-time budget is not
// measured for.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const [mode = "all", ...flags] = process.argv.slice(2);
const modes = {
  all: ["node", "e2e"],
  node: ["node"],
  unit: ["node"],
  security: ["node"],
  e2e: ["e2e"],
  pg: ["node"],
  cluster: ["node"],
};
if (!modes[mode]) {
  console.error(`usage: run-tests.mjs ${Object.keys(modes).join("|")} [--no-build]`);
  process.exit(2);
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
if (mode === "pg" || mode === "cluster") {
  if (!env.DATABASE_URL) {
    console.error(
      mode === "pg"
        ? "npm run test:pg needs DATABASE_URL (a PostgreSQL database the suite may create schemas and databases in)."
        : "npm run test:cluster needs DATABASE_URL (a PostgreSQL database it may create databases in): several instances share one PostgreSQL; the embedded database is one process's.",
    );
    process.exit(2);
  }
} else {
  delete env.DATABASE_URL; // npm test is the embedded default, whatever the shell says
}

/** Runs a command, echoing its output; resolves with exit code and the output text. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("exit", (code, signal) => resolve({ code: code ?? 128, signal, output }));
  });
}

// Every node:test file owns what it runs against: its own servers on free ports (tests/helpers/server.ts starts
// again on another if one is taken meanwhile), its own data dir (in pg mode its own database, made fresh by
// tests/helpers/instance.ts), its own broker and temporary files; so files run CONCURRENCY at a time. Measured
// on this 2-core machine (6 server files, 35 cases, each twice): 1 at a time 183 s and 172 s, 2 at a time
// 194 s and 106 s, 3 at a time 178 s and 118 s (other jobs shared the cores); 2 is chosen. The assertions that
// bound a time (throttle slowdowns, soak memory, "answered within 1 s") held at 2 and 3, so no file has to run
// alone; ALONE is where one would go. TESSERA_TEST_CONCURRENCY overrides it (1: the old serial run).
const CONCURRENCY = Math.max(1, Number(process.env.TESSERA_TEST_CONCURRENCY) || 2);
const UNIT_CONCURRENCY = Math.max(2, os.availableParallelism());
/**
 * Cluster files run one at a time: each starts three servers, and two files side by side (six servers starting
 * on 2 cores) had a server miss startServer's 60 s start timeout.
 */
const concurrencyOf = (mode) => (mode === "unit" ? UNIT_CONCURRENCY : mode === "cluster" ? 1 : CONCURRENCY);
/**
 * Files that must run alone, after the others, one at a time: cli-bundle damages the CLI bundle every command
 * of the run shares (its opening comment says why).
 */
const ALONE = new Set(["tests/cli-bundle.test.ts"]);

const totals = { passed: 0, failed: 0 };
const problems = [];

async function build() {
  console.log("\n== next build");
  const result = await run(process.execPath, [require.resolve("next/dist/bin/next"), "build"]);
  if (result.code !== 0) problems.push("next build failed");
  // A build that warns still succeeds; but its warnings have meant Node-only code traced into the edge bundles
  // (instrumentation.ts's imports outside its NEXT_RUNTIME guard), so CI counts them as a failure.
  const warned = /Turbopack build encountered \d+ warnings?/.exec(result.output);
  if (warned) problems.push(`next build: ${warned[0]} (see its output above)`);
  return result.code === 0;
}

async function nodeSuites() {
  mkdirSync("test-results", { recursive: true });
  const roots = { security: "tests/security", unit: "tests/unit", cluster: "tests/cluster" };
  const root = roots[mode] ?? "tests";
  const securityRun = mode !== "unit" && mode !== "cluster";
  // Forget this engine's earlier security results; keep the other engine's, so docs/security.md shows both.
  const engine = mode === "pg" ? "postgres" : "pglite";
  if (securityRun && existsSync("test-results/security")) {
    for (const file of readdirSync("test-results/security"))
      if (file.startsWith(`${engine}-`)) rmSync(path.join("test-results/security", file));
  }
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".test.ts"))
    .sort()
    .map((file) => path.join(root, file))
    .filter((file) => mode === "cluster" || !file.startsWith("tests/cluster/"));
  // A file whose opening lines say "Engine-independent:" (and why) runs on the embedded database only: what it
  // tests (the broker's own protocol, HTTP method handling, the OpenAPI document, the role table) takes no path
  // that differs between PGlite and PostgreSQL, and CI's 30 minutes on 2 cores do not stretch to running it twice.
  const independent =
    mode === "pg"
      ? files.filter((file) => /^\/\/ Engine-independent:/m.test(readFileSync(file, "utf8").slice(0, 2000)))
      : [];
  if (independent.length > 0) {
    console.log(`   on the embedded database only (engine-independent): ${independent.join(", ")}`);
    files.splice(0, files.length, ...files.filter((file) => !independent.includes(file)));
  }
  console.log(
    `\n== node:test (${mode === "pg" || mode === "cluster" ? "PostgreSQL via DATABASE_URL" : "embedded PGlite"}): ${files.length} files`,
  );
  const template = ["all", "node", "security"].includes(mode) ? await migratedTemplate() : undefined;
  // Alone-files run one at a time after the others; unit files have no server and run side by side.
  const groups = [
    { files: files.filter((file) => !ALONE.has(file)), concurrency: concurrencyOf(mode) },
    { files: files.filter((file) => ALONE.has(file)), concurrency: 1 },
  ].filter((group) => group.files.length > 0);
  for (const group of groups) {
    const result = await run(process.execPath, [
      "--import",
      "./scripts/register.mjs",
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=./scripts/file-times-reporter.mjs",
      `--test-reporter-destination=test-results/file-times-${mode}${groups.length > 1 ? `-${groups.indexOf(group)}` : ""}.txt`,
      `--test-concurrency=${group.concurrency}`,
      "--test-timeout=300000",
      ...group.files,
    ]);
    const count = (name) => Number(result.output.match(new RegExp(`ℹ ${name} (\\d+)`))?.[1] ?? NaN);
    const [pass, fail, cancelled] = [count("pass"), count("fail"), count("cancelled")];
    if (Number.isNaN(pass) || Number.isNaN(fail)) {
      problems.push(`node:test exited ${result.code} without a summary`);
      continue;
    }
    totals.passed += pass;
    totals.failed += fail + (cancelled || 0);
    if (result.code !== 0 && fail + (cancelled || 0) === 0) problems.push(`node:test exited ${result.code}`);
  }
  if (template) {
    rmSync(template.root, { recursive: true, force: true });
    delete env.TESSERA_TEST_PGLITE_TEMPLATE;
  }
  if (securityRun) await run(process.execPath, ["scripts/security-report.mjs"]); // unit and cluster run no security case
}

/**
 * An embedded database with every migration applied, made once per run: test instances start from a copy of it
 * (tests/helpers/server.ts, tempDataDir) instead of each running initdb and the migrations in WASM, which cost
 * 3.7 s of CPU per instance against 0 for the copy (measured: `tessera tokens create` on a fresh data dir 7.2 s,
 * on a migrated one 3.5 s). Fresh data dirs stay fresh where a test is about the first start.
 */
async function migratedTemplate() {
  const root = mkdtempSync(path.join(os.tmpdir(), "tessera-template-"));
  const result = await run(process.execPath, ["scripts/tessera.mjs", "migrate"], {
    env: { ...env, TESSERA_DATA_DIR: path.join(root, "data"), DATABASE_URL: "" },
  });
  if (result.code !== 0) {
    problems.push("could not make the migrated template database");
    rmSync(root, { recursive: true, force: true });
    return undefined;
  }
  env.TESSERA_TEST_PGLITE_TEMPLATE = path.join(root, "data", "pglite");
  return { root };
}

async function e2e() {
  console.log("\n== Playwright e2e (production build, Chromium)");
  const report = "test-results/e2e-report.json";
  rmSync(report, { force: true });
  const result = await run(process.execPath, [require.resolve("@playwright/test/cli"), "test"]);
  if (!existsSync(report)) {
    problems.push(`playwright exited ${result.code} without a report`);
    return;
  }
  const { stats } = JSON.parse(readFileSync(report, "utf8"));
  totals.passed += stats.expected + stats.flaky;
  totals.failed += stats.unexpected;
  if (result.code !== 0 && stats.unexpected === 0) problems.push(`playwright exited ${result.code}`);
}

const started = Date.now();
const built = mode === "unit" || (flags.includes("--no-build") && existsSync(".next/BUILD_ID")) ? true : await build();
if (built) {
  for (const step of modes[mode]) await (step === "node" ? nodeSuites() : e2e());
}

mkdirSync("test-results", { recursive: true });
writeFileSync(`test-results/summary-${mode}.json`, JSON.stringify({ ...totals, problems }) + "\n");
console.log(
  `\n${mode}: ${((Date.now() - started) / 1000).toFixed(0)} s${problems.length ? `; problems: ${problems.join("; ")}` : ""}`,
);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || problems.length > 0 ? 1 : 0);
