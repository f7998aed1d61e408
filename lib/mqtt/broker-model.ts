import type { Env } from "../env.ts";

// What Tessera puts on the broker, as data: the one description that
// creating (credentials, devices, the responder) and the reconcile share, so
// the two can never disagree about a role's ACLs or a client's client id.
// Every client is pinned to one client id (dynamic security refuses the
// username and password under any other), and every client and role Tessera
// makes carries one of the marks below in its textname; nothing without a
// mark is ever changed or deleted.

export interface Acl {
  acltype:
    | "publishClientSend"
    | "publishClientReceive"
    | "subscribeLiteral"
    | "subscribePattern"
    | "unsubscribeLiteral"
    | "unsubscribePattern";
  topic: string;
  priority: number;
  allow: boolean;
}

export interface RoleSpec {
  rolename: string;
  textname: string;
  acls: Acl[];
}

export interface ClientSpec {
  username: string;
  clientid: string;
  textname: string;
  rolename: string;
  disabled: boolean;
}

export const MARK = {
  /** Followed by the creation time: `tessera mqtt credential 2026-11-25T10:00:00.000Z`. */
  credential: "tessera mqtt credential",
  device: "tessera device",
  /** Followed by the instance id. */
  responder: "tessera responder",
  /** The single responder client of v0.1 (removed by the reconcile). */
  legacyResponder: "tessera device token responder",
} as const;

/** The kind of Tessera-made thing a textname marks, or null for anything else. */
export function markOf(textname: unknown): "credential" | "device" | "responder" | null {
  if (typeof textname !== "string") return null;
  if (textname === MARK.device) return "device";
  if (textname.startsWith(`${MARK.credential} `)) return "credential";
  if (textname.startsWith(`${MARK.responder} `) || textname === MARK.legacyResponder) return "responder";
  return null;
}

const allow = (acltype: Acl["acltype"], topic: string): Acl => ({ acltype, topic, priority: 0, allow: true });

// MQTT credentials: <prefix>/<username>/# and nothing else (literal topics: 2.0.11 does not expand %u).
export const credentialRoleName = (username: string) => `tessera:${username}`;

export function credentialRole(
  settings: Pick<Env, "TESSERA_MQTT_TOPIC_PREFIX">,
  username: string,
  textname: string,
): RoleSpec {
  const tree = `${settings.TESSERA_MQTT_TOPIC_PREFIX}/${username}/#`;
  return {
    rolename: credentialRoleName(username),
    textname,
    acls: [
      allow("publishClientSend", tree),
      allow("publishClientReceive", tree),
      allow("subscribePattern", tree),
      allow("unsubscribePattern", tree),
    ],
  };
}

export function credentialClient(username: string, textname: string, disabled: boolean): ClientSpec {
  return { username, clientid: username, textname, rolename: credentialRoleName(username), disabled };
}

// Devices: publish to its request topic, read its response topic.
type Topics = Pick<Env, "TESSERA_DEVICE_REQUEST_TOPIC" | "TESSERA_DEVICE_RESPONSE_TOPIC">;
export const requestTopic = (settings: Topics, id: string) => settings.TESSERA_DEVICE_REQUEST_TOPIC.replace("{id}", id);
export const responseTopic = (settings: Topics, id: string) =>
  settings.TESSERA_DEVICE_RESPONSE_TOPIC.replace("{id}", id);
export const deviceRoleName = (id: string) => `tessera-device:${id}`;

export function deviceRole(settings: Topics, id: string): RoleSpec {
  return {
    rolename: deviceRoleName(id),
    textname: MARK.device,
    acls: [
      allow("publishClientSend", requestTopic(settings, id)),
      allow("subscribeLiteral", responseTopic(settings, id)),
      allow("publishClientReceive", responseTopic(settings, id)),
    ],
  };
}

export function deviceClient(id: string): ClientSpec {
  return { username: id, clientid: id, textname: MARK.device, rolename: deviceRoleName(id), disabled: false };
}

// The responder: one client per Tessera process, in one shared subscription group.
export const RESPONDER_ROLE = "tessera-responder";
export const SHARE_GROUP = "tessera";
export const responderUsername = (instanceId: string) => `tessera-responder-${instanceId}`;

/** The device topic template with + for {id}. */
export const wildcard = (template: string) => template.replace("{id}", "+");
/** The responder's subscription: one shared subscription, so each request reaches exactly one Tessera process. */
export const responderSubscription = (settings: Topics) =>
  `$share/${SHARE_GROUP}/${wildcard(settings.TESSERA_DEVICE_REQUEST_TOPIC)}`;

export function responderRole(settings: Topics): RoleSpec {
  const request = wildcard(settings.TESSERA_DEVICE_REQUEST_TOPIC);
  return {
    rolename: RESPONDER_ROLE,
    textname: MARK.responder + " role",
    acls: [
      allow("subscribePattern", request),
      allow("subscribePattern", responderSubscription(settings)),
      allow("publishClientReceive", request),
      allow("publishClientSend", wildcard(settings.TESSERA_DEVICE_RESPONSE_TOPIC)),
    ],
  };
}

export function responderClient(instanceId: string): ClientSpec {
  const username = responderUsername(instanceId);
  return {
    username,
    clientid: username,
    textname: `${MARK.responder} ${instanceId}`,
    rolename: RESPONDER_ROLE,
    disabled: false,
  };
}

/**
 * The commands that create a role and a client from their specs (the client
 * with its password). Use them through createOnBroker (lib/mqtt/create-on-broker.ts),
 * which tells a reconcile that got there first from a foreign client.
 */
/** The commands that create a client as specified (disabled, if so). */
export function createClientCommands(client: ClientSpec, password: string) {
  return [
    {
      command: "createClient",
      username: client.username,
      clientid: client.clientid,
      password,
      textname: client.textname,
      roles: [{ rolename: client.rolename, priority: 0 }],
    },
    ...(client.disabled ? [{ command: "disableClient", username: client.username }] : []),
  ];
}

export function createCommands(role: RoleSpec, client: ClientSpec, password: string) {
  return [{ command: "createRole", ...role }, ...createClientCommands(client, password)];
}

export const deleteCommands = (client: ClientSpec) => [
  { command: "deleteClient", username: client.username },
  { command: "deleteRole", rolename: client.rolename },
];
