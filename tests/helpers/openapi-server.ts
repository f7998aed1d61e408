import assert from "node:assert/strict";
import { after, before } from "node:test";
import { startBroker, type Broker } from "./broker.ts";
import { call, createInstance, type CallOptions, type Instance } from "./instance.ts";
import { assertDocumented, type OpenApiDocument } from "./openapi.ts";
import { inDays, uniqueName } from "./tokens.ts";

// The server the OpenAPI tests ask: a real Mosquitto and a Tessera for it,
// tokens of a few roles, the document it serves, and check(): one real call
// whose answer must be what the document says.

export const ADMIN_PASSWORD = "openapi-admin-password-1";

export interface OpenApiServer {
  broker: Broker;
  tessera: Instance;
  doc: OpenApiDocument;
  tokens: Record<string, string>;
  /** /api/tokens/{hash} for /api/tokens/abc: the template is given, the path filled in. */
  check(
    method: string,
    template: string,
    path: string,
    options?: CallOptions & { as?: string | null },
    expected?: number,
  ): ReturnType<typeof call>;
}

/** Registers before/after hooks; the returned object is filled in by the time the tests run. */
export function setUpOpenApiServer(): OpenApiServer {
  const server = { tokens: {} } as OpenApiServer;
  server.check = async (method, template, path, options = {}, expected) => {
    const token = options.as === null ? undefined : (options.token ?? server.tokens[options.as ?? "admin"]);
    const answer = await call(`${server.tessera.url}${path}`, { ...options, method, token });
    if (expected !== undefined)
      assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    assertDocumented(server.doc, method, template, answer, options.body);
    return answer;
  };
  before(async () => {
    server.broker = await startBroker({ sysInterval: 1 });
    server.tessera = await createInstance({
      ...server.broker.env,
      TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    server.tokens.admin = server.tessera.adminToken;
    for (const role of ["viewer", "editor", "monitoringViewer"]) {
      const created = await call(`${server.tessera.url}/api/tokens`, {
        method: "POST",
        token: server.tessera.adminToken,
        body: { name: uniqueName(role), role, validUntil: inDays(1) },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      server.tokens[role] = created.body.token;
    }
    const answer = await call(`${server.tessera.url}/api/openapi.json`);
    assert.equal(answer.status, 200);
    server.doc = answer.body as OpenApiDocument;
  });
  after(async () => {
    await server.tessera?.close();
    await server.broker?.stop();
  });
  return server;
}
