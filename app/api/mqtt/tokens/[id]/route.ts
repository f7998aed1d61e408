import { z } from "zod";
import { ApiError } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { revokeMqttToken } from "@/lib/mqtt/credentials.ts";

const params = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "Malformed token_id: expected a UUID")
    .transform((id) => id.toLowerCase()),
});

// DELETE /api/mqtt/tokens/{token_id} - revoke now: the broker drops the connection
export const DELETE = withAuth(
  async ({ params: { id }, caller }) => {
    if (!(await revokeMqttToken(id, actorOf(caller)))) throw new ApiError("not_found", "MQTT credentials not found");
    return { token_id: id, revoked: true };
  },
  { params },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
