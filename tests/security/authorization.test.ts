// Engine-independent: the role x endpoint matrix of the one permission table, with valid credentials.
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { can, ROLES, routePermission } from "../../lib/auth/permissions.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { sleepUntil } from "../helpers/wait.ts";

const report = securityReport(import.meta.filename);
const REFUSED = "403 Token not found or was revoked";
let tessera: Instance;
let counter = 0;

before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000" });
});
after(async () => {
  await tessera?.close();
});

const validUntil = (ms: number) => new Date(Date.now() + ms).toISOString();
async function mint(role: string, ms = 86_400_000) {
  const response = await call(`${tessera.url}/api/tokens`, {
    method: "POST",
    token: tessera.adminToken,
    body: { name: `m-${role.slice(0, 10)}-${++counter}-${process.pid}`, role, validUntil: validUntil(ms) },
  });
  return response.body as { token: string; hash: string };
}

/** Every endpoint with a request that succeeds for a role that may use it. */
const ENDPOINTS: { method: string; path: () => string; body?: () => unknown; success: number }[] = [
  { method: "GET", path: () => "/api/me", success: 200 },
  { method: "GET", path: () => "/api/metrics", success: 200 },
  { method: "GET", path: () => "/api/tokens", success: 200 },
  {
    method: "POST",
    path: () => "/api/tokens",
    body: () => ({ name: `matrix-${++counter}-${process.pid}`, role: "viewer", validUntil: validUntil(3_600_000) }),
    success: 200,
  },
  { method: "GET", path: () => `/api/tokens/${"0".repeat(64)}`, success: 404 },
  { method: "DELETE", path: () => `/api/tokens/${"f".repeat(64)}`, success: 200 },
];

/** Sends endpoint's request with token; answers the path it used and the response. */
async function request(endpoint: (typeof ENDPOINTS)[number], token: string) {
  const path = endpoint.path();
  return {
    path,
    response: await call(`${tessera.url}${path}`, { method: endpoint.method, token, body: endpoint.body?.() }),
  };
}

describe("authorization", () => {
  test("every role against every endpoint, from the permission table", async () => {
    for (const role of ROLES) {
      const { token } = await mint(role);
      for (const endpoint of ENDPOINTS) {
        const { path, response } = await request(endpoint, token);
        const permission = routePermission(path)!;
        const allowed = can(role, permission);
        report.check(
          "Authorization matrix (role x endpoint)",
          `${role}: ${endpoint.method} ${path.replace(/[0-9a-f]{64}/, "{hash}")} (${permission})`,
          allowed ? String(endpoint.success) : "403 Forbidden",
          allowed ? String(response.status) : outcome(response),
        );
      }
    }
  });

  test("revoked and expired tokens are refused on every route", async () => {
    const revoked = await mint("admin");
    await call(`${tessera.url}/api/tokens/${revoked.hash}`, { method: "DELETE", token: tessera.adminToken });
    const expired = await mint("admin", 1_500);
    // Its own exp (second precision): valid while now < exp, so a moment after it the token is expired.
    await sleepUntil(decodeJwt(expired.token).exp! * 1000 + 100);
    for (const [label, token] of [
      ["revoked", revoked.token],
      ["expired", expired.token],
    ] as const) {
      for (const endpoint of ENDPOINTS) {
        const { path, response } = await request(endpoint, token);
        report.check(
          "Revoked and expired tokens",
          `${label} admin token: ${endpoint.method} ${path.replace(/[0-9a-f]{64}/, "{hash}")}`,
          REFUSED,
          outcome(response),
        );
      }
    }
  });
});
