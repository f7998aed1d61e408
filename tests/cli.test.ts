import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { engine } from "./helpers/database.ts";
import { call, createInstance, type Instance } from "./helpers/instance.ts";
import { CREATED_TOKEN_FIELDS } from "./helpers/tokens.ts";

let tessera: Instance;
before(async () => {
  tessera = await createInstance();
});
after(async () => {
  await tessera?.close();
});

test(`tessera tokens create/list/revoke work against the same database as the server (${engine})`, async () => {
  let created: Record<string, unknown> = {};
  let listed: Record<string, unknown>[] = [];
  const validUntil = new Date(Date.now() + 3_600_000).toISOString();
  await tessera.restart({}, async () => {
    const result = await tessera.cli([
      "tokens",
      "create",
      "--name",
      "from-cli",
      "--role",
      "connectionManager",
      "--valid-until",
      validUntil,
      "--json",
    ]);
    assert.equal(result.code, 0, result.output);
    created = JSON.parse(result.output.slice(result.output.indexOf("{"), result.output.lastIndexOf("}") + 1));
    const list = await tessera.cli(["tokens", "list", "--json"]);
    assert.equal(list.code, 0, list.output);
    listed = JSON.parse(list.output.slice(list.output.indexOf("["), list.output.lastIndexOf("]") + 1));
  });
  assert.deepEqual(Object.keys(created).sort(), CREATED_TOKEN_FIELDS);
  assert.match(String(created.requestedBy), /^cli:/);
  const { token, ...row } = created;
  assert.deepEqual(
    listed.find((t) => t.hash === created.hash),
    row,
  );

  const fromApi = await call(`${tessera.url}/api/tokens/${created.hash}`, { token: tessera.adminToken });
  assert.deepEqual(fromApi.body, row, "the CLI prints what the API answers");
  const me = await call(`${tessera.url}/api/me`, { token: String(token) });
  assert.equal(me.status, 200);
  assert.equal(me.body.role, "connectionManager");

  await tessera.restart({}, async () => {
    const revoke = await tessera.cli(["tokens", "revoke", String(created.hash)]);
    assert.equal(revoke.code, 0, revoke.output);
    assert.match(revoke.output, /^Revoked [0-9a-f]{64}\./m);
    const again = await tessera.cli(["tokens", "revoke", String(created.hash)]);
    assert.match(again.output, /nothing to revoke/);
  });
  const revoked = await call(`${tessera.url}/api/me`, { token: String(token) });
  assert.equal(revoked.status, 403);
  assert.equal(revoked.body, "Token not found or was revoked");
});

test("bad CLI input gets a clear error and a non-zero exit, and creates nothing", async () => {
  await tessera.restart({}, async () => {
    const cases: [string[], RegExp][] = [
      [
        ["tokens", "create", "--name", "x", "--role", "root", "--valid-until", "2030-01-01T00:00:00Z"],
        /role must be one of/,
      ],
      [["tokens", "create", "--role", "viewer", "--valid-until", "2030-01-01T00:00:00Z"], /name is required/],
      [
        ["tokens", "create", "--name", "x", "--role", "viewer", "--valid-until", "2001-01-01T00:00:00Z"],
        /validUntil must be in the future/,
      ],
      [["tokens", "revoke", "not-a-hash"], /Malformed token hash/],
      [["tokens", "frobnicate"], /unknown subcommand "frobnicate"/],
      [["nope"], /unknown command "nope"/],
      [["tokens", "list", "--bogus"], /Unknown option '--bogus'/],
      [["tokens", "create", "--name"], /Option '--name <value>' argument missing/],
    ];
    for (const [args, message] of cases) {
      const result = await tessera.cli(args);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.match(result.output, message, args.join(" "));
      assert.doesNotMatch(result.output, /\n\s+at /, "no stack trace");
    }
    const list = await tessera.cli(["tokens", "list", "--json"]);
    const tokens = JSON.parse(list.output.slice(list.output.indexOf("["), list.output.lastIndexOf("]") + 1));
    assert.deepEqual(
      tokens.map((t: { name: string }) => t.name),
      ["test-admin"],
    );
  });
});
