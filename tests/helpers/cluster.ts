import http from "node:http";
import pg from "pg";
import { engine } from "./database.ts";
import { startProxy, type ClusterProxy } from "./cluster-proxy.ts";
import { createInstance, type Instance } from "./instance.ts";
import { childPids, nextServerPid, startServer, type RunningServer } from "./server.ts";
import { sleep } from "./wait.ts";

// The cluster harness (npm run test:cluster): N `tessera start` instances on
// one fresh PostgreSQL database behind a round-robin proxy
// (tests/helpers/cluster-proxy.ts), as the README's scale-out path runs them:
// one public URL (the proxy's, in NEXTAUTH_URL and TESSERA_PUBLIC_URL), the
// same secrets everywhere, TESSERA_TRUST_PROXY=true. Teardown stops every
// process it started, and SIGKILLs any that outlive a SIGTERM.

type EnvVars = Record<string, string | undefined>;

export interface Cluster {
  /** The proxy's URL: requests go round-robin over the instances. */
  url: string;
  proxy: ClusterProxy;
  /** The instances in proxy order; servers[i].url reaches instance i directly. */
  servers: RunningServer[];
  /** A token of the admin role, minted with the CLI before the instances started. */
  adminToken: string;
  /** The env every instance runs with (DATABASE_URL, secrets, the public URL). */
  env: EnvVars;
  /** One query on the cluster's database, on a connection of its own. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Starts the cluster: `size` instances (in parallel after the first, which migrates) with extra env. */
export async function startCluster(size: number, extra: EnvVars = {}): Promise<Cluster> {
  if (engine !== "postgres") {
    throw new Error("the cluster harness needs PostgreSQL: run it with DATABASE_URL set (npm run test:cluster)");
  }
  const upstreams: string[] = [];
  const proxy = await startProxy(upstreams);
  const servers: RunningServer[] = [];
  let first: Instance | undefined;
  const close = async () => {
    await Promise.all(servers.map(stopForSure));
    await first?.close(); // its server is stopped by now: this drops the database
    await proxy.close();
  };
  try {
    first = await createInstance({
      TESSERA_TRUST_PROXY: "true",
      NEXTAUTH_URL: proxy.url,
      TESSERA_PUBLIC_URL: proxy.url,
      ...extra,
    });
    servers.push(first.server);
    const rest = await Promise.allSettled(Array.from({ length: size - 1 }, () => startServer(first!.env)));
    for (const result of rest) if (result.status === "fulfilled") servers.push(result.value);
    const failed = rest.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    upstreams.push(...servers.map((server) => server.url));
  } catch (error) {
    await close();
    throw error;
  }

  const env = first.env;
  return {
    url: proxy.url,
    proxy,
    servers,
    adminToken: first.adminToken,
    env,
    async query(sql, params) {
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    close,
  };
}

/** Kills an instance's server process (the child `tessera start` supervises) with SIGKILL, as a crash would. */
export function killServerProcess(server: RunningServer): number {
  const pid = nextServerPid(server.process.pid!);
  process.kill(pid, "SIGKILL");
  return pid;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function killSurvivors(pids: number[]) {
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** SIGTERM (the server drains for at most 10 s), then SIGKILL for whatever of it is still there after 15 s. */
async function stopForSure(server: RunningServer): Promise<void> {
  const pids = [server.process.pid!, ...childPids(server.process.pid!)];
  await Promise.race([server.stop(), sleep(15_000)]);
  killSurvivors(pids);
}

/**
 * A GET with a Bearer token from a loopback address of the caller's choice
 * (127.0.0.0/8 is all local on Linux), so the proxy sees, and appends to
 * X-Forwarded-For, a client address no other case of the file uses.
 */
export function getFrom(
  localAddress: string,
  url: string,
  token: string,
): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { localAddress, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on("end", () =>
        resolve({ status: response.statusCode!, retryAfter: response.headers["retry-after"] as string | undefined }),
      );
    });
    request.on("error", reject);
  });
}
