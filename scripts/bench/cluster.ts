import { startProxy } from "../../tests/helpers/cluster-proxy.ts";
import { nextServerPid, startServer, type RunningServer } from "../../tests/helpers/server.ts";
import { cpuMs, load, type Result } from "./measure.ts";

// The bench's cluster scenario (PostgreSQL only): scenario B through a
// round-robin proxy (tests/helpers/cluster-proxy.ts, keeping its connections
// to the instances open, as nginx would) in front of one instance, then of
// three `tessera start` instances on the same database, round for round, so
// the two compare like with like. On a 2-core machine three servers, the
// proxy, PostgreSQL and the load generator share the same two cores, so this
// shows what a second and third process cost and what the shared state
// (revocation, lastUsed, the throttles in PostgreSQL) costs, not a speed-up.

export interface ClusterFigures {
  single: Result;
  cluster: Result;
  /** Median over rounds of cluster req/s / single req/s. */
  ratio: number;
  /** All servers' CPU per request (ms), and the proxy's. */
  serverCpuMsPerRequest: { single: number; cluster: number };
  proxyCpuMsPerRequest: { single: number; cluster: number };
  /** lastUsed rows written (and UPDATEs sent) by the three instances together during the measured rounds. */
  lastUsedWrites: number;
  lastUsedUpdates: number;
  /** How long the measured rounds took. */
  minutes: number;
}

type Metrics = (url: string) => Promise<{ lastUsedUpdates: number; lastUsedWrites: number }>;

export async function clusterScenario(options: {
  first: RunningServer;
  serverEnv: Record<string, string>;
  requests: unknown[];
  timing: { seconds: number; warmupSeconds: number; connections: number };
  rounds: number;
  metrics: Metrics;
  log: (line: string) => void;
}): Promise<ClusterFigures> {
  const { first, timing, log } = options;
  log("cluster: starting two more instances on the same database");
  const others = [await startServer(options.serverEnv, 300_000), await startServer(options.serverEnv, 300_000)];
  const servers = [first, ...others];
  const pids = servers.map((server) => nextServerPid(server.process.pid!));
  const upstreams = [first.url];
  const proxy = await startProxy(upstreams, { keepAlive: true });
  const aim = (count: number) => upstreams.splice(0, upstreams.length, ...servers.slice(0, count).map((s) => s.url));
  const run = async (count: number, measure: { seconds: number; warmupSeconds: number }) => {
    aim(count);
    const serverCpu = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const proxyCpu = process.cpuUsage();
    const result = await load(proxy.url, options.requests, [200], { ...measure, connections: timing.connections });
    const requests = result.requests * (1 + measure.warmupSeconds / measure.seconds);
    const spent = process.cpuUsage(proxyCpu);
    return {
      result,
      serverCpu: (pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - serverCpu) / requests,
      proxyCpu: (spent.user + spent.system) / 1000 / requests,
    };
  };
  const sum = async () => {
    const all = await Promise.all(servers.map((server) => options.metrics(server.url)));
    return all.reduce((a, b) => ({
      lastUsedUpdates: a.lastUsedUpdates + b.lastUsedUpdates,
      lastUsedWrites: a.lastUsedWrites + b.lastUsedWrites,
    }));
  };
  try {
    // The two new instances start cold (JIT, and none of the 1,000 tokens verified yet), as the first did.
    log("cluster: warm-up, one instance then three behind the proxy, twice");
    for (const count of [1, 3, 1, 3]) await run(count, { seconds: Math.max(timing.seconds, 10), warmupSeconds: 0 });
    const single: Awaited<ReturnType<typeof run>>[] = [];
    const cluster: Awaited<ReturnType<typeof run>>[] = [];
    const before = await sum();
    const started = Date.now();
    for (let round = 1; round <= options.rounds; round++) {
      log(`cluster: round ${round}/${options.rounds}, B through the proxy to one instance, then to three`);
      single.push(await run(1, timing));
      cluster.push(await run(3, timing));
    }
    const after = await sum();
    const median = <T>(list: T[], key: (item: T) => number) =>
      [...list].sort((a, b) => key(a) - key(b))[Math.floor(list.length / 2)]!;
    const ratios = cluster.map((c, i) => c.result.rps / single[i]!.result.rps);
    const fixed = (value: number) => Number(value.toFixed(2));
    return {
      single: median(single, (r) => r.result.rps).result,
      cluster: median(cluster, (r) => r.result.rps).result,
      ratio: fixed(median(ratios, (r) => r)),
      serverCpuMsPerRequest: {
        single: fixed(median(single, (r) => r.serverCpu).serverCpu),
        cluster: fixed(median(cluster, (r) => r.serverCpu).serverCpu),
      },
      proxyCpuMsPerRequest: {
        single: fixed(median(single, (r) => r.proxyCpu).proxyCpu),
        cluster: fixed(median(cluster, (r) => r.proxyCpu).proxyCpu),
      },
      lastUsedWrites: after.lastUsedWrites - before.lastUsedWrites,
      lastUsedUpdates: after.lastUsedUpdates - before.lastUsedUpdates,
      minutes: fixed((Date.now() - started) / 60_000),
    };
  } finally {
    await proxy.close();
    await Promise.all(others.map((server) => server.stop()));
  }
}
