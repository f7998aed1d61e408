import "server-only";
import { ApiError } from "../api/errors.ts";
import { anonymousGroup, defaultAcl } from "../schemas/broker.ts";
import { dataOf, run, type BrokerContext } from "./connection.ts";

// The broker-wide settings of dynamic security: the group anonymous clients
// get, and the default ACL access (what happens when no ACL matches). Both
// are generic (Tessera relies on neither), except that nothing may be opened
// by default that no ACL could then guard.

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

/**
 * Allowing publishClientSend or subscribe by default is refused: every
 * client without a matching ACL could then publish to $CONTROL (administer
 * the broker) or subscribe to the device token topics.
 */
export async function setDefaultAcl(context: BrokerContext, acls: { acltype: string; allow: boolean }[]) {
  const open = acls.find((acl) => acl.allow && (acl.acltype === "publishClientSend" || acl.acltype === "subscribe"));
  if (open)
    throw new ApiError(
      "bad_request",
      `Allowing ${open.acltype} by default is refused: every client could then reach $CONTROL and the device token topics`,
    );
  await run(context, [{ command: "setDefaultACLAccess", acls }]);
  return getDefaultAcl(context);
}
