// Engine-independent: real answers against the OpenAPI document's schemas; their shapes do not depend on the engine.
import { test } from "node:test";
import { setUpOpenApiServer } from "./helpers/openapi-server.ts";

// Real answers of the MQTT credentials, /v2, devices and broker endpoints
// (successes and errors), each valid against what /api/openapi.json documents
// (the document itself and the other routes: openapi.test.ts).

const server = setUpOpenApiServer();
const { check } = server;

test("MQTT credentials, /v2 and devices: real answers match the document", async () => {
  const body = { user_email: `server.doc-${process.pid}@example.com`, ttl_seconds: 600 };
  const minted = await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body }, 200);
  await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body: { ...body, replace_existing: false } }, 409);
  await check("POST", "/api/mqtt/tokens", "/api/mqtt/tokens", { body: { user_email: "nope" } }, 400);
  await check("GET", "/api/mqtt/tokens", "/api/mqtt/tokens", {}, 200);
  await check("GET", "/api/mqtt/tokens", "/api/mqtt/tokens", { as: "viewer" }, 403);
  const refreshBody = {
    token_id: minted.body.token_id,
    current_token_password: minted.body.mqtt_credentials.password,
  };
  const refreshed = await check(
    "POST",
    "/api/mqtt/tokens/refresh",
    "/api/mqtt/tokens/refresh",
    { body: refreshBody },
    200,
  );
  const v2Body = {
    token_id: minted.body.token_id,
    current_token_password: refreshed.body.mqtt_credentials.password,
  };
  await check("POST", "/v2/tokens/refresh", "/v2/tokens/refresh", { as: null, body: v2Body }, 200);
  await check("POST", "/v2/tokens/refresh", "/v2/tokens/refresh", { as: null, body: v2Body }, 401);
  await check("DELETE", "/api/mqtt/tokens/{id}", `/api/mqtt/tokens/${minted.body.token_id}`, {}, 200);
  await check("DELETE", "/api/mqtt/tokens/{id}", "/api/mqtt/tokens/not-a-uuid", {}, 400);
  await check("DELETE", "/api/mqtt/tokens/{id}", `/api/mqtt/tokens/${crypto.randomUUID()}`, {}, 404);

  const create = {
    organization_id: "org_tessera",
    secret_key: server.tessera.adminToken,
    user_email: `v2-${process.pid}@example.com`,
  };
  await check("POST", "/v2/tokens/create", "/v2/tokens/create", { as: null, body: create }, 200);
  await check(
    "POST",
    "/v2/tokens/create",
    "/v2/tokens/create",
    { as: null, body: { ...create, secret_key: "eyJ.bad.token" } },
    403,
  );
  await check("GET", "/v2/tokens/create", "/v2/tokens/create", { as: null }, 405);

  const id = `server.doc-dev-${process.pid}`;
  await check("POST", "/api/devices", "/api/devices", { body: { id } }, 200);
  await check("POST", "/api/devices", "/api/devices", { body: { id: "bad id!" } }, 400);
  await check("GET", "/api/devices", "/api/devices", {}, 200);
  await check("GET", "/api/devices/{id}/bridge-config", `/api/devices/${id}/bridge-config`, {}, 200);
  await check("GET", "/api/devices/{id}/bridge-config", "/api/devices/nobody/bridge-config", {}, 404);
  await check("DELETE", "/api/devices/{id}", `/api/devices/${id}`, {}, 200);
  await check("DELETE", "/api/devices/{id}", `/api/devices/${id}`, {}, 404);
});

