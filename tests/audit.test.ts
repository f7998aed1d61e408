import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { engine } from "./helpers/database.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";
import { signIn, signOut } from "./helpers/session.ts";
import { inDays, sha256, uniqueName } from "./helpers/tokens.ts";
import { until } from "./helpers/wait.ts";

// Issue 19: the audit log (one row per audited change, written in the
// change's transaction, append-only, filtered and paged by GET /api/audit,
// pruned by retention, never holding a secret) and per-token usage (exact
// counts under concurrent load, the last addresses, the list's summary).

const ADMIN_PASSWORD = "audit-suite-admin-pw";
let tessera: Instance;

type AuditEvent = {
  id: string;
  at: string;
  action: string;
  actor: string;
  via: string;
  address: string | null;
  tokenHash: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
  count: number;
};

const api = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${tessera.url}${path}`, options);
const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  api(path, { token: tessera.adminToken, ...options });
const audit = async (query: string): Promise<AuditEvent[]> => {
  const response = await admin(`/api/audit?${query}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { events: AuditEvent[] }).events;
};
const create = async (name = uniqueName("audit"), role = "viewer") => {
  const response = await admin("/api/tokens", { method: "POST", body: { name, role, validUntil: inDays(7) } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as { token: string; hash: string; name: string };
};

before(async () => {
  tessera = await createInstance({
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
    TESSERA_AUDIT_RETENTION_DAYS: "30",
  });
});
after(async () => {
  await tessera?.close();
});

describe(`the audit log on ${engine}`, () => {
  test("each token action through the API writes exactly one row: who, through what, from where", async () => {
    const made = await create();
    const rotated = await admin(`/api/tokens/${made.hash}/rotate`, { method: "POST", body: { grace_seconds: 600 } });
    assert.equal(rotated.status, 200);
    const successor = rotated.body as { hash: string; token: string };
    assert.equal((await admin(`/api/tokens/${successor.hash}/disable`, { method: "POST" })).status, 200);
    // A second disable changes nothing and writes nothing.
    assert.equal((await admin(`/api/tokens/${successor.hash}/disable`, { method: "POST" })).status, 200);
    assert.equal((await admin(`/api/tokens/${successor.hash}/enable`, { method: "POST" })).status, 200);
    assert.equal((await admin(`/api/tokens/${successor.hash}`, { method: "DELETE" })).status, 200);

    const first = await audit(`tokenHash=${made.hash}`);
    const second = await audit(`tokenHash=${successor.hash}`);
    const actions = (events: AuditEvent[]) => events.map((event) => event.action).sort();
    // The predecessor: created, rotated; the revocation of its successor stopped it too, and the disable with it.
    assert.deepEqual(actions(first), [
      "token.created",
      "token.disabled",
      "token.enabled",
      "token.revoked",
      "token.rotated",
    ]);
    assert.deepEqual(actions(second), ["token.disabled", "token.enabled", "token.revoked"]);
    for (const event of [...first, ...second]) {
      assert.equal(event.actor, "token:test-admin");
      assert.equal(event.via, "api");
      assert.ok(event.address, "the caller's address is recorded");
      assert.equal(event.count, 1);
    }
    const rotation = first.find((event) => event.action === "token.rotated")!;
    assert.equal(rotation.details!.replacedBy, successor.hash);
    assert.equal(rotation.details!.graceSeconds, 600);
    // Newest first, by id.
    const ids = first.map((event) => BigInt(event.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)),
    );
  });

  test("a reuse after rotation writes one family_revoked row; the CLI's actions are the CLI's", async () => {
    const made = await create();
    const successor = (await admin(`/api/tokens/${made.hash}/rotate`, { method: "POST", body: { grace_seconds: 600 } }))
      .body as { hash: string };
    // Past the repeat window (10 s, lib/tokens/lifecycle.ts), rotating the old token again is a reuse.
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const reuse = await admin(`/api/tokens/${made.hash}/rotate`, { method: "POST", body: {} });
    assert.equal(reuse.status, 409);
    const family = await audit(`action=token.family_revoked&tokenHash=${made.hash}`);
    assert.equal(family.length, 1);
    assert.deepEqual((family[0]!.details!.revoked as string[]).sort(), [made.hash, successor.hash].sort());

    const name = uniqueName("cli");
    // Both commands in one stop of the embedded server (the CLI takes the data dir's lock).
    let hash = "";
    await cliRun(["tokens", "create", "--name", name, "--role", "viewer", "--valid-until", inDays(1)], async (out) => {
      hash = sha256(
        out
          .split("\n")
          .find((line) => line.startsWith("eyJ"))!
          .trim(),
      );
      return ["tokens", "revoke", hash];
    });
    const events = await audit(`tokenHash=${hash}`);
    assert.deepEqual(events.map((event) => event.action).sort(), ["token.created", "token.revoked"]);
    for (const event of events) {
      assert.match(event.actor, /^cli:/);
      assert.equal(event.via, "cli");
    }
  });

  /** The answers to the append-only test's statements, run by the failure test's clean-up. */
  let appendOnly: Awaited<ReturnType<Instance["sql"]>> = [];

  test("a failure after the change's write leaves neither the change nor its row", async () => {
    const failing = uniqueName("inject");
    const victim = await create();
    const [installed] = await tessera.sql(
      `CREATE FUNCTION audit_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.target = '${failing}' OR (NEW.action = 'token.revoked' AND NEW.token_hash = '${victim.hash}') THEN
           RAISE EXCEPTION 'injected failure';
         END IF;
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER audit_test_fail BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_test_fail()`,
    );
    assert.ok(!(installed instanceof Error), String(installed));
    try {
      const refused = await admin("/api/tokens", {
        method: "POST",
        body: { name: failing, role: "viewer", validUntil: inDays(7) },
      });
      assert.equal(refused.status, 500);
      const names = ((await admin("/api/tokens")).body as { name: string }[]).map((token) => token.name);
      assert.ok(!names.includes(failing), "the token whose audit row failed was not created");
      assert.equal((await audit("action=token.created")).filter((event) => event.target === failing).length, 0);

      assert.equal((await admin(`/api/tokens/${victim.hash}`, { method: "DELETE" })).status, 500);
      assert.equal((await admin(`/api/tokens/${victim.hash}`)).status, 200, "the revocation was rolled back");
      assert.equal((await api("/api/me", { token: victim.token })).status, 200, "and the token still works");
    } finally {
      // The next test's statements run in the same call (one stop of the embedded server instead of two).
      appendOnly = await tessera.sql(
        `DROP TRIGGER audit_test_fail ON audit_events`,
        `DROP FUNCTION audit_test_fail()`,
        `UPDATE audit_events SET actor = 'someone else'`,
        `DELETE FROM audit_events`,
        `TRUNCATE audit_events`,
        `SELECT count(*)::int AS n FROM audit_events WHERE actor = 'someone else'`,
      );
    }
    assert.equal((await admin(`/api/tokens/${victim.hash}`, { method: "DELETE" })).status, 200);
    assert.equal((await audit(`tokenHash=${victim.hash}&action=token.revoked`)).length, 1);
  });

  test("the table is append-only: UPDATE, DELETE and TRUNCATE are refused by the database", async () => {
    const [dropTrigger, dropFunction, update, del, truncate, count] = appendOnly;
    assert.ok(!(dropTrigger instanceof Error) && !(dropFunction instanceof Error), "the injected failure is gone");
    for (const result of [update, del, truncate]) {
      assert.ok(result instanceof Error, "refused");
      assert.match(result.message, /append-only/);
    }
    assert.deepEqual(count, [{ n: 0 }]);
    assert.ok((await audit("limit=1")).length === 1, "the rows are still there");
  });

  test("filters combine, and the cursor pages through without a gap or a repeat", async () => {
    for (let i = 0; i < 7; i++) await create(uniqueName("page"));
    const all = await audit("action=token.created&limit=500");
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 100; page++) {
      const response = await admin(`/api/audit?action=token.created&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const body = response.body as { events: AuditEvent[]; nextCursor: string | null };
      assert.ok(body.events.length <= 3);
      seen.push(...body.events.map((event) => event.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    assert.deepEqual(
      seen,
      all.map((event) => event.id),
    );
    assert.ok(all.every((event) => event.action === "token.created"));

    const byActor = await audit("actor=token:test-admin&action=token.created&limit=500");
    assert.equal(byActor.length, all.filter((event) => event.actor === "token:test-admin").length);
    const future = await audit(`from=${encodeURIComponent(inDays(1))}`);
    assert.equal(future.length, 0);
    const past = await audit(`to=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`);
    assert.equal(past.length, 0);
    const window = await audit(
      `from=${encodeURIComponent(all.at(-1)!.at)}&to=${encodeURIComponent(new Date(Date.parse(all[0]!.at) + 1).toISOString())}&action=token.created&limit=500`,
    );
    assert.deepEqual(
      window.map((event) => event.id),
      all.map((event) => event.id),
    );
  });

  test("bad filters are a 400 with a sentence; only admins read the log", async () => {
    for (const [query, message] of [
      ["action=token.eaten", /action must be one of/],
      ["tokenHash=abc", /tokenHash must be a token hash/],
      ["limit=0", /limit must be an integer from 1 to 500/],
      ["cursor=-1", /cursor must be/],
      ["from=yesterday", /from must be an ISO 8601/],
      ["colour=red", /Unknown field/],
    ] as const) {
      const response = await admin(`/api/audit?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(String(response.body), message);
    }
    assert.equal((await api("/api/audit")).status, 401);
    const viewer = await create(uniqueName("viewer"), "viewer");
    assert.equal((await api("/api/audit", { token: viewer.token })).status, 403);
    assert.equal((await admin("/api/audit", { method: "POST", body: {} })).status, 405);
  });

  test("refused uses of a revoked or disabled token are aggregated: one row per token, address and reason a minute", async () => {
    const revoked = await create();
    const disabled = await create();
    assert.equal((await admin(`/api/tokens/${revoked.hash}`, { method: "DELETE" })).status, 200);
    assert.equal((await admin(`/api/tokens/${disabled.hash}/disable`, { method: "POST" })).status, 200);
    for (let i = 0; i < 25; i++) {
      assert.equal((await api("/api/me", { token: revoked.token })).status, 403);
      assert.equal((await api("/api/me", { token: disabled.token })).status, 403);
    }
    const rows = await until(async () => {
      const events = await audit(`action=token.refused&limit=500`);
      const mine = events.filter((event) => event.tokenHash === revoked.hash || event.tokenHash === disabled.hash);
      return mine.length === 2 ? mine : undefined;
    }, 15_000);
    const byHash = new Map(rows!.map((row) => [row.tokenHash, row]));
    assert.equal(byHash.get(revoked.hash)!.details!.reason, "revoked");
    assert.equal(byHash.get(disabled.hash)!.details!.reason, "disabled");
    assert.equal(byHash.get(disabled.hash)!.target, disabled.name);
    for (const row of rows!) {
      assert.ok(row.count >= 1 && row.count <= 25, `count ${row.count}`);
      assert.ok(row.address);
    }
    // More refusals within the minute add no row.
    for (let i = 0; i < 10; i++) await api("/api/me", { token: revoked.token });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const later = (await audit(`action=token.refused&tokenHash=${revoked.hash}`)).length;
    assert.equal(later, 1);
  });

  test("sign-in success, failure and sign-out are recorded with the username, address and method", async () => {
    const bad = await signIn(tessera.url, "admin", "not the password");
    assert.ok(bad.error);
    const good = await signIn(tessera.url, "admin", ADMIN_PASSWORD);
    assert.ok(good.cookie);
    await signOut(tessera.url, good.cookie!);
    const events = await audit("actor=admin&limit=500");
    const actions = events.map((event) => event.action);
    assert.equal(actions.filter((action) => action === "sign_in.failed").length, 1);
    assert.equal(actions.filter((action) => action === "sign_in.succeeded").length, 1);
    assert.equal(actions.filter((action) => action === "sign_out").length, 1);
    for (const event of events) {
      assert.equal(event.via, "console");
      assert.equal(event.details?.method ?? "local", "local");
      assert.ok(event.address);
    }
  });

  test("no token, password or secret reaches any audit row", async () => {
    const made = await create();
    await admin(`/api/tokens/${made.hash}/rotate`, { method: "POST", body: { grace_seconds: 0 } });
    await signIn(tessera.url, "admin", "a-wrong-password-that-must-not-be-stored");
    const dump = await tessera.dumpDatabase();
    const rows = JSON.stringify(JSON.parse(dump).audit_events);
    assert.ok(rows.length > 100);
    for (const secret of [
      made.token,
      ...made.token.split(".").slice(1),
      tessera.adminToken.split(".")[2]!,
      ADMIN_PASSWORD,
      "a-wrong-password-that-must-not-be-stored",
    ])
      assert.ok(!rows.includes(secret), `an audit row holds ${secret.slice(0, 12)}...`);
  });

  test("retention: rows older than TESSERA_AUDIT_RETENTION_DAYS go at start-up, newer ones stay", async () => {
    const [inserted] = await tessera.sql(
      `INSERT INTO audit_events (at, action, actor, via) VALUES
         (now() - interval '40 days', 'token.created', 'retention-old', 'cli'),
         (now() - interval '20 days', 'token.created', 'retention-new', 'cli')`,
    );
    assert.ok(!(inserted instanceof Error), String(inserted));
    if (engine === "postgres") await tessera.restart(); // the embedded sql() restarted it already
    await until(async () => ((await audit("actor=retention-old")).length === 0 ? true : undefined), 20_000);
    assert.equal((await audit("actor=retention-new")).length, 1);
  });
});

describe(`usage per token on ${engine}`, () => {
  test("requests per hour are exact under concurrent clients; refusals are counted apart; the last addresses", async () => {
    const tokens = [await create(), await create(), await create()];
    const clients = 5;
    const perClient = 20;
    await Promise.all(
      tokens.flatMap((made) =>
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < perClient; i++) assert.equal((await api("/api/me", { token: made.token })).status, 200);
        }),
      ),
    );
    const refused = tokens[2]!;
    assert.equal((await admin(`/api/tokens/${refused.hash}/disable`, { method: "POST" })).status, 200);
    for (let i = 0; i < 7; i++) assert.equal((await api("/api/me", { token: refused.token })).status, 403);

    for (const made of tokens) {
      const usage = await admin(`/api/tokens/${made.hash}/usage`);
      assert.equal(usage.status, 200);
      const body = usage.body as {
        totals: { requests: number; refused: number };
        hours: { hour: string; requests: number }[];
        addresses: { address: string }[];
      };
      assert.equal(body.totals.requests, clients * perClient);
      assert.equal(body.totals.refused, made === refused ? 7 : 0);
      assert.ok(body.hours.length >= 1 && body.hours.length <= 2);
      assert.ok(body.hours.every((row) => /T\d\d:00:00\.000Z$/.test(row.hour)));
      assert.equal(body.addresses.length, 1);
    }
    const summary = (await admin("/api/tokens/usage")).body as {
      days: string[];
      tokens: { hash: string; requests: number[] }[];
    };
    assert.equal(summary.days.length, 7);
    assert.equal(summary.days.at(-1), new Date().toISOString().slice(0, 10));
    for (const made of tokens) {
      const row = summary.tokens.find((entry) => entry.hash === made.hash)!;
      assert.equal(
        row.requests.reduce((a, b) => a + b, 0),
        clients * perClient,
      );
    }
  });

  test("usage: bad ranges are a 400; only admins", async () => {
    const made = await create();
    for (const [query, message] of [
      ["from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", /from must be before to/],
      ["from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", /at most 90 days apart/],
      ["from=soon", /from must be an ISO 8601/],
    ] as const) {
      const response = await admin(`/api/tokens/${made.hash}/usage?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(String(response.body), message);
    }
    assert.equal((await admin("/api/tokens/usage?days=32")).status, 400);
    assert.equal((await api(`/api/tokens/${made.hash}/usage`, { token: made.token })).status, 403);
  });

  test("counts held in memory are written when the server stops", async () => {
    const made = await create();
    for (let i = 0; i < 9; i++) await api("/api/me", { token: made.token });
    await tessera.restart(); // SIGTERM: the shutdown hooks flush
    const usage = (await admin(`/api/tokens/${made.hash}/usage`)).body as { totals: { requests: number } };
    assert.equal(usage.totals.requests, 9);
  });
});

/** Runs a CLI command (and then: the next one, made from the first one's output) while the embedded server is down. */
async function cliRun(args: string[], then?: (output: string) => Promise<string[]>): Promise<string> {
  let output = "";
  const run = async () => {
    const result = await tessera.cli(args);
    assert.equal(result.code, 0, result.output);
    output = result.output;
    if (then) {
      const next = await tessera.cli(await then(output));
      assert.equal(next.code, 0, next.output);
    }
  };
  if (engine === "postgres") await run();
  else await tessera.restart({}, run);
  return output;
}
