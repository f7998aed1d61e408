// Engine-independent: middleware and route-gate bypasses (x-middleware-subrequest, path spellings, forged and under-privileged credentials); the gates read the same token row through the same query on either engine.
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";

const report = securityReport(import.meta.filename);
let tessera: Instance;
let viewer: string;

before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
  const created = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: tessera.adminToken,
    body: {
      name: `bypass-viewer-${process.pid}`,
      role: "viewer",
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  viewer = created.body.token;
});
after(async () => {
  await tessera?.close();
});

/** A GET with the path exactly as written (fetch would normalise "./", "../" and "//"). */
function rawGet(
  base: string,
  rawPath: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: rawPath, method: "GET", headers },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}

/** No answer to a request without admin rights may carry token data. */
function leaksTokens(body: unknown): boolean {
  return /"hash"\s*:\s*"[0-9a-f]{64}"/.test(typeof body === "string" ? body : JSON.stringify(body));
}

describe("bypass attempts over HTTP", () => {
  const SUBREQUEST = [
    "middleware",
    "middleware:middleware:middleware:middleware:middleware",
    "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
    "pages/_middleware",
    "proxy:proxy:proxy:proxy:proxy",
  ];
  test("x-middleware-subrequest in every known form changes nothing", async () => {
    for (const value of SUBREQUEST) {
      for (const [who, token] of [
        ["anonymous", undefined],
        ["viewer", () => viewer],
      ] as const) {
        const response = await call(`${tessera.url}/api/tokens`, {
          token: token?.(),
          headers: { "x-middleware-subrequest": value },
        });
        report.check(
          "Bypass: x-middleware-subrequest",
          `${who}, GET /api/tokens, "${value}"`,
          who === "anonymous" ? "401" : "403 Forbidden",
          who === "anonymous" ? String(response.status) : outcome(response),
        );
        assert.ok(!leaksTokens(response.body));
      }
    }
  });

  test("path variants reach no token data without admin rights", async () => {
    // [path as sent, headers, answer without credentials, answer for a viewer]. 308: Next.js redirects to the
    // normalised path, whose answer is then the plain /api/tokens one; 404: no route, so no data either.
    const variants: [string, Record<string, string>, string, string][] = [
      ["/api/tokens/", {}, "308", "308"],
      ["/API/TOKENS", {}, "404", "404"],
      ["/api//tokens", {}, "308", "308"],
      ["//api/tokens", {}, "308", "308"],
      ["/api/%74okens", {}, "401", "404"],
      ["/api/./tokens", {}, "401", "403"],
      ["/api/x/../tokens", {}, "401", "403"],
      ["/api/tokens.rsc", {}, "401", "403"],
      ["/api/tokens?_rsc=1", { RSC: "1", "Next-Router-State-Tree": "%5B%22%22%5D" }, "401", "403"],
      ["/api/tokens", { "x-nextjs-data": "1" }, "401", "403"],
      ["/_next/data/build/api/tokens.json", {}, "401", "403"],
      ["/api/tokens%2F", {}, "401", "404"],
      ["/api/tokens;.css", {}, "401", "404"],
    ];
    for (const [variant, headers, anonymous, asViewer] of variants) {
      for (const [who, token] of [
        ["anonymous", undefined],
        ["viewer", () => viewer],
      ] as const) {
        const response = await rawGet(tessera.url, variant, {
          ...headers,
          ...(token ? { authorization: `Bearer ${token()}` } : {}),
        });
        const label = `${who}: GET ${variant}${Object.keys(headers).length ? ` with ${Object.keys(headers).join(", ")}` : ""}`;
        report.check(
          "Bypass: path variants (sent verbatim)",
          label,
          who === "anonymous" ? anonymous : asViewer,
          String(response.status),
        );
        assert.ok(!leaksTokens(response.body), `${variant} leaked token data`);
      }
    }
  });
});

describe("route handlers called directly, middleware out of the way", () => {
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), "tessera-direct-"));
  let handlers: Record<
    string,
    Record<string, (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>>
  >;
  let NextRequest: typeof import("next/server").NextRequest;
  let viewerToken: string;

  const savedEnv = { ...process.env };
  before(async () => {
    // This process becomes a server of its own, on a private embedded database.
    Object.assign(process.env, {
      DATABASE_URL: "",
      TESSERA_DATA_DIR: path.join(dataRoot, "data"),
      TESSERA_TOKEN_KEYS: `direct:${"d".repeat(43)}`,
      NEXTAUTH_SECRET: "n".repeat(43),
    });
    const { database } = await import("../../lib/db.ts");
    const { migrate } = await import("../../lib/db/migrate.ts");
    await database().withRunner((runner) => migrate(runner, path.resolve("prisma/migrations")));
    const { createToken } = await import("../../lib/tokens/create-token.ts");
    viewerToken = (
      await createToken(
        { label: "test", via: "cli" },
        { name: "direct-viewer", role: "viewer", validUntil: new Date(Date.now() + 3_600_000) },
      )
    ).token;
    NextRequest = (await import("next/server")).NextRequest;
    handlers = {
      "/api/tokens": await import("../../app/api/tokens/route.ts"),
      "/api/tokens/[hash]": await import("../../app/api/tokens/[hash]/route.ts"),
      "/api/me": await import("../../app/api/me/route.ts"),
      "/api/metrics": await import("../../app/api/metrics/route.ts"),
    } as unknown as typeof handlers;
  });
  after(async () => {
    const { closeDatabase } = await import("../../lib/db.ts");
    await closeDatabase();
    rmSync(dataRoot, { recursive: true, force: true });
    Object.assign(process.env, savedEnv);
  });

  test("each handler alone refuses requests without credentials, with forged tokens, and with a role that may not", async () => {
    const hash = "a".repeat(64);
    for (const [route, module] of Object.entries(handlers)) {
      for (const [method, handler] of Object.entries(module).filter(([name]) =>
        ["GET", "POST", "DELETE"].includes(name),
      )) {
        const url = `http://127.0.0.1/${route.replace("[hash]", hash).slice(1)}`;
        const params = Promise.resolve<Record<string, string>>(route.includes("[hash]") ? { hash } : {});
        const request = (headers: Record<string, string>) =>
          new NextRequest(url, {
            method,
            headers: { "content-type": "application/json", ...headers },
            body: method === "POST" ? "{}" : undefined,
          });
        const cases: [string, Record<string, string>, string][] = [
          ["no credentials", {}, "401"],
          [
            "no credentials, x-middleware-subrequest",
            { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
            "401",
          ],
          ["forged token", { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ." }, "403"],
        ];
        if (route !== "/api/me") cases.push(["viewer token", { authorization: `Bearer ${viewerToken}` }, "403"]);
        for (const [label, headers, expected] of cases) {
          const response = await handler(request(headers), { params });
          report.check(
            "Bypass: handlers called directly",
            `${method} ${route}: ${label}`,
            expected,
            String(response.status),
          );
        }
      }
    }
  });
});
