import "server-only";
import { ApiError } from "../api/errors.ts";
import {
  brokerGroup,
  groupList,
  type BrokerGroup,
  type CreateGroupInput,
  type ModifyGroupInput,
} from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";
import { getAnonymousGroup } from "./defaults.ts";
import { assertClientNotOwned, assertRolesAssignable } from "./ownership.ts";

// Dynamic security groups over REST. Groups are never Tessera's (managed_by
// is null), but a group must not become a way around ownership: no owned
// role is assigned to one, and no owned client is added to or removed from one.

interface RawGroup {
  groupname: string;
  textname?: string;
  textdescription?: string;
  roles?: { rolename: string; priority?: number }[];
  clients?: { username: string; priority?: number }[];
}

function toGroup(raw: RawGroup): BrokerGroup {
  return brokerGroup.parse({
    groupname: raw.groupname,
    textname: raw.textname ?? null,
    textdescription: raw.textdescription ?? null,
    roles: (raw.roles ?? []).map((role) => ({ rolename: role.rolename, priority: role.priority })),
    clients: (raw.clients ?? []).map((client) => ({ username: client.username, priority: client.priority })),
    managed_by: null,
  });
}

export async function listGroups(context: BrokerContext, page: { limit: number; offset: number }) {
  const [response] = await run(context, [
    { command: "listGroups", verbose: true, count: page.limit, offset: page.offset },
  ]);
  const data = (response!.data ?? {}) as { groups?: RawGroup[]; totalCount?: number };
  return groupList.parse({ groups: (data.groups ?? []).map(toGroup), total: data.totalCount ?? 0 });
}

export async function getGroup(context: BrokerContext, groupname: string): Promise<BrokerGroup> {
  const [response] = await run(context, [{ command: "getGroup", groupname }]);
  return toGroup(dataOf<RawGroup>(response, "group")!);
}

export async function createGroup(context: BrokerContext, input: CreateGroupInput) {
  await assertRolesAssignable(
    context,
    (input.roles ?? []).map((role) => role.rolename),
  );
  await run(context, [
    {
      command: "createGroup",
      groupname: input.groupname,
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.roles && { roles: input.roles }),
    },
  ]);
  return getGroup(context, input.groupname);
}

export async function modifyGroup(context: BrokerContext, groupname: string, input: ModifyGroupInput) {
  if (input.roles)
    await assertRolesAssignable(
      context,
      input.roles.map((role) => role.rolename),
    );
  await run(context, [
    {
      command: "modifyGroup",
      groupname,
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.roles && { roles: input.roles }),
    },
  ]);
  return getGroup(context, groupname);
}

/**
 * Deletes the group: its clients lose the group's roles at once. Never the
 * anonymous group: Mosquitto 2.0.11 frees it and keeps using it, and the
 * broker dies (later versions refuse it themselves). A check, then the
 * delete: an editor who makes this group the anonymous one in between is the
 * one race left (README, Broker API).
 */
export async function deleteGroup(context: BrokerContext, groupname: string) {
  if ((await getAnonymousGroup(context)).groupname === groupname) {
    throw new ApiError(
      "conflict",
      "This group is the broker's anonymous group; make another group the anonymous group first",
    );
  }
  await run(context, [{ command: "deleteGroup", groupname }]);
  return { deleted: groupname };
}

export async function addGroupClient(
  context: BrokerContext,
  groupname: string,
  input: { username: string; priority?: number },
) {
  await assertClientNotOwned(context, input.username);
  await run(context, [
    {
      command: "addGroupClient",
      groupname,
      username: input.username,
      ...(input.priority !== undefined && { priority: input.priority }),
    },
  ]);
  return getGroup(context, groupname);
}

export async function removeGroupClient(context: BrokerContext, groupname: string, username: string) {
  await assertClientNotOwned(context, username);
  await run(context, [{ command: "removeGroupClient", groupname, username }]);
  return getGroup(context, groupname);
}

export async function addGroupRole(
  context: BrokerContext,
  groupname: string,
  input: { rolename: string; priority?: number },
) {
  await assertRolesAssignable(context, [input.rolename]);
  await run(context, [
    {
      command: "addGroupRole",
      groupname,
      rolename: input.rolename,
      ...(input.priority !== undefined && { priority: input.priority }),
    },
  ]);
  return getGroup(context, groupname);
}

export async function removeGroupRole(context: BrokerContext, groupname: string, rolename: string) {
  await run(context, [{ command: "removeGroupRole", groupname, rolename }]);
  return getGroup(context, groupname);
}
