import { after, before, describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";
import { startServer, type RunningServer } from "../helpers/server.ts";
import { signIn } from "../helpers/session.ts";
import {
  GLOBAL_FREE_FAILURES,
  MAX_FAILURES,
  MAX_FAILURES_PER_ADDRESS,
  SLOWDOWN_STEP_MS,
} from "../../lib/users/login-throttle.ts";

// Issue 17 (shared limits): three instances on one PostgreSQL count bad
// tokens and failed sign-ins together, so the limits hold for the cluster,
// not per instance. PostgreSQL only: the embedded database is one process's
// (its throttles are covered by sign-in-throttle and input-transport-abuse).

const report = securityReport(import.meta.filename);
const LIMIT = 6;
const ADMIN_PASSWORD = "admin-password-for-shared-limits-0123";
const BAD_LOGIN = "Invalid username or password";
const LOCKED = "Too many failed sign-ins; try again in 15 minutes";

if (engine === "postgres") {
  let first: Instance;
  const others: RunningServer[] = [];
  const urls = () => [first.url, ...others.map((server) => server.url)];
  const from = (address: string) => ({ "x-forwarded-for": address });
  const tally = (answers: string[]) => {
    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    return [...counts].map(([answer, count]) => `${count} x ${answer}`).join(", ");
  };

  before(async () => {
    first = await createInstance({
      TESSERA_AUTH_FAILURES_PER_MINUTE: String(LIMIT),
      TESSERA_TRUST_PROXY: "true",
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    others.push(await startServer(first.env), await startServer(first.env));
  });
  after(async () => {
    for (const server of others) await server.stop();
    await first?.close();
  });

  describe("bad tokens, three instances on one PostgreSQL", () => {
    test("spread over the instances, the limit holds in total; a valid token from the address is still served", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3 * LIMIT; i++) {
        const url = urls()[i % 3]!;
        statuses.push(
          (await call(`${url}/api/tokens`, { token: `forged.${i}`, headers: from("203.0.113.10") })).status,
        );
      }
      report.check(
        "Shared limits",
        `${3 * LIMIT} bad tokens from one address, round robin over 3 instances (limit ${LIMIT})`,
        `${Array(LIMIT).fill(403).join(" ")} ${Array(2 * LIMIT)
          .fill(429)
          .join(" ")}`,
        statuses.join(" "),
      );
      const valid = await Promise.all(
        urls().map(
          async (url) =>
            (await call(`${url}/api/me`, { token: first.adminToken, headers: from("203.0.113.10") })).status,
        ),
      );
      report.check(
        "Shared limits",
        "a valid token from that address, on each instance",
        "200 200 200",
        valid.join(" "),
      );
    });

    test("an address over the limit costs no database query per refusal, on any instance", async () => {
      const attacker = from("203.0.113.11");
      // Over the limit, and each instance has refused once since (where it learns the address is over).
      for (let i = 0; i < LIMIT + 3; i++)
        await call(`${urls()[i % 3]}/api/tokens`, { token: `x.${i}`, headers: attacker });
      const queries: string[] = [];
      for (const url of urls()) {
        const metrics = async () =>
          ((await call(`${url}/api/metrics`, { token: first.adminToken })).body as { dbQueries: number }).dbQueries;
        await metrics();
        const before = await metrics();
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => call(`${url}/api/tokens`, { token: `y.${i}`, headers: attacker })),
        );
        const refused = answers.filter((answer) => answer.status === 429).length;
        // The only query between the two reads is the second read's own token lookup.
        queries.push(`${refused} x 429, ${(await metrics()) - before - 1} queries`);
      }
      report.check(
        "Shared limits",
        "20 more bad tokens on each instance: answers, and the database queries they cost",
        Array(3).fill("20 x 429, 0 queries").join("; "),
        queries.join("; "),
      );
    });
  });

  describe("failed sign-ins, three instances on one PostgreSQL", () => {
    const attempt = async (i: number, username: string, password: string, address: string) =>
      String((await signIn(urls()[i % 3]!, username, password, from(address))).error ?? "signed in");

    test(`wrong passwords for one username from one address lock it after ${MAX_FAILURES} in total`, async () => {
      const answers: string[] = [];
      for (let i = 0; i < 3 * MAX_FAILURES; i++) answers.push(await attempt(i, "admin", `wrong-${i}`, "198.51.100.20"));
      report.check(
        "Shared limits",
        `${3 * MAX_FAILURES} wrong passwords for admin from one address, round robin over 3 instances`,
        `${MAX_FAILURES} x ${BAD_LOGIN}, ${2 * MAX_FAILURES} x ${LOCKED}`,
        tally(answers),
      );
      const right = await Promise.all(urls().map((_, i) => attempt(i, "admin", ADMIN_PASSWORD, "198.51.100.20")));
      report.check(
        "Shared limits",
        "the right password from there, on each instance",
        tally(Array(3).fill(LOCKED)),
        tally(right),
      );
      report.check(
        "Shared limits",
        "the owner from another address",
        "signed in",
        await attempt(1, "admin", ADMIN_PASSWORD, "198.51.100.21"),
      );
    });

    test("a concurrent burst spread over the instances gets exactly the limit's password checks", async () => {
      const answers = await Promise.all(
        Array.from({ length: 3 * MAX_FAILURES }, (_, i) =>
          attempt(i, `burst-${process.pid}`, "wrong", "198.51.100.22"),
        ),
      );
      report.check(
        "Shared limits",
        `${3 * MAX_FAILURES} concurrent wrong attempts from one address over 3 instances`,
        `${MAX_FAILURES} x ${BAD_LOGIN}, ${2 * MAX_FAILURES} x ${LOCKED}`,
        tally([...answers].sort((a, b) => (a === BAD_LOGIN ? -1 : b === BAD_LOGIN ? 1 : 0))),
      );
    });

    test(`an address spraying usernames is refused after ${MAX_FAILURES_PER_ADDRESS} in total`, async () => {
      const answers: string[] = [];
      for (let i = 0; i <= MAX_FAILURES_PER_ADDRESS; i++)
        answers.push(await attempt(i, `spray-${i}`, "wrong", "198.51.100.23"));
      report.check(
        "Shared limits",
        `${MAX_FAILURES_PER_ADDRESS + 1} usernames from one address over 3 instances`,
        `${MAX_FAILURES_PER_ADDRESS} x ${BAD_LOGIN}, 1 x ${LOCKED}`,
        tally(answers),
      );
    });

    test("an address over its sign-in limit costs no database query per refusal, a new username each time", async () => {
      // From an independent attack: each such refusal counted and took back its (username, address) pair first.
      const address = "198.51.100.31";
      for (let i = 0; i < MAX_FAILURES_PER_ADDRESS + 3; i++) await attempt(i, `flood-${i}`, "wrong", address);
      const queries: string[] = [];
      for (const [index, url] of urls().entries()) {
        const metrics = async () =>
          ((await call(`${url}/api/metrics`, { token: first.adminToken })).body as { dbQueries: number }).dbQueries;
        await metrics();
        const before = await metrics();
        const answers: string[] = [];
        for (let i = 0; i < 5; i++) answers.push(await attempt(index, `fresh-${index}-${i}`, "wrong", address));
        queries.push(`${tally(answers)}, ${(await metrics()) - before - 1} queries`);
      }
      report.check(
        "Shared limits",
        "5 more sign-ins with new usernames from an address over its limit, on each instance: answers and queries",
        Array(3).fill(`5 x ${LOCKED}, 0 queries`).join("; "),
        queries.join("; "),
      );
    });

    test("a username guessed from many addresses over the instances slows down, and its owner still gets in", async () => {
      const spread = GLOBAL_FREE_FAILURES + 4;
      for (let i = 0; i < spread; i++) await attempt(i, "admin", `spray-${i}`, `192.0.2.${i + 1}`);
      const started = Date.now();
      const owner = await attempt(0, "admin", ADMIN_PASSWORD, "198.51.100.24");
      const took = Date.now() - started;
      report.check("Shared limits", `owner after ${spread} failures from ${spread} addresses`, "signed in", owner);
      const slowest = (spread - GLOBAL_FREE_FAILURES + 1) * SLOWDOWN_STEP_MS;
      report.note(
        "Shared limits",
        "the owner's sign-in was slowed down",
        `>= ${slowest} ms`,
        `${took} ms`,
        took >= slowest,
      );
    });
  });

  describe("PostgreSQL unreachable", () => {
    test("bad tokens are still refused, and throttled by each instance on its own", async () => {
      const name = new URL(first.env.DATABASE_URL!).pathname.slice(1);
      const root = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await root.connect();
      const statuses: number[] = [];
      try {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await root.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
        for (let i = 0; i <= LIMIT; i++) {
          const answer = await call(`${first.url}/api/tokens`, { token: `down.${i}`, headers: from("203.0.113.12") });
          statuses.push(answer.status);
        }
      } finally {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await root.end();
      }
      report.check(
        "Shared limits",
        `database down: ${LIMIT + 1} bad tokens from one address on one instance`,
        `${Array(LIMIT).fill(403).join(" ")} 429`,
        statuses.join(" "),
      );
    });
  });
}
