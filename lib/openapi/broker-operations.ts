import type { z } from "zod";
import { MESSAGES } from "../api/error-codes.ts";
import { BROKER_SILENT, BROKER_UNAVAILABLE } from "../mqtt/broker-messages.ts";
import * as broker from "../schemas/broker.ts";
import { brokerStatusResponse } from "../schemas/broker-status.ts";
import type { Operation, Route } from "./operations.ts";

// The Broker API's part of OPERATIONS (lib/openapi/operations.ts): /api/broker/*, keyed by route as in app/.

const brokerErrors = {
  404: `${MESSAGES.brokerNotConfigured}; or the named object does not exist on the broker`,
  503: BROKER_UNAVAILABLE,
};
const brokerWriteErrors = {
  ...brokerErrors,
  503: `${BROKER_UNAVAILABLE} (not sent); or ${BROKER_SILENT} (sent, no answer in time)`,
  400: "The request or the broker refused it, in a sentence",
  409: "A sentence: the object is Tessera's own (naming the feature that owns it), already exists, uses a name, textname or client id reserved for Tessera, or would reach what Tessera owns (a Tessera role, the device token topics, the MQTT credentials' topics); deleting the anonymous group or a role a client or group still has",
};

const brokerRead = (summary: string, json: z.ZodType, params?: z.ZodType, query?: z.ZodType): Operation => ({
  summary,
  params,
  query,
  ok: { json, description: summary },
  errors: { ...brokerErrors, ...(params || query ? { 400: "A malformed path segment or query" } : {}) },
});
const brokerWrite = (summary: string, json: z.ZodType, params?: z.ZodType, body?: z.ZodType): Operation => ({
  summary,
  params,
  body,
  ok: { json, description: summary },
  errors: brokerWriteErrors,
});

