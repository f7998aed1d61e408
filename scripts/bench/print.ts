import type { ClusterFigures } from "./cluster.ts";
import type { Result } from "./measure.ts";

// The bench's table on the terminal (the same figures go to bench/results/*.json).

export interface Report {
  engine: string;
  machine: { cpus: number; model?: string; memoryGiB: number };
  settings: {
    seconds: number;
    warmupSeconds: number;
    rounds: number;
    connections: number;
    seededTokens: number;
    tokensInUse: number;
  };
  ratios: Record<string, number | null>;
  lastUsedUpdates: number;
  lastUsedWrites: number;
  minutes: number;
  cluster?: ClusterFigures;
  rss: { afterWarmupMiB: number; endMiB: number; peakMiB: number; endOverWarm: number };
}

export function printReport(
  report: Report,
  selected: [string, string, ...unknown[]][],
  results: Record<string, Result>,
) {
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(
    `\nTessera bench on ${report.engine}, ${report.machine.cpus} x ${report.machine.model}, ${report.machine.memoryGiB} GiB, Node ${process.version}`,
  );
  console.log(
    `${report.settings.rounds} rounds of ${report.settings.seconds} s per scenario (median round shown), each after ${report.settings.warmupSeconds} s warm-up; ${report.settings.connections} connections, ${report.settings.seededTokens} seeded tokens, ${report.settings.tokensInUse} in use\n`,
  );
  console.log(
    `${"scenario".padEnd(48)} ${pad("req/s", 8)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} ${pad("errors", 7)} ${pad("CPU ms/req", 11)} ${pad("load CPU", 9)}`,
  );
  for (const [id, label] of selected) {
    const r = results[id]!;
    console.log(
      `${`${id}  ${label}`.padEnd(48)} ${pad(r.rps.toFixed(0), 8)} ${pad(r.p50, 7)} ${pad(r.p99, 7)} ${pad(r.errors, 7)} ${pad(r.cpuMsPerRequest!.toFixed(2), 11)} ${pad(r.loadCpuMsPerRequest!.toFixed(2), 9)}`,
    );
  }
  console.log(
    `\nratios: ${Object.entries(report.ratios)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(
    `lastUsed during the run (${report.minutes} min, ${report.settings.tokensInUse + 1} tokens used): ${report.lastUsedUpdates} UPDATE statements, ${report.lastUsedWrites} rows written`,
  );
  if (report.cluster) {
    const cluster = report.cluster;
    const { single, cluster: three } = cluster;
    console.log(
      `G  B through a round-robin proxy: one instance ${single.rps.toFixed(0)} req/s (p99 ${single.p99} ms), three instances ${three.rps.toFixed(0)} req/s (p99 ${three.p99} ms), ratio ${cluster.ratio}; server CPU ms/req ${cluster.serverCpuMsPerRequest.single} / ${cluster.serverCpuMsPerRequest.cluster}, proxy ${cluster.proxyCpuMsPerRequest.single} / ${cluster.proxyCpuMsPerRequest.cluster}; errors ${single.errors} / ${three.errors}`,
    );
    console.log(
      `G  lastUsed over the three instances in ${cluster.minutes} min: ${cluster.lastUsedUpdates} UPDATE statements, ${cluster.lastUsedWrites} rows written (${report.settings.tokensInUse} tokens in use)`,
    );
  }
  console.log(
    `server RSS: ${report.rss.afterWarmupMiB} MiB after warm-up, ${report.rss.endMiB} MiB at the end (${report.rss.endOverWarm}x), peak ${report.rss.peakMiB} MiB`,
  );
  console.log("written to bench/results/latest.json");
}
