import "server-only";
import { anonymousGroup, defaultAcl } from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";

// The broker-wide settings of dynamic security: the group anonymous clients
// get, and the default ACL access (what happens when no ACL matches). Both
// are generic: Tessera relies on neither.

export async function getAnonymousGroup(context: BrokerContext) {
  const [response] = await run(context, [{ command: "getAnonymousGroup" }]);
  const group = dataOf<{ groupname?: string }>(response, "group");
  return anonymousGroup.parse({ groupname: group?.groupname || null });
}

export async function setAnonymousGroup(context: BrokerContext, groupname: string) {
  await run(context, [{ command: "setAnonymousGroup", groupname }]);
  return getAnonymousGroup(context);
}

export async function getDefaultAcl(context: BrokerContext) {
  const [response] = await run(context, [{ command: "getDefaultACLAccess" }]);
  return defaultAcl.parse({ acls: dataOf<unknown[]>(response, "acls") ?? [] });
}

export async function setDefaultAcl(context: BrokerContext, acls: { acltype: string; allow: boolean }[]) {
  await run(context, [{ command: "setDefaultACLAccess", acls }]);
  return getDefaultAcl(context);
}
