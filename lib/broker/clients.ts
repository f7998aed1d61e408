import "server-only";
import { ApiError, fieldError } from "../api/errors.ts";
import { randomBytes } from "node:crypto";
import {
  brokerClient,
  clientList,
  createdClient,
  passwordSet,
  type BrokerClient,
  type CreateClientInput,
  type ModifyClientInput,
} from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";
import {
  assertClientIdFree,
  assertClientNameFree,
  assertClientNotOwned,
  assertRolesAssignable,
  clientOwner,
  type Owner,
} from "./ownership.ts";

// Dynamic security clients over REST. Reads show every client with its
// managed_by; changes to a client Tessera owns are refused (ownership.ts).

interface RawClient {
  username: string;
  clientid?: string;
  textname?: string;
  textdescription?: string;
  disabled?: boolean;
  roles?: { rolename: string; priority?: number }[];
  groups?: { groupname: string; priority?: number }[];
}

function toClient(raw: RawClient, adminUsername: string): BrokerClient {
  const owner: Owner | null = clientOwner(raw, adminUsername);
  return brokerClient.parse({
    username: raw.username,
    clientid: raw.clientid || null,
    textname: raw.textname ?? null,
    textdescription: raw.textdescription ?? null,
    disabled: raw.disabled ?? false,
    roles: (raw.roles ?? []).map((role) => ({ rolename: role.rolename, priority: role.priority })),
    groups: (raw.groups ?? []).map((group) => ({ groupname: group.groupname, priority: group.priority })),
    managed_by: owner,
  });
}

/** A generated broker password (32 base64url characters, as a device's), shown once and kept nowhere. */
export const generatePassword = () => randomBytes(24).toString("base64url");

export async function listClients(context: BrokerContext, page: { limit: number; offset: number }) {
  const [response] = await run(context, [
    { command: "listClients", verbose: true, count: page.limit, offset: page.offset },
  ]);
  const data = (response!.data ?? {}) as { clients?: RawClient[]; totalCount?: number };
  return clientList.parse({
    clients: (data.clients ?? []).map((client) => toClient(client, context.adminUsername)),
    total: data.totalCount ?? 0,
  });
}

export async function getClient(context: BrokerContext, username: string): Promise<BrokerClient> {
  const [response] = await run(context, [{ command: "getClient", username }]);
  return toClient(dataOf<RawClient>(response, "client")!, context.adminUsername);
}

/**
 * Creates the client, pinned to its client id: the one given, or its
 * username. Never unpinned: dynamic security lets an unpinned client connect
 * under any client id, and so take over the session of any other client
 * (an attack kicked the responder, a device and a user that way).
 */
export async function createClient(context: BrokerContext, input: CreateClientInput) {
  assertClientNameFree(input.username, input.textname);
  const clientid = input.clientid ?? input.username;
  await assertClientIdFree(context, clientid);
  await assertGroupsExist(context, input.groups);
  await assertRolesAssignable(
    context,
    (input.roles ?? []).map((role) => role.rolename),
  );
  const password = input.password ?? generatePassword();
  await run(context, [
    {
      command: "createClient",
      username: input.username,
      password,
      clientid,
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.roles && { roles: input.roles }),
    },
  ]);
  await joinGroups(context, input.username, input.groups ?? []);
  const client = await getClient(context, input.username);
  return createdClient.parse({ ...client, ...(input.password === undefined && { password }) });
}

export async function modifyClient(context: BrokerContext, username: string, input: ModifyClientInput) {
  if (input.clientid === null)
    throw fieldError(
      "bad_request",
      "clientid",
      "clientid cannot be cleared: a client without one could connect as any other client and take its session over",
    );
  await assertClientNotOwned(context, username);
  await assertGroupsExist(context, input.groups);
  assertClientNameFree(undefined, input.textname);
  await assertClientIdFree(context, input.clientid);
  if (input.roles)
    await assertRolesAssignable(
      context,
      input.roles.map((role) => role.rolename),
    );
  await run(context, [
    {
      command: "modifyClient",
      username,
      ...(input.clientid !== undefined && { clientid: input.clientid }),
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.roles && { roles: input.roles }),
      ...(input.groups && { groups: input.groups }),
    },
  ]);
  return getClient(context, username);
}

/** Deletes the client; the broker drops its connections. */
export async function deleteClient(context: BrokerContext, username: string) {
  await assertClientNotOwned(context, username);
  await run(context, [{ command: "deleteClient", username }]);
  return { deleted: username };
}

export async function setClientPassword(context: BrokerContext, username: string, input: { password?: string }) {
  await assertClientNotOwned(context, username);
  const password = input.password ?? generatePassword();
  await run(context, [{ command: "setClientPassword", username, password }]);
  return passwordSet.parse({ username, ...(input.password === undefined && { password }) });
}

/** Enables or disables the client; disabling drops its open connections (Mosquitto 2.0.11 kicks them). */
export async function setClientEnabled(context: BrokerContext, username: string, enabled: boolean) {
  await assertClientNotOwned(context, username);
  await run(context, [{ command: enabled ? "enableClient" : "disableClient", username }]);
  return getClient(context, username);
}

/** 404 naming the first group that does not exist (modifyClient of 2.0.11 skips a missing group without a word). */
async function assertGroupsExist(context: BrokerContext, groups: { groupname: string }[] | undefined) {
  if (!groups?.length) return;
  const responses = await run(
    context,
    groups.map(({ groupname }) => ({ command: "getGroup", groupname })),
    [/not found/i],
  );
  const missing = groups.find((_, index) => !dataOf(responses[index], "group"));
  if (missing) throw new ApiError("not_found", `Broker group ${JSON.stringify(missing.groupname)} not found`);
}

/**
 * Adds a new client to its groups after creating it, not in createClient:
 * when a group is gone by then (deleted meanwhile), 2.0.11's createClient
 * frees the client and leaves it in the groups it did join, and the broker
 * dies on the next read of them. Here the adds fail cleanly, and the client
 * is deleted again, so nothing half-made stays.
 */
async function joinGroups(
  context: BrokerContext,
  username: string,
  groups: { groupname: string; priority?: number }[],
) {
  if (groups.length === 0) return;
  const responses = await run(
    context,
    groups.map((group) => ({ command: "addGroupClient", username, ...group })),
    [/not found/i],
  );
  const missing = groups.find((_, index) => responses[index]?.error);
  if (!missing) return;
  await run(context, [{ command: "deleteClient", username }], [/not found/i]);
  throw new ApiError("not_found", `Broker group ${JSON.stringify(missing.groupname)} not found`);
}
