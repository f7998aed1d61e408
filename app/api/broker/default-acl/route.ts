import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { getDefaultAcl, setDefaultAcl } from "@/lib/broker/defaults.ts";
import { defaultAclSchema } from "@/lib/schemas/broker.ts";

// GET /api/broker/default-acl - what the broker does when no ACL matches, per acltype
export const GET = withAuth(async () => getDefaultAcl(brokerContext()));

// PUT /api/broker/default-acl {acls: [{acltype, allow}]} - set those acltypes' defaults (the others stay)
export const PUT = withAuth(async ({ body }) => setDefaultAcl(brokerContext(), body.acls), {
  body: defaultAclSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "PUT"]);
