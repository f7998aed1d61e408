import { z } from "zod";

// The broker's dynamic security over REST (/api/broker/*): the one schema for
// the API, the console's forms and the OpenAPI document. Objects mirror the
// plugin's own field names (username, clientid, textname, rolename, acltype,
// ...) so that a reader of Mosquitto's documentation recognises every field;
// managed_by is Tessera's: which feature owns the object (null: nobody, the
// generic API may change it).

/** Control and invisible characters: never part of a broker name, a topic or a text. */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** A username, role name or group name: what the plugin keys its objects by. */
function brokerName(field: string) {
  return (
    z
      .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) })
      .min(1, `${field} must not be empty`)
      .max(256, `${field} must be at most 256 characters`)
      .refine((value) => !CONTROL.test(value), `${field} must not contain control or invisible characters`)
      .refine((value) => value.trim() === value, `${field} must not start or end with a space`)
      // A path segment of . or .. is resolved away before any route sees it: such an object could never be reached.
      .refine((value) => value !== "." && value !== "..", `${field} must not be . or ..`)
  );
}
export const username = brokerName("username");
export const rolename = brokerName("rolename");
export const groupname = brokerName("groupname");

function text(field: string, max: number) {
  return z
    .string({ error: `${field} must be a string` })
    .max(max, `${field} must be at most ${max} characters`)
    .refine((value) => !/[\p{Cc}]/u.test(value.replace(/[\n\t]/g, "")), `${field} must not contain control characters`);
}
const textname = text("textname", 256);
const textdescription = text("textdescription", 1024);

const clientid = z
  .string({ error: "clientid must be a string" })
  .min(1, "clientid must not be empty (leave it out for any client id)")
  .max(256, "clientid must be at most 256 characters")
  .refine((value) => !CONTROL.test(value), "clientid must not contain control or invisible characters");

export const PASSWORD_MAX = 256;
export const password = z
  .string({ error: (issue) => (issue.input === undefined ? "password is required" : "password must be a string") })
  .min(8, "password must be at least 8 characters")
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

const priority = z
  .number({ error: "priority must be a number" })
  .int("priority must be a whole number")
  .min(-1_000_000, "priority must be at least -1000000")
  .max(1_000_000, "priority must be at most 1000000");

export const ACL_TYPES = [
  "publishClientSend",
  "publishClientReceive",
  "subscribeLiteral",
  "subscribePattern",
  "unsubscribeLiteral",
  "unsubscribePattern",
] as const;
export const aclType = z.enum(ACL_TYPES, { error: `acltype must be one of ${ACL_TYPES.join(", ")}` });

export const topic = z
  .string({ error: (issue) => (issue.input === undefined ? "topic is required" : "topic must be a string") })
  .min(1, "topic must not be empty")
  .max(65535, "topic must be at most 65535 bytes")
  .refine((value) => Buffer.byteLength(value) <= 65535, "topic must be at most 65535 bytes")
  .refine((value) => !value.includes("\u0000"), "topic must not contain NUL");

export const acl = z.strictObject({
  acltype: aclType,
  topic,
  priority: priority.optional().default(0),
  allow: z.boolean({ error: "allow must be true or false" }).optional().default(true),
});
export type AclInput = z.input<typeof acl>;

const roleRef = z.strictObject({ rolename, priority: priority.optional() });
const groupRef = z.strictObject({ groupname, priority: priority.optional() });
/** No name twice in one list: Mosquitto 2.0.11 answers a client with a group twice by freeing it and keeping it in the group. */
function once<T>(list: T[], context: z.RefinementCtx, name: (item: T) => string, field: string) {
  const seen = new Set<string>();
  list.forEach((item, index) => {
    if (seen.has(name(item)))
      context.addIssue({ code: "custom", path: [index], message: `${field} has ${name(item)} twice` });
    seen.add(name(item));
  });
}
const roleRefs = z
  .array(roleRef, { error: "roles must be a list of {rolename, priority}" })
  .max(100, "roles must have at most 100 entries")
  .superRefine((list, context) => once(list, context, (role) => role.rolename, "roles"));
const groupRefs = z
  .array(groupRef, { error: "groups must be a list of {groupname, priority}" })
  .max(100, "groups must have at most 100 entries")
  .superRefine((list, context) => once(list, context, (group) => group.groupname, "groups"));
const acls = z
  .array(acl, { error: "acls must be a list of {acltype, topic, priority, allow}" })
  .max(1000, "acls must have at most 1000 entries")
  // The broker keeps one ACL per acltype and topic (POST .../acls answers 409 for a second one).
  .superRefine((list, context) => once(list, context, ({ acltype, topic }) => `${acltype} ${topic}`, "acls"));

// Clients

/** POST /api/broker/clients. Without a password, Tessera generates one and shows it once. */
export const createClientSchema = z.strictObject({
  username,
  password: password.optional(),
  clientid: clientid.optional(),
  textname: textname.optional(),
  textdescription: textdescription.optional(),
  roles: roleRefs.optional(),
  groups: groupRefs.optional(),
});
export type CreateClientInput = z.output<typeof createClientSchema>;

/** PATCH /api/broker/clients/{username}: what is sent is changed; roles and groups replace the lists. */
export const modifyClientSchema = createClientSchema
  .omit({ username: true, password: true })
  .extend({ clientid: clientid.nullable().optional() })
  .refine(
    (body) => Object.keys(body).length > 0,
    "Send at least one of clientid, textname, textdescription, roles, groups",
  );
export type ModifyClientInput = z.output<typeof modifyClientSchema>;

