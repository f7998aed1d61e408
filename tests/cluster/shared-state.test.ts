import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { getFrom, startCluster, type Cluster } from "../helpers/cluster.ts";
import { call } from "../helpers/instance.ts";
import { signIn, signOut } from "../helpers/session.ts";
import { assertInvalidToken, inDays, uniqueName } from "../helpers/tokens.ts";
import { MAX_FAILURES } from "../../lib/users/login-throttle.ts";

// Issue 17: what one instance learns, every instance knows on its very next
// request. Three instances on one PostgreSQL behind the round-robin proxy,
// which appends the peer's address to X-Forwarded-For. The cases speak from
// 127.0.0.1, except the bad-token flood (127.0.0.2), whose count would
// otherwise include the revoked token's refusals; the sign-in case uses a
// username of its own.

const ADMIN_PASSWORD = "cluster-admin-password-0123456789";
/** The bad-token limit per address and minute (the default); the test sends three times it. */
const LIMIT = 30;
const LOCKED = /^Too many failed sign-ins; try again in \d+ minutes?$/;
const BAD_LOGIN = "Invalid username or password";
/** The bad-token flood's own client address. */
const FLOODER = "127.0.0.2";

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(3, {
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_AUTH_FAILURES_PER_MINUTE: String(LIMIT),
  });
});
after(async () => {
  await cluster?.close();
});

/** The proxy's log from index `from` on, for requests of method and path. */
const relayedSince = (from: number, method: string, path: string) =>
  cluster.proxy.stats.log.slice(from).filter((entry) => entry.method === method && entry.path === path);

describe("three instances on one database", () => {
  test("a token revoked through instance 1 is refused by instances 2 and 3 on their next request", async () => {
    const created = await call(`${cluster.url}/api/tokens`, {
      method: "POST",
      token: cluster.adminToken,
      body: { name: uniqueName("revoked"), role: "viewer", validUntil: inDays(1) },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { token, hash } = created.body as { token: string; hash: string };
    // Each instance has served the token once, so whatever it caches about it is warm.
    for (const server of cluster.servers) assert.equal((await call(`${server.url}/api/me`, { token })).status, 200);

    const revoked = await call(`${cluster.servers[0]!.url}/api/tokens/${hash}`, {
      method: "DELETE",
      token: cluster.adminToken,
    });
    assert.equal(revoked.status, 200);
    for (const server of cluster.servers.slice(1)) assertInvalidToken(await call(`${server.url}/api/me`, { token }));
    assertInvalidToken(await call(`${cluster.servers[0]!.url}/api/me`, { token }));
  });

  test("a sign-out on one instance ends the session on every instance", async () => {
    const signedIn = await signIn(cluster.url, "admin", ADMIN_PASSWORD);
    assert.ok(signedIn.cookie, `signed in through the proxy (error: ${signedIn.error})`);
    const cookie = signedIn.cookie;
    const me = (url: string) => call(`${url}/api/me`, { headers: { cookie } });
    for (const server of cluster.servers) assert.equal((await me(server.url)).status, 200, `before, at ${server.url}`);

    const out = await signOut(cluster.servers[1]!.url, cookie);
    assert.equal(out.status, 200);
    assert.ok(out.cleared, "the sign-out clears the cookie");
    for (const server of cluster.servers) assert.equal((await me(server.url)).status, 401, `after, at ${server.url}`);
  });

  test("failed sign-ins through the proxy lock the (username, address) pair after the limit in total, not per instance", async () => {
    const username = `guess-${randomBytes(4).toString("hex")}`;
    const from = cluster.proxy.stats.log.length;
    const answers: string[] = [];
    for (let i = 0; i < 3 * MAX_FAILURES; i++)
      answers.push(String((await signIn(cluster.url, username, `wrong-${i}`)).error));

    const posts = relayedSince(from, "POST", "/api/auth/callback/credentials");
    assert.deepEqual(
      [0, 1, 2].map((index) => posts.filter((post) => post.instance === index).length),
      [MAX_FAILURES, MAX_FAILURES, MAX_FAILURES],
      "the attempts were spread evenly over the three instances",
    );
    const checked = answers.filter((answer) => answer === BAD_LOGIN).length;
    const locked = answers.filter((answer) => LOCKED.test(answer)).length;
    assert.equal(
      `${checked} checked, ${locked} locked`,
      `${MAX_FAILURES} checked, ${2 * MAX_FAILURES} locked`,
      `answers in order: ${answers.join(" | ")}`,
    );
    assert.deepEqual(
      answers.slice(0, MAX_FAILURES),
      Array(MAX_FAILURES).fill(BAD_LOGIN),
      "the first ones were checked",
    );
  });

  test(`${3 * LIMIT} bad tokens from one address over three instances: 429 after ${LIMIT} in total`, async () => {
    // Well formed and signed, but not with any of the cluster's keys.
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT", kid: "k1" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "nobody", role: "admin" })).toString("base64url");
    const bad = `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
    const from = cluster.proxy.stats.log.length;
    const statuses: number[] = [];
    const retryAfter: (string | undefined)[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) {
      const answer = await getFrom(FLOODER, `${cluster.url}/api/me`, bad);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter.push(answer.retryAfter);
    }

    const relayed = relayedSince(from, "GET", "/api/me");
    assert.deepEqual(
      [0, 1, 2].map((index) => relayed.filter((entry) => entry.instance === index).length),
      [LIMIT, LIMIT, LIMIT],
      "each instance got a third of them",
    );
    const refused = statuses.filter((status) => status === 403).length;
    const throttled = statuses.filter((status) => status === 429).length;
    assert.equal(
      `${statuses.length} requests: ${refused} x 403, ${throttled} x 429`,
      `${3 * LIMIT} requests: ${LIMIT} x 403, ${2 * LIMIT} x 429`,
    );
    assert.deepEqual(statuses.slice(0, LIMIT), Array(LIMIT).fill(403), "the first ones were refused, not throttled");
    assert.ok(
      retryAfter.every((value) => Number(value) >= 1 && Number(value) <= 60),
      `Retry-After of each 429 within the minute: ${retryAfter.join(",")}`,
    );
    // The limit turns refusals into 429, it locks nobody out: a good token from that address is still served.
    assert.equal((await getFrom(FLOODER, `${cluster.url}/api/me`, cluster.adminToken)).status, 200);
  });
});
