import "server-only";
import { ApiError } from "../api/errors.ts";
import { markOf, RESPONDER_ROLE } from "../mqtt/broker-model.ts";
import type { DynsecCommand } from "../mqtt/dynsec.ts";
import type { AclInput } from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";

// What Tessera itself manages on the broker (managed_by) and the refusals
// that keep the generic API from fighting it: MQTT credentials and devices
// (their clients and roles, recognised by the mark in their textname), the
// device-token responders, and Tessera's own admin client with every role it
// has (changing one of those would take the broker away from Tessera or hand
// out its rights).

export type Owner = "mqtt-credentials" | "devices" | "tessera";

const FEATURE: Record<Owner, string> = {
  "mqtt-credentials": "belongs to MQTT credentials (managed by Tessera); change it through /api/mqtt/tokens",
  devices: "belongs to a device (managed by Tessera); change it through /api/devices",
  tessera: "is Tessera's own (its broker admin connection or its device-token responder); it cannot be changed here",
};

const OWNER_OF_MARK = { credential: "mqtt-credentials", device: "devices", responder: "tessera" } as const;

/** Tessera's reserved names: device ids and responders use the tessera- prefix, its roles start with tessera. */
const RESERVED_USERNAME = /^tessera-/i;
const RESERVED_ROLENAME = /^tessera/i;

export function clientOwner(
  client: { username: string; textname?: string | null },
  adminUsername: string,
): Owner | null {
  const mark = markOf(client.textname);
  if (mark) return OWNER_OF_MARK[mark];
  if (client.username === adminUsername || client.username.startsWith("tessera-responder-")) return "tessera";
  return null;
}

export function roleOwner(role: { rolename: string; textname?: string | null }, adminRoles: Set<string>): Owner | null {
  const mark = markOf(role.textname);
  if (mark) return OWNER_OF_MARK[mark];
  if (role.rolename.startsWith("tessera-device:")) return "devices";
  if (role.rolename.startsWith("tessera:")) return "mqtt-credentials";
  if (role.rolename === RESPONDER_ROLE || adminRoles.has(role.rolename)) return "tessera";
  return null;
}

export const ownedClient = (owner: Owner) => new ApiError("conflict", `This client ${FEATURE[owner]}`);
export const ownedRole = (owner: Owner) => new ApiError("conflict", `This role ${FEATURE[owner]}`);

/** The command that fetches the admin client, to be sent with others in one message. */
export const adminClientCommand = (context: BrokerContext): DynsecCommand => ({
  command: "getClient",
  username: context.adminUsername,
});

/** The rolenames of the admin client in an answer to adminClientCommand. */
export function adminRolesOf(response: Parameters<typeof dataOf>[0]): Set<string> {
  const client = dataOf<{ roles?: { rolename: string }[] }>(response, "client");
  return new Set((client?.roles ?? []).map((role) => role.rolename));
}

const NOT_FOUND = [/not found/i];

/** Throws 409 when the client exists and Tessera owns it; a missing client is left to the command's own 404. */
export async function assertClientNotOwned(context: BrokerContext, username: string): Promise<void> {
  const [response] = await run(context, [{ command: "getClient", username }], NOT_FOUND);
  const client = dataOf<{ username: string; textname?: string }>(response, "client");
  const owner = client ? clientOwner(client, context.adminUsername) : null;
  if (owner) throw ownedClient(owner);
}

/**
 * Throws 409 when any of these roles is Tessera's, 404 naming the first one
 * that does not exist (assigning a role the broker lacks), so that no client
 * or group is handed a device's, a credential's or the admin's rights.
 */
export async function assertRolesAssignable(context: BrokerContext, rolenames: string[]): Promise<void> {
  if (rolenames.length === 0) return;
  const [admin, ...roles] = await run(
    context,
    [adminClientCommand(context), ...rolenames.map((rolename) => ({ command: "getRole", rolename }))],
    NOT_FOUND,
  );
  const adminRoles = adminRolesOf(admin);
  rolenames.forEach((rolename, index) => {
    const role = dataOf<{ rolename: string; textname?: string }>(roles[index], "role");
    if (!role) throw new ApiError("not_found", `Broker role ${JSON.stringify(rolename)} not found`);
    const owner = roleOwner(role, adminRoles);
    if (owner)
      throw new ApiError("conflict", `Role ${JSON.stringify(rolename)} cannot be assigned here: it ${FEATURE[owner]}`);
  });
}

