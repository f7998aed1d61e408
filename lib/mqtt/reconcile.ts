import "server-only";
import { env, type Env } from "../env.ts";
import { db } from "../db.ts";
import { log } from "../log.ts";
import {
  type Acl,
  type ClientSpec,
  createClientCommands,
  credentialClient,
  credentialRole,
  deviceClient,
  deviceRole,
  markOf,
  MARK,
  responderClient,
  responderRole,
  responderUsername,
  type RoleSpec,
} from "./broker-model.ts";
import { INSTANCE_STALE_MS } from "./cluster-health.ts";
import type { Dynsec, DynsecCommand } from "./dynsec.ts";
import { passwordOf } from "./passwords.ts";

// The reconcile: makes the broker match the database, whatever state the
// broker is in (fresh, already provisioned, half provisioned, changed by
// hand). Idempotent, and it only ever issues the commands a difference calls
// for: addClientRole on a client that has the role (Mosquitto 2.0.11 answers
// "Internal error") or setClientPassword on a connected client (it drops the
// connection) are never sent for nothing.
//
// The broker is listed before the database is read: a row is always written
// before its broker client, so a marked client missing from the rows read
// afterwards is an orphan (its row is gone), never a create in flight.

const BATCH = 100;

export interface BrokerClient {
  username: string;
  clientid?: string;
  textname?: string;
  disabled?: boolean;
  roles?: { rolename: string }[];
  groups?: { groupname: string }[];
}
interface BrokerRole {
  rolename: string;
  textname?: string;
  acls?: Acl[];
}

export interface ReconcileResult {
  created: number;
  fixed: number;
  removed: number;
  /** Rows whose broker client is missing and whose password cannot be derived (made before v0.2, or their key is gone). */
  unrestorable: string[];
  /** Clients Tessera wants but a client it did not make already holds the username. */
  conflicts: string[];
}

async function listAll(connection: Dynsec): Promise<{ clients: BrokerClient[]; roles: BrokerRole[] }> {
  const [clients, roles] = await connection.run([
    { command: "listClients", verbose: true, count: -1 },
    { command: "listRoles", verbose: true, count: -1 },
  ]);
  return {
    clients: ((clients?.data?.clients ?? []) as BrokerClient[]).filter((client) => typeof client.username === "string"),
    roles: ((roles?.data?.roles ?? []) as BrokerRole[]).filter((role) => typeof role.rolename === "string"),
  };
}

const aclKey = (acl: Acl) => `${acl.acltype}\u0000${acl.topic}\u0000${acl.priority ?? 0}\u0000${acl.allow !== false}`;

/** The commands that turn role `have` (or nothing) into `want`. */
export function roleCommands(want: RoleSpec, have: BrokerRole | undefined): DynsecCommand[] {
  if (!have) return [{ command: "createRole", ...want }];
  const commands: DynsecCommand[] = [];
  const wanted = new Set(want.acls.map(aclKey));
  const present = new Set((have.acls ?? []).map(aclKey));
  for (const acl of have.acls ?? []) {
    // An ACL with the right type and topic but another priority or allow is removed and added again.
    if (!wanted.has(aclKey(acl)))
      commands.push({ command: "removeRoleACL", rolename: want.rolename, acltype: acl.acltype, topic: acl.topic });
  }
  for (const acl of want.acls)
    if (!present.has(aclKey(acl))) commands.push({ command: "addRoleACL", rolename: want.rolename, ...acl });
  if (have.textname !== want.textname)
    commands.push({ command: "modifyRole", rolename: want.rolename, textname: want.textname });
  return commands;
}

/** The commands that turn client `have` (one Tessera made, or nothing) into `want`; the password is used only to create. */
export function clientCommands(
  want: ClientSpec,
  have: BrokerClient | undefined,
  password: string | null,
): DynsecCommand[] | "unrestorable" {
  if (!have) {
    if (!password) return "unrestorable";
    return createClientCommands(want, password);
  }
  const commands: DynsecCommand[] = [];
  const roles = (have.roles ?? []).map((role) => role.rolename);
  // A group adds its roles to the client: Tessera's clients are in none (one granted by hand would widen their ACLs).
  const grouped = (have.groups ?? []).length > 0;
  if (
    have.clientid !== want.clientid ||
    roles.length !== 1 ||
    roles[0] !== want.rolename ||
    have.textname !== want.textname ||
    grouped
  ) {
    commands.push({
      command: "modifyClient",
      username: want.username,
      clientid: want.clientid,
      textname: want.textname,
      roles: [{ rolename: want.rolename, priority: 0 }],
      groups: [],
    });
  }
  if (Boolean(have.disabled) !== want.disabled)
    commands.push({ command: want.disabled ? "disableClient" : "enableClient", username: want.username });
  return commands;
}