/** PUT /api/broker/clients/{username}/password. Without a password, Tessera generates one and shows it once. */
export const setPasswordSchema = z.strictObject({ password: password.optional() });

// Roles

export const createRoleSchema = z.strictObject({
  rolename,
  textname: textname.optional(),
  textdescription: textdescription.optional(),
  acls: acls.optional(),
});
export type CreateRoleInput = z.output<typeof createRoleSchema>;

/** PATCH /api/broker/roles/{rolename}: acls, when sent, replace the role's list. */
export const modifyRoleSchema = createRoleSchema
  .omit({ rolename: true })
  .refine((body) => Object.keys(body).length > 0, "Send at least one of textname, textdescription, acls");
export type ModifyRoleInput = z.output<typeof modifyRoleSchema>;

/** POST /api/broker/roles/{rolename}/acls adds one; DELETE .../acls?acltype=&topic= removes one. */
export const addAclSchema = acl;
export const removeAclQuery = z.strictObject({ acltype: aclType, topic });

// Groups

export const createGroupSchema = z.strictObject({
  groupname,
  textname: textname.optional(),
  textdescription: textdescription.optional(),
  roles: roleRefs.optional(),
});
export type CreateGroupInput = z.output<typeof createGroupSchema>;

export const modifyGroupSchema = createGroupSchema
  .omit({ groupname: true })
  .refine((body) => Object.keys(body).length > 0, "Send at least one of textname, textdescription, roles");
export type ModifyGroupInput = z.output<typeof modifyGroupSchema>;

export const addGroupClientSchema = z.strictObject({ username, priority: priority.optional() });
export const addGroupRoleSchema = z.strictObject({ rolename, priority: priority.optional() });
export const anonymousGroupSchema = z.strictObject({ groupname });

// Default ACL access

export const DEFAULT_ACL_TYPES = ["publishClientSend", "publishClientReceive", "subscribe", "unsubscribe"] as const;
export const defaultAclSchema = z.strictObject({
  acls: z
    .array(
      z.strictObject({
        acltype: z.enum(DEFAULT_ACL_TYPES, { error: `acltype must be one of ${DEFAULT_ACL_TYPES.join(", ")}` }),
        allow: z.boolean({ error: "allow must be true or false" }),
      }),
      { error: "acls must be a list of {acltype, allow}" },
    )
    .min(1, "acls must name at least one acltype")
    .max(4),
});

// Paths and paging

export const usernameParams = z.object({ username });
export const rolenameParams = z.object({ rolename });
export const groupnameParams = z.object({ groupname });
export const groupClientParams = z.object({ groupname, username });
export const groupRoleParams = z.object({ groupname, rolename });

export const LIST_LIMIT_MAX = 1000;
export const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
    .int(`limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`)
    .min(1, `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`)
    .max(LIST_LIMIT_MAX, `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`)
    .default(100),
  offset: z.coerce
    .number({ error: "offset must be a whole number, 0 or more" })
    .int("offset must be a whole number, 0 or more")
    .min(0, "offset must be a whole number, 0 or more")
    .default(0),
});

// Answers (responses are parsed through these: the allow-list)

/** Which Tessera feature owns an object; null: nobody, the generic API may change it. */
export const MANAGED_BY = ["mqtt-credentials", "devices", "tessera"] as const;
export const managedBy = z.enum(MANAGED_BY).nullable();

const roleRefOut = z.object({ rolename: z.string(), priority: z.number().int().optional() });
const groupRefOut = z.object({ groupname: z.string(), priority: z.number().int().optional() });

export const brokerClient = z.object({
  username: z.string(),
  clientid: z.string().nullable(),
  textname: z.string().nullable(),
  textdescription: z.string().nullable(),
  disabled: z.boolean(),
  roles: z.array(roleRefOut),
  groups: z.array(groupRefOut),
  managed_by: managedBy,
});
export type BrokerClient = z.output<typeof brokerClient>;

/** POST /api/broker/clients and PUT .../password: with the password when Tessera generated it (shown once). */
export const createdClient = brokerClient.extend({ password: z.string().optional() });
export const passwordSet = z.object({ username: z.string(), password: z.string().optional() });

export const aclOut = z.object({
  acltype: aclType,
  topic: z.string(),
  priority: z.number().int(),
  allow: z.boolean(),
});

export const brokerRole = z.object({
  rolename: z.string(),
  textname: z.string().nullable(),
  textdescription: z.string().nullable(),
  acls: z.array(aclOut),
  managed_by: managedBy,
});
export type BrokerRole = z.output<typeof brokerRole>;

export const brokerGroup = z.object({
  groupname: z.string(),
  textname: z.string().nullable(),
  textdescription: z.string().nullable(),
  roles: z.array(roleRefOut),
  clients: z.array(z.object({ username: z.string(), priority: z.number().int().optional() })),
  managed_by: managedBy,
});
export type BrokerGroup = z.output<typeof brokerGroup>;

export const clientList = z.object({ clients: z.array(brokerClient), total: z.number().int() });
export const roleList = z.object({ roles: z.array(brokerRole), total: z.number().int() });
export const groupList = z.object({ groups: z.array(brokerGroup), total: z.number().int() });
export const anonymousGroup = z.object({ groupname: z.string().nullable() });
export const defaultAcl = z.object({
  acls: z.array(z.object({ acltype: z.enum(DEFAULT_ACL_TYPES), allow: z.boolean() })),
});
/** DELETE answers: what was removed. */
export const deleted = z.object({ deleted: z.string() });
