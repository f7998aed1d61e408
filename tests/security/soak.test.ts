import { after, before, test } from "node:test";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";

const report = securityReport(import.meta.filename);
const SOAK_MS = Number(process.env.TESSERA_SOAK_SECONDS ?? 60) * 1000;
const WARMUP_MS = Number(process.env.TESSERA_SOAK_WARMUP_SECONDS ?? 20) * 1000;
const WORKERS = 8;
/** The stated bound: RSS at the end of the soak at most this many times the RSS after warm-up. */
const RSS_BOUND = 1.5;

let tessera: Instance;
before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
});
after(async () => {
  await tessera?.close();
});

test(`soak: ${SOAK_MS / 1000} s of mixed load, no 5xx, bounded memory`, { timeout: SOAK_MS + 120_000 }, async () => {
  const admin = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });
  const live: { token: string; hash: string }[] = [];
  const statuses = new Map<number, number>();
  let n = 0;
  let stopAt = Date.now() + WARMUP_MS;

  const step = async () => {
    const dice = Math.random();
    let status: number;
    if (dice < 0.2 || live.length < 5) {
      const response = await admin("/api/tokens", { method: "POST", body: { name: `soak-${process.pid}-${++n}`, role: "viewer", validUntil: new Date(Date.now() + 3_600_000).toISOString() } });
      if (response.status === 200) live.push(response.body);
      status = response.status;
    } else if (dice < 0.35) {
      status = (await admin("/api/tokens")).status;
    } else if (dice < 0.9) {
      status = (await call(`${tessera.url}/api/me`, { token: live[Math.floor(Math.random() * live.length)]!.token })).status;
    } else {
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      status = (await admin(`/api/tokens/${victim.hash}`, { method: "DELETE" })).status;
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };
  const run = () => Promise.all(Array.from({ length: WORKERS }, async () => {
    while (Date.now() < stopAt) await step();
  }));

  await run();
  const warm = (await admin("/api/metrics")).body.rssBytes as number;
  statuses.clear();
  stopAt = Date.now() + SOAK_MS;
  await run();
  const end = (await admin("/api/metrics")).body.rssBytes as number;

  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const fiveXX = [...statuses.entries()].filter(([s]) => s >= 500).reduce((a, [, c]) => a + c, 0);
  const unexpected = [...statuses.keys()].filter((s) => ![200].includes(s));
  report.note("Soak", `${SOAK_MS / 1000} s of mixed load, ${WORKERS} workers: 5xx answers`, "0", `${fiveXX} of ${total} requests`, fiveXX === 0);
  report.check("Soak", "answers other than 200", "none", unexpected.length ? unexpected.map((s) => `${s} x ${statuses.get(s)}`).join(", ") : "none");
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  report.note("Soak", `server RSS after the soak vs after ${WARMUP_MS / 1000} s warm-up`, `<= ${RSS_BOUND}x`, `${mb(end)} vs ${mb(warm)} (${(end / warm).toFixed(2)}x)`, end <= warm * RSS_BOUND);
});