async function runBatches(connection: Dynsec, commands: DynsecCommand[]): Promise<void> {
  for (let start = 0; start < commands.length; start += BATCH) {
    const chunk = commands.slice(start, start + BATCH);
    const responses = await connection.send(chunk);
    responses.forEach((response, index) => {
      // "not found" on a delete and "already exists" on a create mean another process got there first: the state wanted holds.
      if (response.error && !/not found|already exists/i.test(response.error)) {
        log.warn(
          `mqtt reconcile: ${response.command} ${JSON.stringify(chunk[index]?.username ?? chunk[index]?.rolename ?? "")} failed: ${response.error}`,
        );
      }
    });
  }
}

/** Makes the broker match the database. Throws BrokerUnavailableError (or a database error) when it cannot finish. */
export async function reconcile(connection: Dynsec, settings: Env = env(), now = new Date()): Promise<ReconcileResult> {
  const broker = await listAll(connection);
  const [devices, credentials, instances] = await Promise.all([
    db().device.findMany({ select: { id: true, passwordKid: true, passwordNonce: true } }),
    db().mqttCredential.findMany({
      select: {
        username: true,
        createdAt: true,
        expiresAt: true,
        disabledAt: true,
        passwordKid: true,
        passwordNonce: true,
      },
    }),
    db().mqttInstance.findMany({
      where: { seenAt: { gt: new Date(now.getTime() - INSTANCE_STALE_MS) } },
      select: { id: true },
    }),
  ]);
  const result: ReconcileResult = { created: 0, fixed: 0, removed: 0, unrestorable: [], conflicts: [] };
  const clients = new Map(broker.clients.map((client) => [client.username, client]));
  const roles = new Map(broker.roles.map((role) => [role.rolename, role]));
  const wantedClients = new Set<string>();
  const wantedRoles = new Set<string>();
  const roleWork: DynsecCommand[] = [];
  const clientWork: DynsecCommand[] = [];

  const want = (role: RoleSpec, client: ClientSpec | null, password: () => string | null) => {
    wantedRoles.add(role.rolename);
    const have = roles.get(role.rolename);
    const fixRole = roleCommands(role, have);
    if (client) {
      wantedClients.add(client.username);
      const present = clients.get(client.username);
      if (present && markOf(present.textname) === null) {
        result.conflicts.push(client.username);
        return;
      }
      const fixClient = clientCommands(client, present, present ? null : password());
      if (fixClient === "unrestorable") {
        result.unrestorable.push(client.username);
        return;
      }
      if (!present) result.created++;
      else if (fixClient.length > 0) result.fixed++;
      clientWork.push(...fixClient);
    }
    if (have && fixRole.length > 0) result.fixed++;
    roleWork.push(...fixRole);
  };

  want(responderRole(settings), null, () => null);
  for (const device of devices) {
    want(deviceRole(settings, device.id), deviceClient(device.id), () =>
      passwordOf(settings.TESSERA_TOKEN_KEYS, "device", device.id, device),
    );
  }
  for (const row of credentials) {
    const textname = `${MARK.credential} ${row.createdAt.toISOString()}`;
    const disabled = row.disabledAt !== null || row.expiresAt <= now;
    want(credentialRole(settings, row.username, textname), credentialClient(row.username, textname, disabled), () =>
      passwordOf(settings.TESSERA_TOKEN_KEYS, "credential", row.username, row),
    );
  }
  // Responder clients belong to live instances: each creates its own (and puts it back if refused); here they are only corrected.
  const liveResponders = new Set(instances.map((instance) => responderUsername(instance.id)));
  for (const instance of instances) {
    const spec = responderClient(instance.id);
    const present = clients.get(spec.username);
    if (!present || markOf(present.textname) === null) continue;
    const fix = clientCommands(spec, present, null);
    if (fix !== "unrestorable" && fix.length > 0) {
      result.fixed++;
      clientWork.push(...fix);
    }
  }

  const removals: DynsecCommand[] = [];
  for (const client of broker.clients) {
    const kind = markOf(client.textname);
    if (!kind || wantedClients.has(client.username)) continue;
    if (kind === "responder" && liveResponders.has(client.username)) continue;
    removals.push({ command: "deleteClient", username: client.username });
    result.removed++;
  }
  for (const role of broker.roles) {
    const kind = markOf(role.textname);
    const ours =
      role.rolename.startsWith("tessera:") ||
      role.rolename.startsWith("tessera-device:") ||
      role.rolename.startsWith("tessera-responder");
    if (!kind || !ours || wantedRoles.has(role.rolename)) continue;
    removals.push({ command: "deleteRole", rolename: role.rolename });
  }

  // Roles before the clients that use them; removals last.
  await runBatches(connection, [...roleWork, ...clientWork, ...removals]);
  return result;
}
