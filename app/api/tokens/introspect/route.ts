import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { readJsonOrFormBody } from "@/lib/api/read-body.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { introspectionRequest, type IntrospectionRequest } from "@/lib/schemas/introspection.ts";
import { introspect } from "@/lib/tokens/introspect.ts";

// POST /api/tokens/introspect - RFC 7662: token=<token> (form or JSON); {"active": true, ...} for a token in use,
// exactly {"active": false} for anything else (admin, introspector)
export const POST = withAuth<IntrospectionRequest>(async ({ body, caller }) => introspect(body.token, caller.address), {
  readBody: (req) => readJsonOrFormBody(req, introspectionRequest),
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
