import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, createInstance, type Instance } from "./helpers/instance.ts";
import { inDays, uniqueName } from "./helpers/tokens.ts";
import { sleep, until } from "./helpers/wait.ts";
import { startReceiver, type Receiver } from "./helpers/webhook-receiver.ts";

// Issue 19: expiry notifications by webhook (Standard Webhooks), against a real server and real HTTP receivers
// whose signatures are verified by the standardwebhooks package. The receivers listen on 127.0.0.1, so this
// instance allows private addresses; the refusals without that are tests/security/webhook-ssrf.test.ts.

const POLL_SECONDS = 0.5;
let tessera: Instance;
let receiver: Receiver;
const secrets: string[] = [];

const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });

async function createEndpoint(url: string, body: Record<string, unknown> = {}) {
  const created = await admin("/api/webhooks", { method: "POST", body: { url, ...body } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  secrets.push(created.body.secret);
  return created.body as { id: string; secret: string };
}

async function createToken(validUntil: string, name = uniqueName("wh")) {
  const made = await admin("/api/tokens", { method: "POST", body: { name, role: "viewer", validUntil } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  secrets.push(made.body.token);
  return made.body as { token: string; hash: string; name: string };
}

const deliveries = async (id: string) =>
  (await admin(`/api/webhooks/${id}/deliveries`)).body.deliveries as {
    messageId: string;
    type: string;
    attempt: number;
    statusCode: number | null;
    error: string | null;
    messageStatus: string;
  }[];

before(async () => {
  receiver = await startReceiver();
  tessera = await createInstance({
    TESSERA_WEBHOOK_ALLOW_PRIVATE: "true",
    TESSERA_WEBHOOK_POLL_SECONDS: String(POLL_SECONDS),
    TESSERA_WEBHOOK_RETRY_SECONDS: "1,1,1",
  });
});
after(async () => {
  await tessera?.close();
  await receiver?.close();
});

describe("webhooks", () => {
  let main: { id: string; secret: string };

  test("an endpoint is registered with a whsec_ secret shown once, and its creation is audited", async () => {
    main = await createEndpoint(receiver.url, { description: "ops", events: ["token.revoked", "token.rotated"] });
    receiver.secret = main.secret;
    assert.match(main.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const listed = await admin("/api/webhooks");
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.map((endpoint: Record<string, unknown>) => [endpoint.id, endpoint.url, endpoint.enabled]),
      [[main.id, receiver.url, true]],
    );
    assert.ok(!JSON.stringify(listed.body).includes(main.secret), "the list shows no secret");
    assert.equal((await admin(`/api/webhooks/${main.id}`)).body.secret, undefined);
    const audit = await admin(`/api/audit?action=webhook.created`);
    assert.equal(audit.body.events.length, 1);
    assert.equal(audit.body.events[0].target, main.id);
    assert.equal(audit.body.events[0].details.origin, new URL(receiver.url).origin, "the origin, not the whole url");
  });

  test("bad bodies and ids: 400 or 404 with a sentence, nothing stored; a viewer may not", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: "ftp://example.com/x" }, "url must be an absolute http or https URL"],
      [{ url: "not a url" }, "url must be an absolute http or https URL"],
      [{ url: "http://user:pw@example.com/" }, "url must not hold a user name or password"],
      [{ url: receiver.url, events: ["token.exploded"] }, "events must each be one of"],
      [{ url: receiver.url, events: [] }, "events must name at least one event type"],
      [{ url: receiver.url, expiringDays: [0] }, "expiringDays must be whole numbers of days from 1 to 365"],
      [{ url: receiver.url, secret: "whsec_mine" }, "secret"],
      // Found by an independent attack: these were 500s (PostgreSQL refuses NUL in text).
      [{ url: receiver.url, description: "a\u0000b" }, "description must not contain control or invisible characters"],
      [{ url: `${receiver.url}/a\u0000b` }, "url must not contain control or invisible characters"],
      [{ url: receiver.url, description: "abc\u202egnp.exe" }, "description must not contain control or invisible"],
    ];
    for (const [body, sentence] of cases) {
      const answer = await admin("/api/webhooks", { method: "POST", body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.ok(String(answer.body).includes(sentence), `${JSON.stringify(body)}: ${answer.body}`);
    }
    assert.equal((await admin(`/api/webhooks/${main.id}`, { method: "PATCH", body: {} })).status, 400);
    const missing = await admin(`/api/webhooks/ep_${"0".repeat(32)}`);
    assert.deepEqual([missing.status, missing.body], [404, "Webhook endpoint not found"]);
    const malformed = await admin(`/api/webhooks/ep_x'%20OR%201=1`);
    assert.deepEqual(
      [malformed.status, malformed.body],
      [400, "Malformed webhook endpoint id: expected ep_ and 32 hexadecimal characters"],
    );
    assert.equal((await admin("/api/webhooks")).body.length, 1, "nothing stored");
    for (const [path, sentence] of [
      ["/api/audit?actor=%00", "actor must not contain NUL"],
      ["/api/audit?from=0000-01-01", "from must be an ISO 8601 date or time"],
      [`/api/tokens/${"0".repeat(64)}/usage?from=0000-01-01&to=0000-02-01`, "from must be an ISO 8601 date or time"],
    ]) {
      const answer = await admin(path!);
      assert.deepEqual(
        [answer.status, String(answer.body).includes(sentence!)],
        [400, true],
        `${path}: ${answer.body}`,
      );
    }
    const viewer = await createToken(inDays(30));
    const refused = await call(`${tessera.url}/api/webhooks`, { token: viewer.token });
    assert.equal(refused.status, 403);
  });

  test("token.revoked and token.rotated: one signed message each, verified by the standardwebhooks package", async () => {
    const revoked = await createToken(inDays(30));
    const rotated = await createToken(inDays(30));
    const before = receiver.received.length;
    assert.equal((await admin(`/api/tokens/${revoked.hash}`, { method: "DELETE" })).status, 200);
    const rotation = await admin(`/api/tokens/${rotated.hash}/rotate`, { method: "POST", body: { grace_seconds: 60 } });
    assert.equal(rotation.status, 200, JSON.stringify(rotation.body));
    const got = await until(() => receiver.received.length >= before + 2 && receiver.received.slice(before), 10_000);
    assert.ok(got, "both messages arrived");
    await sleep(POLL_SECONDS * 3 * 1000); // polls that would send a message twice
    const mine = receiver.received.slice(before);
    assert.deepEqual(
      mine.map((message) => [message.payload.type, message.payload.data.hash, message.verified]).sort(),
      [
        ["token.revoked", revoked.hash, true],
        ["token.rotated", rotated.hash, true],
      ].sort(),
    );
    assert.equal(new Set(mine.map((message) => message.id)).size, 2);
    const rotatedMessage = mine.find((message) => message.payload.type === "token.rotated")!;
    assert.equal(rotatedMessage.payload.data.replacedBy, rotation.body.hash);
    assert.match(rotatedMessage.payload.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // A wrong secret fails verification: the check above can fail.
    const forged = { ...mine[0]!, signature: mine[0]!.signature.replace(/.{4}=?$/, "AAAA") };
    const { Webhook } = await import("standardwebhooks");
    assert.throws(() =>
      new Webhook(main.secret).verify(forged.body, {
        "webhook-id": forged.id,
        "webhook-timestamp": forged.timestamp,
        "webhook-signature": forged.signature,
      }),
    );
    for (const message of mine) for (const secret of secrets) assert.ok(!message.body.includes(secret));
  });

  test("a receiver that fails twice, then succeeds: three attempts of one message with one webhook-id", async () => {
    const flaky = await startReceiver();
    try {
      const endpoint = await createEndpoint(flaky.url, { events: ["token.revoked"] });
      flaky.secret = endpoint.secret;
      let calls = 0;
      flaky.answer = () => (++calls <= 2 ? 500 : 204);
      const sent = await admin(`/api/webhooks/${endpoint.id}/test`, { method: "POST" });
      assert.equal(sent.status, 200);
      assert.ok(await until(() => flaky.received.length >= 3, 15_000), `attempts: ${flaky.received.length}`);
      await sleep(2_500); // beyond the next retry's wait: a delivered message is not sent again
      assert.equal(flaky.received.length, 3);
      assert.deepEqual(new Set(flaky.received.map((message) => message.id)), new Set([sent.body.messageId]));
      assert.ok(flaky.received.every((message) => message.verified && message.payload.type === "webhook.test"));
      const log = await until(async () => {
        const rows = await deliveries(endpoint.id);
        return rows.length === 3 && rows[0]!.messageStatus === "delivered" ? rows : null;
      }, 5_000);
      assert.ok(log, "the delivery log has three attempts");
      assert.deepEqual(
        log.map((row) => [row.attempt, row.statusCode, row.messageStatus]),
        [
          [3, 204, "delivered"],
          [2, 500, "delivered"],
          [1, 500, "delivered"],
        ],
      );
      assert.equal((await admin(`/api/webhooks/${endpoint.id}`)).body.failingSince, null, "a success ends the failing");
      assert.equal((await admin(`/api/webhooks/${endpoint.id}`, { method: "DELETE" })).status, 200);
    } finally {
      await flaky.close();
    }
  });

  test("token.expiring once per threshold, token.expired once: none repeated across a restart", async () => {
    const expiry = await startReceiver();
    try {
      const endpoint = await createEndpoint(expiry.url, { events: ["token.expiring", "token.expired"] });
      expiry.secret = endpoint.secret;
      const inThreeDays = await createToken(inDays(3));
      const inTwelveHours = await createToken(inDays(0.5));
      const inSeconds = await createToken(new Date(Date.now() + 3_000).toISOString());
      const key = (message: (typeof expiry.received)[number]) =>
        `${message.payload.type} ${message.payload.data.hash} ${message.payload.data.daysBefore ?? ""}`.trim();
      const expected = [
        `token.expiring ${inThreeDays.hash} 7`,
        `token.expiring ${inTwelveHours.hash} 1`,
        `token.expiring ${inSeconds.hash} 1`,
        `token.expired ${inSeconds.hash}`,
      ].sort();
      const mine = () =>
        expiry.received.filter((message) =>
          [inThreeDays.hash, inTwelveHours.hash, inSeconds.hash].includes(message.payload.data.hash as string),
        );
      assert.ok(await until(() => mine().length >= 4, 15_000), `got ${mine().map(key)}`);
      await tessera.restart();
      await sleep(POLL_SECONDS * 4 * 1000); // scans after the restart: none may store a threshold again
      assert.deepEqual(mine().map(key).sort(), expected);
      assert.ok(mine().every((message) => message.verified));
      assert.equal(
        mine().find((message) => message.payload.type === "token.expired")!.payload.data.name,
        inSeconds.name,
      );
    } finally {
      await expiry.close();
    }
  });

  test("an endpoint failing for TESSERA_WEBHOOK_DISABLE_AFTER_DAYS is disabled at its next failure, audited", async () => {
    const down = await startReceiver();
    try {
      down.answer = () => 503;
      const endpoint = await createEndpoint(down.url, { events: ["token.revoked", "token.rotated"] });
      down.secret = endpoint.secret;
      await admin(`/api/webhooks/${endpoint.id}/test`, { method: "POST" });
      assert.ok(await until(() => down.received.length >= 1, 10_000));
      // Five days of failing, without waiting five days: its first failure moved back. The same call (one
      // restart on the embedded database) injects the next test's failure: token.revoked messages cannot be stored.
      const [moved] = await tessera.sql(
        `UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = '${endpoint.id}' AND failing_since IS NOT NULL RETURNING id`,
        `CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$`,
        `CREATE TRIGGER fail_outbox BEFORE INSERT ON webhook_messages FOR EACH ROW WHEN (NEW.type = 'token.revoked') EXECUTE FUNCTION fail_outbox()`,
      );
      assert.deepEqual(moved, [{ id: endpoint.id }], "the first failure was recorded");
      await admin(`/api/webhooks/${endpoint.id}/test`, { method: "POST" });
      const disabled = await until(async () => {
        const answer = await admin(`/api/webhooks/${endpoint.id}`);
        return answer.body.enabled === false ? answer.body : null;
      }, 10_000);
      assert.ok(disabled, "disabled");
      assert.match(disabled.disabledReason, /failing for 5 days/);
      const audit = await admin(`/api/audit?action=webhook.disabled`);
      assert.deepEqual(
        audit.body.events.map((event: Record<string, string>) => [event.actor, event.via, event.target]),
        [["system", "system", endpoint.id]],
      );
      // The origin only: a receiver's key is often in its path (found by an independent attack: the url was here).
      assert.equal(audit.body.events[0].details.origin, new URL(down.url).origin);
      assert.ok(!JSON.stringify(audit.body.events[0]).includes(new URL(down.url).pathname));
      // Disabled: nothing more is sent; enabled again, its failure record starts over.
      const count = down.received.length;
      await admin(`/api/webhooks/${endpoint.id}/test`, { method: "POST" });
      // An event while it is disabled is stored for it all the same (found by an independent attack: it was lost).
      const rotated = await createToken(inDays(30));
      assert.equal((await admin(`/api/tokens/${rotated.hash}/rotate`, { method: "POST", body: {} })).status, 200);
      await sleep(POLL_SECONDS * 3 * 1000);
      assert.equal(down.received.length, count, "a disabled endpoint gets nothing");
      down.answer = () => 200;
      const enabled = await admin(`/api/webhooks/${endpoint.id}`, { method: "PATCH", body: { enabled: true } });
      assert.deepEqual(
        [enabled.body.enabled, enabled.body.disabledReason, enabled.body.failingSince],
        [true, null, null],
      );
      assert.ok(
        await until(() => down.received.some((message) => message.payload.data.hash === rotated.hash), 10_000),
        "what waited is sent once enabled, the rotation made while it was disabled too",
      );
    } finally {
      await down.close();
    }
  });

  test("a revoke whose outbox write fails (injected above) leaves the token, no audit row and no message", async () => {
    const token = await createToken(inDays(30));
    const revoke = await admin(`/api/tokens/${token.hash}`, { method: "DELETE" });
    assert.equal(revoke.status, 500);
    assert.equal((await admin(`/api/tokens/${token.hash}`)).status, 200, "the token is still there");
    const audit = await admin(`/api/audit?tokenHash=${token.hash}&action=token.revoked`);
    assert.deepEqual(audit.body.events, []);
    assert.ok(!receiver.received.some((message) => message.payload.data.hash === token.hash), "no message");
  });

  test("concurrent creates past the endpoint limit: exactly the limit exists (found by an independent attack)", async () => {
    const before = (await admin("/api/webhooks")).body.length as number;
    const answers = await Promise.all(
      Array.from({ length: 50 - before + 10 }, (_, i) =>
        admin("/api/webhooks", {
          method: "POST",
          body: { url: `http://127.0.0.1:9/limit-${i}`, events: ["token.rotated"] },
        }),
      ),
    );
    assert.deepEqual(
      [
        answers.filter((answer) => answer.status === 200).length,
        answers.filter((answer) => answer.status === 409).length,
      ],
      [50 - before, 10],
    );
    const listed = (await admin("/api/webhooks")).body as { id: string; url: string }[];
    assert.equal(listed.length, 50);
    for (const endpoint of listed.filter((row) => row.url.includes("/limit-")))
      assert.equal((await admin(`/api/webhooks/${endpoint.id}`, { method: "DELETE" })).status, 200);
  });

  test("no secret in any row: endpoint secrets are sealed, tokens are hashed", async () => {
    const dump = await tessera.dumpDatabase();
    assert.ok(secrets.length >= 5);
    for (const secret of secrets) {
      assert.ok(!dump.includes(secret), "a secret in the database");
      if (secret.startsWith("whsec_")) assert.ok(!dump.includes(secret.slice(6)), "a secret's key in the database");
    }
  });
});