test("the broker API and its status: real answers match the document", async () => {
  await check("GET", "/api/broker/status", "/api/broker/status", { as: "monitoringViewer" }, 200);
  await check("GET", "/api/broker/clients", "/api/broker/clients", { as: "monitoringViewer" }, 403);
  await check("GET", "/api/broker/clients", "/api/broker/clients?limit=5", { as: "viewer" }, 200);
  await check("GET", "/api/broker/clients", "/api/broker/clients?limit=0", { as: "viewer" }, 400);
  const username = `server.doc-client-${process.pid}`;
  const rolename = `server.doc-role-${process.pid}`;
  const groupname = `server.doc-group-${process.pid}`;
  const role = { rolename, acls: [{ acltype: "subscribePattern", topic: "server.doc/#", priority: 1, allow: true }] };
  await check("POST", "/api/broker/roles", "/api/broker/roles", { as: "editor", body: role }, 200);
  await check("POST", "/api/broker/roles", "/api/broker/roles", { as: "viewer", body: role }, 403);
  await check("GET", "/api/broker/roles", "/api/broker/roles", { as: "viewer" }, 200);
  await check("GET", "/api/broker/roles/{rolename}", `/api/broker/roles/${rolename}`, { as: "viewer" }, 200);
  await check("GET", "/api/broker/roles/{rolename}", "/api/broker/roles/no-such-role", { as: "viewer" }, 404);
  await check(
    "PATCH",
    "/api/broker/roles/{rolename}",
    `/api/broker/roles/${rolename}`,
    { as: "editor", body: { textname: "Documented" } },
    200,
  );
  const acl = { acltype: "publishClientSend", topic: "server.doc/x", priority: 0, allow: true };
  await check("POST", "/api/broker/roles/{rolename}/acls", `/api/broker/roles/${rolename}/acls`, { body: acl }, 200);
  await check(
    "DELETE",
    "/api/broker/roles/{rolename}/acls",
    `/api/broker/roles/${rolename}/acls?acltype=publishClientSend&topic=server.doc%2Fx`,
    {},
    200,
  );

  const client = { username, password: "server.doc-password-1", roles: [{ rolename }] };
  await check("POST", "/api/broker/clients", "/api/broker/clients", { as: "editor", body: client }, 200);
  await check("POST", "/api/broker/clients", "/api/broker/clients", { as: "editor", body: client }, 409);
  await check("POST", "/api/broker/clients", "/api/broker/clients", { body: { username: "" } }, 400);
  const path = `/api/broker/clients/${username}`;
  await check("GET", "/api/broker/clients/{username}", path, { as: "viewer" }, 200);
  await check("GET", "/api/broker/clients/{username}", "/api/broker/clients/nobody-here", { as: "viewer" }, 404);
  await check("PATCH", "/api/broker/clients/{username}", path, { body: { textname: "Doc" } }, 200);
  await check("PUT", "/api/broker/clients/{username}/password", `${path}/password`, { body: {} }, 200);
  await check("POST", "/api/broker/clients/{username}/disable", `${path}/disable`, {}, 200);
  await check("POST", "/api/broker/clients/{username}/enable", `${path}/enable`, {}, 200);
  // The admin client is Tessera's own: refused by the generic API.
  await check(
    "POST",
    "/api/broker/clients/{username}/disable",
    `/api/broker/clients/${server.broker.adminUsername}/disable`,
    {},
    409,
  );

  await check("POST", "/api/broker/groups", "/api/broker/groups", { body: { groupname } }, 200);
  await check("GET", "/api/broker/groups", "/api/broker/groups", { as: "viewer" }, 200);
  const group = `/api/broker/groups/${groupname}`;
  await check("GET", "/api/broker/groups/{groupname}", group, { as: "viewer" }, 200);
  await check("PATCH", "/api/broker/groups/{groupname}", group, { body: { textname: "Doc group" } }, 200);
  await check("POST", "/api/broker/groups/{groupname}/clients", `${group}/clients`, { body: { username } }, 200);
  await check("DELETE", "/api/broker/groups/{groupname}/clients/{username}", `${group}/clients/${username}`, {}, 200);
  await check("POST", "/api/broker/groups/{groupname}/roles", `${group}/roles`, { body: { rolename } }, 200);
  await check("DELETE", "/api/broker/groups/{groupname}/roles/{rolename}", `${group}/roles/${rolename}`, {}, 200);
  await check("GET", "/api/broker/anonymous-group", "/api/broker/anonymous-group", { as: "viewer" }, 200);
  await check("PUT", "/api/broker/anonymous-group", "/api/broker/anonymous-group", { body: { groupname } }, 200);
  await check("GET", "/api/broker/default-acl", "/api/broker/default-acl", { as: "viewer" }, 200);
  await check(
    "PUT",
    "/api/broker/default-acl",
    "/api/broker/default-acl",
    { body: { acls: [{ acltype: "subscribe", allow: false }] } },
    200,
  );
  await check("DELETE", "/api/broker/clients/{username}", path, {}, 200);
  await check("DELETE", "/api/broker/roles/{rolename}", `/api/broker/roles/${rolename}`, {}, 200);
  await check("POST", "/api/broker/status", "/api/broker/status", {}, 405);
});
