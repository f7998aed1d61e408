// Engine-independent: HTTP methods, OPTIONS and 405s of every route, answered before a handler runs (its embedded data dir part is PGlite's own).
import assert from "node:assert/strict";
import { chmodSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import { engine } from "../helpers/database.ts";
import { sendAsAdmin, tessera, tokenNames, setUpFileInstance } from "../helpers/file-instance.ts";
import { summary } from "../helpers/raw-http.ts";
import { securityReport } from "../helpers/report.ts";
import { routeFiles } from "../helpers/routes.ts";
import { MESSAGES } from "../../lib/api/error-codes.ts";
import { ROUTES as PERMISSION_ROUTES } from "../../lib/auth/permissions.ts";

// Issue 14, second round of an independent attack: methods answered 405 with
// an empty body, a DELETE the seed says does nothing, and a data dir others
// could read. Malformed input and look-alike names: input-malformed-names.test.ts.

const report = securityReport(import.meta.filename);
setUpFileInstance();
const send = sendAsAdmin;
const names = tokenNames;

describe("methods", () => {
  // What each route answers; every other method is a 405 with a sentence and Allow.
  const ROUTES: Record<string, { sample: string; methods: string[] }> = {
    "/api/auth/[...nextauth]": { sample: "/api/auth/session", methods: ["GET", "POST"] },
    "/api/cron/sweep": { sample: "/api/cron/sweep", methods: ["GET"] },
    "/api/devices": { sample: "/api/devices", methods: ["GET", "POST"] },
    "/api/devices/[id]": { sample: "/api/devices/dev-405", methods: ["DELETE"] },
    "/api/devices/[id]/bridge-config": { sample: "/api/devices/dev-405/bridge-config", methods: ["GET"] },
    "/api/health": { sample: "/api/health", methods: ["GET"] },
    "/api/me": { sample: "/api/me", methods: ["GET"] },
    "/api/me/sessions": { sample: "/api/me/sessions", methods: ["DELETE"] },
    "/api/metrics": { sample: "/api/metrics", methods: ["GET"] },
    "/api/mqtt/tokens": { sample: "/api/mqtt/tokens", methods: ["GET", "POST"] },
    "/api/openapi.json": { sample: "/api/openapi.json", methods: ["GET"] },
    "/api/mqtt/tokens/[id]": { sample: "/api/mqtt/tokens/6f1c2b9e-0d7a-4c55-9f3e-1a2b3c4d5e6f", methods: ["DELETE"] },
    "/api/mqtt/tokens/refresh": { sample: "/api/mqtt/tokens/refresh", methods: ["POST"] },
    "/api/tokens": { sample: "/api/tokens", methods: ["GET", "POST"] },
    "/api/tokens/[hash]": { sample: `/api/tokens/${"a".repeat(64)}`, methods: ["GET", "DELETE"] },
    "/api/tokens/[hash]/rotate": { sample: `/api/tokens/${"a".repeat(64)}/rotate`, methods: ["POST"] },
    "/api/tokens/[hash]/disable": { sample: `/api/tokens/${"a".repeat(64)}/disable`, methods: ["POST"] },
    "/api/tokens/[hash]/enable": { sample: `/api/tokens/${"a".repeat(64)}/enable`, methods: ["POST"] },
    "/api/tokens/introspect": { sample: "/api/tokens/introspect", methods: ["POST"] },
    "/api/tokens/self/rotate": { sample: "/api/tokens/self/rotate", methods: ["POST"] },
    "/api/tokens/[hash]/usage": { sample: `/api/tokens/${"a".repeat(64)}/usage`, methods: ["GET"] },
    "/api/tokens/usage": { sample: "/api/tokens/usage", methods: ["GET"] },
    "/api/audit": { sample: "/api/audit", methods: ["GET"] },
    "/api/webhooks": { sample: "/api/webhooks", methods: ["GET", "POST"] },
    "/api/webhooks/[id]": { sample: `/api/webhooks/ep_${"0".repeat(32)}`, methods: ["GET", "PATCH", "DELETE"] },
    "/api/webhooks/[id]/deliveries": { sample: `/api/webhooks/ep_${"0".repeat(32)}/deliveries`, methods: ["GET"] },
    "/api/webhooks/[id]/test": { sample: `/api/webhooks/ep_${"0".repeat(32)}/test`, methods: ["POST"] },
    "/api/well-known/jwks": { sample: "/api/well-known/jwks", methods: ["GET"] },
    "/v2/tokens/create": { sample: "/v2/tokens/create", methods: ["POST"] },
    "/v2/tokens/refresh": { sample: "/v2/tokens/refresh", methods: ["POST"] },
  };

  // This instance has no broker: every method of the broker's routes is the 404 that says how to configure one
  // (their 405s, with a broker: tests/security/broker-authorization.test.ts).
  const BROKER_ROUTES = Object.keys(PERMISSION_ROUTES).filter((route) => route.startsWith("/api/broker/"));

  test("every route file is in the table", () => {
    assert.deepEqual(
      routeFiles(),
      [...Object.keys(ROUTES), ...BROKER_ROUTES].sort(),
      "a new route needs its methods in this table",
    );
  });

  test("without a broker, every method of every broker route: 404 saying how to configure one", async () => {
    for (const route of BROKER_ROUTES) {
      const sample = route.replace(/\[[^\]]+\]/g, "x");
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        const answer = await send(method, sample, method === "GET" || method === "OPTIONS" ? {} : { body: {} });
        report.check(
          "Methods",
          `${method} ${route} without a broker`,
          `404 ${MESSAGES.brokerNotConfigured}`,
          summary(answer),
        );
      }
    }
  });

  test("PUT /api/tokens/{hash}: 405 with a sentence and Allow", async () => {
    const answer = await send("PUT", `/api/tokens/${"a".repeat(64)}`, { body: {} });
    report.check(
      "Methods",
      "PUT /api/tokens/{hash}",
      "405 Method PUT is not allowed here; this path allows DELETE, GET, HEAD, OPTIONS",
      summary(answer),
    );
    report.check(
      "Methods",
      "PUT /api/tokens/{hash}: Allow, Content-Type",
      "DELETE, GET, HEAD, OPTIONS | text/plain; charset=utf-8",
      `${answer.headers.allow} | ${answer.headers["content-type"]}`,
    );
  });

  test("every unsupported method on every route", async () => {
    for (const [route, { sample, methods }] of Object.entries(ROUTES)) {
      const allowed = new Set([...methods, "OPTIONS", ...(methods.includes("GET") ? ["HEAD"] : [])]);
      const allow = [...allowed].sort().join(", ");
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.has(m))) {
        const answer = await send(method, sample, method === "GET" || method === "HEAD" ? {} : { body: {} });
        const sentence = method === "HEAD" ? "" : ` Method ${method} is not allowed here; this path allows ${allow}`;
        report.check(
          "Methods",
          `${method} ${route}`,
          `405${sentence} | Allow: ${allow}`,
          `${summary(answer)} | Allow: ${answer.headers.allow ?? "(none)"}`,
        );
      }
    }
  });

  test("OPTIONS names the same methods in Allow", async () => {
    for (const [route, { sample, methods }] of Object.entries(ROUTES)) {
      const allow = [...new Set([...methods, "OPTIONS", ...(methods.includes("GET") ? ["HEAD"] : [])])]
        .sort()
        .join(", ");
      const answer = await send("OPTIONS", sample);
      report.check(
        "Methods",
        `OPTIONS ${route}`,
        `204 | Allow: ${allow}`,
        `${answer.status} | Allow: ${answer.headers.allow ?? "(none)"}`,
      );
    }
  });
});

