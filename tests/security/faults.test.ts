import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { sleep, until } from "../helpers/wait.ts";

const report = securityReport(import.meta.filename);
let tessera: Instance;
let counter = 0;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
});
after(async () => {
  await tessera?.close();
});

const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });
async function mint(role = "viewer") {
  return (
    await admin("/api/tokens", {
      method: "POST",
      body: { name: `f-${++counter}-${process.pid}`, role, validUntil: inDays(1) },
    })
  ).body as { token: string; hash: string };
}

describe("faults", () => {
  test("20 concurrent creates with one name: exactly one 200, the rest 409, one row", async () => {
    const name = `race-${process.pid}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        admin("/api/tokens", { method: "POST", body: { name, role: "viewer", validUntil: inDays(1) } }),
      ),
    );
    const counts = responses.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
      {},
    );
    report.check(
      "Faults",
      "20 concurrent creates of one name",
      "1 x 200, 19 x 409",
      `${counts[200] ?? 0} x 200, ${counts[409] ?? 0} x 409`,
    );
    const rows = ((await admin("/api/tokens")).body as { name: string }[]).filter((t) => t.name === name).length;
    report.check("Faults", "rows with that name afterwards", "1", String(rows));
  });

  test("kill -9 during a load of creates and revokes: nothing acknowledged is lost, nothing revoked comes back", async () => {
    const created = new Map<string, string>(); // hash -> token, acknowledged with 200
    const revoked = new Set<string>(); // acknowledged with 200
    // DELETE sent: if the kill lands between its commit and its answer, the token is gone without an
    // acknowledgement, so after the restart either answer is right for these (and only these).
    const revoking = new Set<string>();
    let stop = false;
    const worker = async (id: number) => {
      let n = 0;
      while (!stop) {
        try {
          const name = `k${id}-${++n}-${process.pid}`;
          const response = await admin("/api/tokens", {
            method: "POST",
            body: { name, role: "viewer", validUntil: inDays(1) },
          });
          if (response.status === 200) created.set(response.body.hash, response.body.token);
          const victim = [...created.keys()].find((hash) => !revoking.has(hash) && hash.charCodeAt(0) % 2 === 0);
          if (victim) {
            revoking.add(victim);
            const gone = await admin(`/api/tokens/${victim}`, { method: "DELETE" });
            if (gone.status === 200) revoked.add(victim);
          }
        } catch {
          // the server died mid-request: not acknowledged
          await sleep(50);
        }
      }
    };
    const workers = [1, 2, 3, 4].map(worker);
    // Kill once the load is well under way: many creates and some revokes acknowledged (not after a fixed time).
    await until(() => created.size > 40 && revoked.size > 5, 15_000);
    await tessera.restart(
      {},
      async () => {
        stop = true;
        await Promise.all(workers);
      },
      "SIGKILL",
    );
    assert.ok(created.size > 10, `the load did work before the crash (${created.size} creates)`);

    const lost: string[] = [];
    let resurrected = 0;
    const cutOff = { there: 0, gone: 0, broken: 0 };
    for (const hash of created.keys()) {
      const status = (await admin(`/api/tokens/${hash}`)).status;
      if (revoked.has(hash)) resurrected += status === 404 ? 0 : 1;
      else if (revoking.has(hash)) cutOff[status === 200 ? "there" : status === 404 ? "gone" : "broken"]++;
      else if (status !== 200) lost.push(`${hash}: ${status}`);
    }
    const unacknowledged = [...revoking].filter((hash) => !revoked.has(hash)).length;
    report.note(
      "Faults",
      "kill -9 under load, restart: acknowledged creates missing",
      "0",
      `${lost.length} of ${created.size}${lost.length ? ` (${lost.join(", ")})` : ""}`,
      lost.length === 0,
    );
    const settled = cutOff.there + cutOff.gone;
    report.note(
      "Faults",
      "kill -9 under load, restart: revokes cut off before their answer, each either there or gone",
      `${unacknowledged} of ${unacknowledged}`,
      `${settled} of ${unacknowledged} (${cutOff.there} there, ${cutOff.gone} gone)`,
      settled === unacknowledged,
    );
    report.note(
      "Faults",
      "kill -9 under load, restart: acknowledged revokes that came back",
      "0",
      `${resurrected} of ${revoked.size}`,
      resurrected === 0,
    );
    const sample = [...created.entries()].find(([hash]) => revoked.has(hash));
    if (sample)
      report.check(
        "Faults",
        "a token revoked just before the crash, after restart",
        "403 Token not found or was revoked",
        outcome(await call(`${tessera.url}/api/me`, { token: sample[1] })),
      );
  });

  if (engine === "postgres") {
    test("database unreachable: 503 for every authenticated request, none passes, and service resumes", async () => {
      const { token } = await mint("admin");
      const name = new URL(tessera.env.DATABASE_URL!).pathname.slice(1);
      const root = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await root.connect();
      try {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await root.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
        const unavailable = "503 Service unavailable: the database is not answering; try again shortly";
        report.check(
          "Faults",
          "database down: valid admin token, GET /api/tokens",
          unavailable,
          outcome(await call(`${tessera.url}/api/tokens`, { token })),
        );
        report.check(
          "Faults",
          "database down: valid token, GET /api/me",
          unavailable,
          outcome(await call(`${tessera.url}/api/me`, { token })),
        );
        report.check(
          "Faults",
          "database down: POST /api/tokens",
          unavailable,
          outcome(
            await call(`${tessera.url}/api/tokens`, {
              token,
              method: "POST",
              body: { name: "x", role: "viewer", validUntil: inDays(1) },
            }),
          ),
        );
        report.check(
          "Faults",
          "database down: GET /api/health",
          '503 {"status":"unavailable","database":"unavailable","mqtt":"disabled"}',
          outcome(await call(`${tessera.url}/api/health`)),
        );
      } finally {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await root.end();
      }
      report.check(
        "Faults",
        "database back: the same request",
        "200",
        String((await call(`${tessera.url}/api/me`, { token })).status),
      );
    });

    test("the lastUsed write failing does not fail the request", async () => {
      const { token, hash } = await mint("viewer");
      const name = new URL(tessera.env.DATABASE_URL!).pathname.slice(1);
      const role = `tessera_noupdate_${process.pid}`;
      const owner = new pg.Client({ connectionString: tessera.env.DATABASE_URL });
      await owner.connect();
      try {
        await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
        await owner.query(`CREATE ROLE ${role} LOGIN`);
        await owner.query(`GRANT CONNECT ON DATABASE ${name} TO ${role}`);
        await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
        // Everything but UPDATE: the lastUsed write is the only statement that fails.
        await owner.query(`GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
        const url = new URL(tessera.env.DATABASE_URL!);
        url.username = role;
        const ownerUrl = tessera.env.DATABASE_URL;
        await tessera.restart({ DATABASE_URL: url.toString(), TESSERA_MIGRATE_ON_START: "false" });
        const response = await call(`${tessera.url}/api/me`, { token });
        report.check("Faults", "lastUsed UPDATE denied by the database: the request", "200", String(response.status));
        // The write happens off the request path: wait (up to 5 s) for its failure to be logged.
        for (let i = 0; i < 50 && !/lastUsed update failed/.test(tessera.server.output()); i++) await sleep(100);
        const row = await owner.query(`SELECT last_used FROM application_tokens WHERE hash = $1`, [hash]);
        report.check(
          "Faults",
          "lastUsed UPDATE denied: lastUsed stays empty, the failure is logged",
          "null, logged",
          `${row.rows[0].last_used}, ${/lastUsed update failed/.test(tessera.server.output()) ? "logged" : "not logged"}`,
        );
        await tessera.restart({ DATABASE_URL: ownerUrl, TESSERA_MIGRATE_ON_START: "true" });
      } finally {
        await owner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`).catch(() => {});
        await owner.query(`REVOKE ALL ON SCHEMA public FROM ${role}`).catch(() => {});
        await owner.query(`REVOKE ALL ON DATABASE ${name} FROM ${role}`).catch(() => {});
        await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
        await owner.end();
      }
    });
  }
});