/** Throws 409 when the role exists and Tessera owns it. */
export async function assertRoleNotOwned(context: BrokerContext, rolename: string): Promise<void> {
  const [admin, response] = await run(
    context,
    [adminClientCommand(context), { command: "getRole", rolename }],
    NOT_FOUND,
  );
  const role = dataOf<{ rolename: string; textname?: string }>(response, "role");
  const owner = role ? roleOwner(role, adminRolesOf(admin)) : null;
  if (owner) throw ownedRole(owner);
}

/** A new client may not look like Tessera's: no reserved username, no Tessera mark in its textname. */
export function assertClientNameFree(username: string | undefined, textname: string | undefined): void {
  if (username !== undefined && RESERVED_USERNAME.test(username))
    throw new ApiError("conflict", "Usernames starting with tessera- are reserved for Tessera's own broker clients");
  if (markOf(textname))
    throw new ApiError("conflict", "This textname marks clients Tessera manages; choose another textname");
}

/** A new role may not look like Tessera's: no rolename starting with tessera, no Tessera mark in its textname. */
export function assertRoleNameFree(rolename: string | undefined, textname: string | undefined): void {
  if (rolename !== undefined && RESERVED_ROLENAME.test(rolename))
    throw new ApiError("conflict", "Rolenames starting with tessera are reserved for Tessera's own broker roles");
  if (markOf(textname))
    throw new ApiError("conflict", "This textname marks roles Tessera manages; choose another textname");
}

/**
 * The levels of a filter as a subscription reaches topics: $share/<group>/ left off. The broker checks an ACL
 * against the whole shared subscription, so an ACL's group level may itself be a wildcard: $share/# reaches
 * every topic (an attack read devices' REST tokens through it), $share/+/x what x does.
 */
function reachedLevels(filter: string): string[] {
  const levels = filter.split("/");
  if (levels[0] !== "$share") return levels;
  return levels[1] === "#" ? ["#"] : levels.slice(2);
}

/** Whether two MQTT topic filters can match one and the same topic (wildcards at the start match no $ topic). */
export function filtersOverlap(a: string, b: string): boolean {
  const levels = reachedLevels;
  const [x, y] = [levels(a), levels(b)];
  for (let i = 0; ; i++) {
    const [p, q] = [x[i], y[i]];
    // A $ topic is matched by no leading wildcard, and differs from any other literal.
    if (i === 0 && p !== undefined && q !== undefined && p.startsWith("$") !== q.startsWith("$")) return false;
    if (p === "#" || q === "#") return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== "+" && q !== "+" && p !== q) return false;
  }
}

/** The ACL types that let a client see or send messages on a topic (unsubscribing gives nothing). */
const REACHING = new Set(["publishClientSend", "publishClientReceive", "subscribeLiteral", "subscribePattern"]);

/**
 * Refuses ACLs that would hand out what Tessera guards: any ACL on $CONTROL
 * topics (they carry the broker's administration, so its holder would
 * administer the broker; 400), and an allowing ACL that reaches topics a
 * feature of Tessera's owns (409, as for its roles themselves): the device
 * token topics (the response topic carries each device's REST token) and the
 * MQTT credentials' <prefix>/# (each user's private tree).
 */
export function assertAclsAllowed(
  context: Pick<BrokerContext, "guardedTopics">,
  acls: Pick<AclInput, "acltype" | "topic" | "allow">[] | undefined,
): void {
  for (const acl of acls ?? []) {
    if (acl.topic.split("/")[0] === "$CONTROL")
      throw new ApiError(
        "bad_request",
        "ACLs on $CONTROL topics are refused: they would let a client administer the broker",
      );
    if (acl.allow === false || !REACHING.has(acl.acltype)) continue;
    const guarded = context.guardedTopics.find(({ topics }) =>
      topics.some((topic) => filtersOverlap(acl.topic, topic)),
    );
    if (guarded) throw new ApiError("conflict", guarded.refusal);
  }
}

/**
 * A client id the new or changed client may be pinned to: not one of
 * Tessera's own connections (tessera-...), nor the client id of a client
 * Tessera manages (theirs are their usernames): a second connection under
 * it would take that session over.
 */
export async function assertClientIdFree(context: BrokerContext, clientid: string | null | undefined): Promise<void> {
  if (!clientid) return;
  if (RESERVED_USERNAME.test(clientid))
    throw new ApiError("conflict", "Client ids starting with tessera- are reserved for Tessera's own connections");
  const [response] = await run(context, [{ command: "getClient", username: clientid }], NOT_FOUND);
  const client = dataOf<{ username: string; textname?: string }>(response, "client");
  if (client && clientOwner(client, context.adminUsername))
    throw new ApiError(
      "conflict",
      "This client id is the client id of a client Tessera manages; a connection under it would take that session over",
    );
}