describe("DELETE /api/tokens/{hash} with a malformed hash does nothing (seed 002)", () => {
  test("answers 200 with the remaining tokens, and deletes nothing", async () => {
    const before = await names();
    for (const [label, p] of [
      ["not hex", "/api/tokens/nothex"],
      ["uppercase", `/api/tokens/${"A".repeat(64)}`],
      ["NUL", "/api/tokens/%00"],
      ["4 KB", `/api/tokens/${"a".repeat(4096)}`],
    ]) {
      const answer = await send("DELETE", p!);
      const list =
        answer.status === 200 ? (JSON.parse(answer.body) as { name: string }[]).map((token) => token.name) : null;
      report.check(
        "DELETE with a malformed hash",
        label!,
        "200 the remaining tokens",
        `${answer.status} ${list && list.includes("test-admin") ? "the remaining tokens" : answer.body}`,
      );
    }
    assert.deepEqual(await names(), before, "nothing was deleted");
  });
});

describe("the embedded data dir", { skip: engine === "postgres" ? "PostgreSQL keeps no data dir" : false }, () => {
  test("a data dir others can read is 0700 after a start and after a CLI command", async () => {
    const dir = tessera.env.TESSERA_DATA_DIR!;
    const mode = () => (statSync(dir).mode & 0o777).toString(8).padStart(4, "0");
    let afterCli = "";
    await tessera.restart({}, async () => {
      chmodSync(dir, 0o755);
      const listed = await tessera.cli(["tokens", "list"]);
      assert.equal(listed.code, 0, `tokens list: ${listed.output}`);
      afterCli = mode();
      chmodSync(dir, 0o755);
    });
    report.check("Data dir", "mode after a CLI command on a 0755 data dir", "0700", afterCli);
    report.check("Data dir", "mode after a start on a 0755 data dir", "0700", mode());
  });
});
