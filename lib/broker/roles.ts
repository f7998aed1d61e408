import "server-only";
import { ApiError } from "../api/errors.ts";
import {
  brokerRole,
  roleList,
  type AclInput,
  type BrokerRole,
  type CreateRoleInput,
  type ModifyRoleInput,
} from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";
import {
  adminClientCommand,
  adminRolesOf,
  assertAclsAllowed,
  assertRoleNameFree,
  assertRoleNotOwned,
  roleOwner,
} from "./ownership.ts";

// Dynamic security roles and their ACLs over REST. Mosquitto 2.0.11's
// modifyRole takes acls and replaces the role's list with them (checked
// against a real broker in tests/broker-api-roles.test.ts), so PATCH sends
// them as they are.

interface RawRole {
  rolename: string;
  textname?: string;
  textdescription?: string;
  acls?: { acltype: string; topic: string; priority?: number; allow?: boolean }[];
}

function toRole(raw: RawRole, adminRoles: Set<string>): BrokerRole {
  return brokerRole.parse({
    rolename: raw.rolename,
    textname: raw.textname ?? null,
    textdescription: raw.textdescription ?? null,
    acls: (raw.acls ?? []).map((acl) => ({
      acltype: acl.acltype,
      topic: acl.topic,
      priority: acl.priority ?? 0,
      allow: acl.allow ?? false,
    })),
    managed_by: roleOwner(raw, adminRoles),
  });
}

const NOT_FOUND = [/not found/i];

export async function listRoles(context: BrokerContext, page: { limit: number; offset: number }) {
  const [response, admin] = await run(
    context,
    [{ command: "listRoles", verbose: true, count: page.limit, offset: page.offset }, adminClientCommand(context)],
    NOT_FOUND,
  );
  const data = (response!.data ?? {}) as { roles?: RawRole[]; totalCount?: number };
  const adminRoles = adminRolesOf(admin);
  return roleList.parse({
    roles: (data.roles ?? []).map((role) => toRole(role, adminRoles)),
    total: data.totalCount ?? 0,
  });
}

export async function getRole(context: BrokerContext, rolename: string): Promise<BrokerRole> {
  const [admin, response] = await run(
    context,
    [adminClientCommand(context), { command: "getRole", rolename }],
    [/^Client not found$/i],
  );
  return toRole(dataOf<RawRole>(response, "role")!, adminRolesOf(admin));
}

export async function createRole(context: BrokerContext, input: CreateRoleInput) {
  assertRoleNameFree(input.rolename, input.textname);
  assertAclsAllowed(context, input.acls);
  await run(context, [
    {
      command: "createRole",
      rolename: input.rolename,
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.acls && { acls: input.acls }),
    },
  ]);
  return getRole(context, input.rolename);
}

export async function modifyRole(context: BrokerContext, rolename: string, input: ModifyRoleInput) {
  await assertRoleNotOwned(context, rolename);
  assertRoleNameFree(undefined, input.textname);
  assertAclsAllowed(context, input.acls);
  await run(context, [
    {
      command: "modifyRole",
      rolename,
      ...(input.textname !== undefined && { textname: input.textname }),
      ...(input.textdescription !== undefined && { textdescription: input.textdescription }),
      ...(input.acls && { acls: input.acls }),
    },
  ]);
  return getRole(context, rolename);
}

/** Deletes the role: every client and group that had it loses its ACLs at once. */
/**
 * Deletes the role, but never while a client or group still has it:
 * Mosquitto 2.0.11 keeps using a deleted role there and dies on the next
 * read of that client or group (an attack crashed it with a viewer's list).
 */
export async function deleteRole(context: BrokerContext, rolename: string) {
  await assertRoleNotOwned(context, rolename);
  const [clients, groups] = await run(context, [
    { command: "listClients", verbose: true },
    { command: "listGroups", verbose: true },
  ]);
  const has = (holder: { roles?: { rolename: string }[] }) => (holder.roles ?? []).some((r) => r.rolename === rolename);
  const holders = [
    ...(dataOf<{ username: string; roles?: { rolename: string }[] }[]>(clients, "clients") ?? [])
      .filter(has)
      .map((client) => `client ${JSON.stringify(client.username)}`),
    ...(dataOf<{ groupname: string; roles?: { rolename: string }[] }[]>(groups, "groups") ?? [])
      .filter(has)
      .map((group) => `group ${JSON.stringify(group.groupname)}`),
  ];
  if (holders.length > 0)
    throw new ApiError(
      "conflict",
      `This role is still given to ${holders[0]}${holders.length > 1 ? ` and ${holders.length - 1} more` : ""}; ` +
        "take it from them first",
    );
  await run(context, [{ command: "deleteRole", rolename }]);
  return { deleted: rolename };
}

export async function addRoleAcl(context: BrokerContext, rolename: string, acl: Required<AclInput>) {
  await assertRoleNotOwned(context, rolename);
  assertAclsAllowed(context, [acl]);
  await run(context, [{ command: "addRoleACL", rolename, ...acl }]);
  return getRole(context, rolename);
}

export async function removeRoleAcl(context: BrokerContext, rolename: string, acl: { acltype: string; topic: string }) {
  await assertRoleNotOwned(context, rolename);
  await run(context, [{ command: "removeRoleACL", rolename, acltype: acl.acltype, topic: acl.topic }]);
  return getRole(context, rolename);
}
