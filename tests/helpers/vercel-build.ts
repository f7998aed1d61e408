import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { baseEnv, freePort } from "./server.ts";

// Building and serving Tessera the way Vercel does (tests/vercel-build.test.ts):
// `next build` with the variables Vercel's build container sets, into a dist
// dir of its own (next.config.mjs takes TESSERA_DIST_DIR) so the normal .next
// build the other suites serve is left alone; then `next start` from it (on
// Vercel there is no `tessera start` and no custom server: the platform calls
// the route handlers itself).

const NEXT_BIN = createRequire(import.meta.url).resolve("next/dist/bin/next");

type EnvVars = Record<string, string | undefined>;

/** What Vercel's build and functions see (docs: "System environment variables"); VERCEL=1 is what Tessera reads. */
export const VERCEL_ENV: EnvVars = {
  VERCEL: "1",
  VERCEL_ENV: "production",
  VERCEL_URL: "tessera-test-abc123.vercel.app",
  VERCEL_PROJECT_PRODUCTION_URL: "tessera-test.vercel.app",
  VERCEL_TARGET_ENV: "production",
  VERCEL_REGION: "iad1",
  VERCEL_GIT_PROVIDER: "github",
  VERCEL_GIT_COMMIT_REF: "main",
  CI: "1",
};

/** /api/health from a Vercel function while no worker is live (README "Health"): nothing answers devices, so `degraded`. */
export const HEALTH_WITHOUT_WORKER = {
  status: "degraded",
  database: "ok",
  mqtt: {
    broker: "unavailable",
    responder: "starting",
    reconcile: { state: "pending", last_success_at: null, leader: null },
  },
};

/** vercel.json: the build command (migrations, then `next build`) and the cron. */
export const VERCEL_JSON = JSON.parse(readFileSync("vercel.json", "utf8")) as {
  buildCommand: string;
  crons: { path: string; schedule: string }[];
};

/**
 * Runs vercel.json's build command as Vercel's build step does (a shell, the project's environment variables plus
 * Vercel's); resolves with its exit code, output and duration.
 */
export function buildForVercel(
  distDir: string,
  env: EnvVars,
): Promise<{ code: number | null; output: string; seconds: number }> {
  const started = Date.now();
  // next build points tsconfig.json and next-env.d.ts at its dist dir's types; this build must leave the tree as it was.
  const kept = ["tsconfig.json", "next-env.d.ts"].map((file) => ({
    file,
    content: existsSync(file) ? readFileSync(file) : null,
  }));
  const restore = () => {
    for (const { file, content } of kept) if (content) writeFileSync(file, content);
  };
  // next build sets NODE_ENV itself.
  // The type check is left out: the suite's own build checked these same sources (next.config.mjs says why).
  const { NODE_ENV: _, ...buildEnv } = baseEnv({
    ...env,
    ...VERCEL_ENV,
    TESSERA_DIST_DIR: distDir,
    TESSERA_SKIP_TYPECHECK: "1",
  });
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", VERCEL_JSON.buildCommand], {
      env: buildEnv as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      restore();
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** npm packages Vercel would ship with a function: what its trace (.nft.json next to it) names under node_modules. */
export function tracedPackages(distDir: string, entry: string): Set<string> {
  const file = path.join(distDir, "server", `${entry}.js.nft.json`);
  const { files } = JSON.parse(readFileSync(file, "utf8")) as { files: string[] };
  const packages = new Set<string>();
  for (const traced of files) {
    const [scope, name] = traced.split("node_modules/").at(-1)!.split("/");
    if (!traced.includes("node_modules/") || !scope) continue;
    // Turbopack links externals as .next/node_modules/<name>-<hash>: the package is the name.
    packages.add((scope.startsWith("@") ? `${scope}/${name}` : scope).replace(/-[0-9a-f]{16}$/, ""));
  }
  return packages;
}

/** Every function entry of the build (app routes and pages) with a trace, as "app/api/tokens/route". */
export function functionEntries(distDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "app-paths-manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  return [...new Set(Object.values(manifest))].map((file) => file.replace(/\.js$/, "")).sort();
}

export interface NextServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `next start` from distDir with env (no Tessera supervisor in front); waits until it answers. */
export async function startNext(distDir: string, env: EnvVars, timeoutMs = 60_000): Promise<NextServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: baseEnv({ ...env, TESSERA_DIST_DIR: distDir }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: NextServer = {
    url,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      await fetch(`${url}/api/health`);
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await server.stop();
  throw new Error(`next start did not answer:\n${output}`);
}
