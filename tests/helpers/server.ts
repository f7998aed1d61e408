import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** The pids of a process's direct children. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map(Number)
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The pid of the `next start` process a `tessera start` (pid) runs, found by its command line. */
export function nextServerPid(pid: number): number {
  for (const child of childPids(pid)) {
    try {
      const command = readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0");
      // next start renames its process "next-server (vX)".
      if (
        command[0]?.startsWith("next-server") ||
        (command.some((arg) => arg.endsWith("next")) && command.includes("start"))
      )
        return child;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no next start process under ${pid}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A data dir of its own. `migrated`: its database a copy of the run's migrated template (scripts/run-tests.mjs,
 * TESSERA_TEST_PGLITE_TEMPLATE) when there is one, which spares the instance initdb and the migrations; without
 * it (a test about the first start, or a file run by hand) the dir is empty and the first start makes everything.
 */
export function tempDataDir(options: { migrated?: boolean } = {}): { dir: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "tessera-server-"));
  const dir = path.join(root, "data");
  const template = process.env.TESSERA_TEST_PGLITE_TEMPLATE;
  if (options.migrated && template) cpSync(template, path.join(dir, "pglite"), { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends signal (SIGTERM by default) and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment a test server starts from: this process's, minus anything that would point it elsewhere. */
type EnvVars = Record<string, string | undefined>;

export function baseEnv(extra: EnvVars): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
  for (const name of ["PORT", "TESSERA_DATA_DIR", "TESSERA_TOKEN_KEYS", "NEXTAUTH_SECRET", "NODE_OPTIONS"])
    delete env[name];
  return { ...env, ...extra };
}

/**
 * Runs `tessera start` (what `npm start` runs) against the production build,
 * on a free port, and waits until it serves. Rejects with the server's output
 * if it exits first or is not up within timeoutMs. A port found free can be
 * taken by another process before the server binds it (test files run in
 * parallel): then it starts again on another free port, up to three times.
 */
export async function startServer(env: EnvVars, timeoutMs = 60_000): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(env, timeoutMs);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

async function startServerOnce(env: EnvVars, timeoutMs: number): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/tessera.mjs", "start"], {
    env: baseEnv({ ...env, PORT: String(port) }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  // "close": the process has exited and its output has all been read.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && Date.now() < deadline) {
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  if (done || Date.now() >= deadline) {
    // The server process first: killed alone, the supervisor would leave it running, holding the port and our pipes.
    for (const pid of childPids(child.pid!)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    child.kill("SIGKILL");
    throw new Error(`server did not start (${done ? "exited" : "timed out"}):\n${output}`);
  }
  return {
    url,
    process: child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      const victims = signal === "SIGKILL" ? childPids(child.pid!) : [];
      // A crash: the server process (the supervisor's child) dies first, then the supervisor, with no chance to clean up.
      for (const pid of victims) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      // Wait until the orphaned server is reaped, as a person restarting after a crash would find it.
      for (let i = 0; i < 100 && victims.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      return code;
    },
  };
}

/** A CLI command (say the long-running `tessera worker`) with its output; stop() sends SIGTERM and waits for the exit code. */
export function startCli(args: string[], env: EnvVars) {
  const child = spawn(process.execPath, ["scripts/tessera.mjs", ...args], {
    env: baseEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // "close": the process has exited and its output has all been read.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async stop(): Promise<number | null> {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Runs the CLI to completion; resolves with its exit code and output. */
export async function runCli(args: string[], env: EnvVars): Promise<{ code: number | null; output: string }> {
  const command = startCli(args, env);
  const code = await command.exited;
  return { code, output: command.output() };
}
