import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { assertSecrets, EnvError, parseEnv } from "../../lib/env.ts";
import { closeDatabase } from "../../lib/db.ts";
import { PREPARE_IN_SERVER, prepareDatabase } from "../../lib/db/prepare.ts";
import { acquireDataDirLock, type DataDirLock, dataDirOf } from "../../lib/embedded/lock.ts";
import { embeddedSecrets } from "../../lib/embedded/secrets.ts";

const require = createRequire(import.meta.url);
const NEXT_BIN = require.resolve("next/dist/bin/next");
/** The server process: Next.js's custom server with Tessera's request guard in front (its opening comment says why). */
const SERVER = path.resolve(import.meta.dirname, "../server.mjs");

function log(line: string) {
  console.log(`[tessera] ${line}`);
}

function ensureBuild(childEnv: NodeJS.ProcessEnv) {
  if (existsSync(path.resolve(".next/BUILD_ID"))) return;
  log("no production build found: running `next build` (once; run `npm run build` after changing the code)");
  const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env: childEnv });
  if (build.status !== 0) throw new Error(`next build failed (exit ${build.status ?? build.signal})`);
}

/**
 * tessera start - the supervisor of one server process. In embedded mode it
 * holds the data dir lock for the server's whole life and supplies the secrets
 * from the data dir, and the server process prepares the database (migrations,
 * the first admin) before it serves; on PostgreSQL the supervisor prepares it.
 * In both modes it builds if needed and runs the server (scripts/server.mjs:
 * Next.js behind Tessera's request guard).
 */
export async function startCommand(args: string[]): Promise<number> {
  if (args.length > 0)
    throw new EnvError(`tessera start takes no arguments (got ${args.join(" ")}); set PORT to choose the port`);
  const current = parseEnv();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

  let lock: DataDirLock | undefined;
  if (current.engine === "pglite") {
    lock = acquireDataDirLock(dataDirOf(current), "tessera start");
    Object.assign(childEnv, embeddedSecrets(current, dataDirOf(current), log));
    childEnv.TESSERA_DATA_DIR = dataDirOf(current);
  }
  try {
    assertSecrets(parseEnv(childEnv));

    if (current.engine === "pglite")
      childEnv[PREPARE_IN_SERVER] = "1"; // lib/db/prepare.ts says why
    else
      try {
        await prepareDatabase(current, log);
      } finally {
        await closeDatabase();
      }
    childEnv.NEXTAUTH_URL ||= `http://localhost:${current.PORT}`;

    ensureBuild(childEnv);
  } catch (error) {
    lock?.release();
    throw error;
  }

  // TESSERA_CPU_PROFILE_DIR: the server writes a V8 CPU profile there when it stops (README, Performance).
  const profile = process.env.TESSERA_CPU_PROFILE_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TESSERA_CPU_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, SERVER], {
    stdio: "inherit",
    env: { ...childEnv, PORT: String(current.PORT) },
  });
  if (child.pid) lock?.addHolder(child.pid);
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    stopping = true;
    child.kill(signal);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, forward);

  return await new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => {
      lock?.release();
      // The server drains its connections on SIGINT/SIGTERM and then exits with
      // 128+signal; asked to stop, that is a clean stop.
      const stoppedBySignal = stopping && (signal !== null || code === 130 || code === 143 || code === 129);
      resolve(stoppedBySignal ? 0 : (code ?? 1));
    });
  });
}
