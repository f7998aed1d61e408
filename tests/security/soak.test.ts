// Engine-independent: the server process's memory under a minute of mixed load; the engines' own paths under concurrency are the cluster suite's (tests/cluster, PostgreSQL) and the other suites' on both.
import { after, before, test } from "node:test";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";

const report = securityReport(import.meta.filename);
const SOAK_MS = Number(process.env.TESSERA_SOAK_SECONDS ?? 60) * 1000;
/** The most tokens alive at once (created in the warm-up, then as many created as revoked). */
const POPULATION = 200;
const WARMUP_MS = Number(process.env.TESSERA_SOAK_WARMUP_SECONDS ?? 20) * 1000;
const WORKERS = 8;
/** The stated bound: RSS at the end of the soak at most this many times the RSS after warm-up. */
const RSS_BOUND = 1.5;

interface Live {
  token: string;
  hash: string;
  /** Set when a worker takes it out of the pool to DELETE it; /api/me calls already in flight may then get 403. */
  revoking: boolean;
}

let tessera: Instance;
before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
});
after(async () => {
  await tessera?.close();
});

test(`soak: ${SOAK_MS / 1000} s of mixed load, no 5xx, bounded memory`, { timeout: SOAK_MS + 120_000 }, async () => {
  const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
    call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });
  const live: Live[] = [];
  const statuses = new Map<number, number>();
  /** 403s for a token whose DELETE another worker had already sent: the revocation winning the race, as it should. */
  let refusedWhileRevoking = 0;
  /** 403s for a token nobody had revoked: a bug. */
  const wronglyRefused: string[] = [];
  let n = 0;
  let stopAt = Date.now() + WARMUP_MS;

  const step = async () => {
    const dice = Math.random();
    let status: number;
    // Creates while fewer than POPULATION tokens live, and revokes in their place after: the working set stays
    // steady, so memory that still grows is a leak, not the data the load made (an ever-longer list).
    if ((dice < 0.2 && live.length < POPULATION) || live.length < 5) {
      const response = await admin("/api/tokens", {
        method: "POST",
        body: {
          name: `soak-${process.pid}-${++n}`,
          role: "viewer",
          validUntil: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      if (response.status === 200) live.push({ token: response.body.token, hash: response.body.hash, revoking: false });
      status = response.status;
    } else if (dice >= 0.2 && dice < 0.35) {
      status = (await admin("/api/tokens")).status;
    } else if (dice < 0.9) {
      const entry = live[Math.floor(Math.random() * live.length)]!;
      const response = await call(`${tessera.url}/api/me`, { token: entry.token });
      status = response.status;
      if (status === 403) {
        if (entry.revoking) {
          refusedWhileRevoking++;
          return;
        }
        wronglyRefused.push(`${entry.hash.slice(0, 12)}: ${JSON.stringify(response.body)}`);
      }
    } else {
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      victim.revoking = true;
      status = (await admin(`/api/tokens/${victim.hash}`, { method: "DELETE" })).status;
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };
  const run = () =>
    Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (Date.now() < stopAt) await step();
      }),
    );

  await run();
  const warm = (await admin("/api/metrics")).body.rssBytes as number;
  statuses.clear();
  refusedWhileRevoking = 0;
  stopAt = Date.now() + SOAK_MS;
  await run();
  const end = (await admin("/api/metrics")).body.rssBytes as number;

  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const fiveXX = [...statuses.entries()].filter(([s]) => s >= 500).reduce((a, [, c]) => a + c, 0);
  const unexpected = [...statuses.keys()].filter((s) => ![200].includes(s));
  report.note(
    "Soak",
    `${SOAK_MS / 1000} s of mixed load, ${WORKERS} workers: 5xx answers`,
    "0",
    `${fiveXX} of ${total} requests (besides ${refusedWhileRevoking} x 403 for a token whose DELETE was in flight, as it should be)`,
    fiveXX === 0,
  );
  report.check("Soak", "a live token refused", "none", wronglyRefused.length ? wronglyRefused.join("; ") : "none");
  report.check(
    "Soak",
    "answers other than 200 (a 403 for a token whose revocation was in flight is right, and not counted)",
    "none",
    unexpected.length ? unexpected.map((s) => `${s} x ${statuses.get(s)}`).join(", ") : "none",
  );
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  report.note(
    "Soak",
    `server RSS after the soak vs after ${WARMUP_MS / 1000} s warm-up`,
    `<= ${RSS_BOUND}x`,
    `${mb(end)} vs ${mb(warm)} (${(end / warm).toFixed(2)}x)`,
    end <= warm * RSS_BOUND,
  );
});