export const BROKER_OPERATIONS: Record<string, Route> = {
  "/api/broker/status": {
    tag: "broker",
    operations: {
      get: {
        summary: "The broker's $SYS snapshot and its age",
        description:
          "Kept current by one $SYS/# subscription per Tessera process. While the broker is down, the last snapshot with connected: false and its growing age.",
        ok: { json: brokerStatusResponse, description: "The snapshot" },
        errors: {
          404: MESSAGES.brokerNotConfigured,
          503: "No $SYS values have arrived yet within TESSERA_MQTT_TIMEOUT_SECONDS (a sentence)",
        },
      },
    },
  },
  "/api/broker/clients": {
    tag: "broker",
    operations: {
      get: brokerRead(
        "One page of the broker's clients, each with managed_by",
        broker.clientList,
        undefined,
        broker.listQuery,
      ),
      post: brokerWrite(
        "Create a client, pinned to its clientid (default: its username); without a password one is generated and shown in this answer only",
        broker.createdClient,
        undefined,
        broker.createClientSchema,
      ),
    },
  },
  "/api/broker/clients/[username]": {
    tag: "broker",
    operations: {
      get: brokerRead("One client, with managed_by", broker.brokerClient, broker.usernameParams),
      patch: brokerWrite(
        "Change what is sent (roles and groups replace the lists); not Tessera's clients",
        broker.brokerClient,
        broker.usernameParams,
        broker.modifyClientSchema,
      ),
      delete: brokerWrite(
        "Delete the client (its connections are dropped); not Tessera's clients",
        broker.deleted,
        broker.usernameParams,
      ),
    },
  },
  "/api/broker/clients/[username]/password": {
    tag: "broker",
    operations: {
      put: brokerWrite(
        "Set the password; without one, one is generated and shown in this answer only",
        broker.passwordSet,
        broker.usernameParams,
        broker.setPasswordSchema,
      ),
    },
  },
  "/api/broker/clients/[username]/enable": {
    tag: "broker",
    operations: {
      post: brokerWrite(
        "Enable the client: it may connect again; not Tessera's clients",
        broker.brokerClient,
        broker.usernameParams,
      ),
    },
  },
  "/api/broker/clients/[username]/disable": {
    tag: "broker",
    operations: {
      post: brokerWrite(
        "Disable the client: its open connections are dropped and it may not connect; not Tessera's clients",
        broker.brokerClient,
        broker.usernameParams,
      ),
    },
  },
  "/api/broker/roles": {
    tag: "broker",
    operations: {
      get: brokerRead(
        "One page of the broker's roles with their ACLs, each with managed_by",
        broker.roleList,
        undefined,
        broker.listQuery,
      ),
      post: brokerWrite("Create a role, with its ACLs", broker.brokerRole, undefined, broker.createRoleSchema),
    },
  },
  "/api/broker/roles/[rolename]": {
    tag: "broker",
    operations: {
      get: brokerRead("One role with its ACLs and managed_by", broker.brokerRole, broker.rolenameParams),
      patch: brokerWrite(
        "Change what is sent (acls replace the list); not Tessera's roles",
        broker.brokerRole,
        broker.rolenameParams,
        broker.modifyRoleSchema,
      ),
      delete: brokerWrite(
        "Delete the role (its clients and groups lose its ACLs); not Tessera's roles",
        broker.deleted,
        broker.rolenameParams,
      ),
    },
  },
  "/api/broker/roles/[rolename]/acls": {
    tag: "broker",
    operations: {
      post: brokerWrite(
        "Add one ACL {acltype, topic, priority, allow}; answers the role",
        broker.brokerRole,
        broker.rolenameParams,
        broker.addAclSchema,
      ),
      delete: {
        ...brokerWrite(
          "Remove the ACL named by ?acltype=&topic=; answers the role",
          broker.brokerRole,
          broker.rolenameParams,
        ),
        query: broker.removeAclQuery,
      },
    },
  },
  "/api/broker/groups": {
    tag: "broker",
    operations: {
      get: brokerRead(
        "One page of the broker's groups with their roles and clients",
        broker.groupList,
        undefined,
        broker.listQuery,
      ),
      post: brokerWrite(
        "Create a group, with its roles (none of Tessera's)",
        broker.brokerGroup,
        undefined,
        broker.createGroupSchema,
      ),
    },
  },
  "/api/broker/groups/[groupname]": {
    tag: "broker",
    operations: {
      get: brokerRead("One group with its roles and clients", broker.brokerGroup, broker.groupnameParams),
      patch: brokerWrite(
        "Change what is sent (roles replace the list; none of Tessera's)",
        broker.brokerGroup,
        broker.groupnameParams,
        broker.modifyGroupSchema,
      ),
      delete: brokerWrite("Delete the group (its clients lose its roles)", broker.deleted, broker.groupnameParams),
    },
  },
  "/api/broker/groups/[groupname]/clients": {
    tag: "broker",
    operations: {
      post: brokerWrite(
        "Add a client (not Tessera's); answers the group",
        broker.brokerGroup,
        broker.groupnameParams,
        broker.addGroupClientSchema,
      ),
    },
  },
  "/api/broker/groups/[groupname]/clients/[username]": {
    tag: "broker",
    operations: {
      delete: brokerWrite(
        "Remove the client from the group; answers the group",
        broker.brokerGroup,
        broker.groupClientParams,
      ),
    },
  },
  "/api/broker/groups/[groupname]/roles": {
    tag: "broker",
    operations: {
      post: brokerWrite(
        "Add a role (not Tessera's); answers the group",
        broker.brokerGroup,
        broker.groupnameParams,
        broker.addGroupRoleSchema,
      ),
    },
  },
  "/api/broker/groups/[groupname]/roles/[rolename]": {
    tag: "broker",
    operations: {
      delete: brokerWrite(
        "Remove the role from the group; answers the group",
        broker.brokerGroup,
        broker.groupRoleParams,
      ),
    },
  },
  "/api/broker/anonymous-group": {
    tag: "broker",
    operations: {
      get: brokerRead("The group anonymous clients get ({groupname}, null for none)", broker.anonymousGroup),
      put: brokerWrite(
        "Make that (existing) group the anonymous group",
        broker.anonymousGroup,
        undefined,
        broker.anonymousGroupSchema,
      ),
    },
  },
  "/api/broker/default-acl": {
    tag: "broker",
    operations: {
      get: brokerRead("What the broker does when no ACL matches, per acltype", broker.defaultAcl),
      put: brokerWrite(
        "Set those acltypes' defaults (the others stay)",
        broker.defaultAcl,
        undefined,
        broker.defaultAclSchema,
      ),
    },
  },
};
