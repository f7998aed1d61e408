import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The bench's measuring tools: the load generator's process and the server's CPU time and memory from /proc.

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /** req/s of every round (the result is the median round). */
  roundsRps?: number[];
  /** Server CPU time (user + system) per request, in ms: steadier than req/s on a shared machine. */
  cpuMsPerRequest?: number;
  /** The load generator's CPU time per request, in ms. */
  loadCpuMsPerRequest?: number;
}

/** The server process's CPU time so far, in ms (/proc/<pid>/stat utime + stime). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, 100 per second on Linux
}

export function procStatus(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Runs one autocannon scenario in a separate process (scripts/bench/load.mjs) and resolves with its result. */
export function load(
  url: string,
  requests: unknown[],
  expect: number[],
  timing: { seconds: number; warmupSeconds: number; connections: number },
  background?: { requests: unknown[]; connections: number; rate: number },
): Promise<Result> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-bench-"));
  const file = path.join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify({ url, ...timing, requests, expect, background }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/bench/load.mjs", file], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => {
      rmSync(dir, { recursive: true, force: true });
      return code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`load generator exited ${code}`));
    });
  });
}
