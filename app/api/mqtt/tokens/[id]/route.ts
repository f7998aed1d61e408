import { ApiError } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { revokeMqttToken } from "@/lib/mqtt/credentials.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// DELETE /api/mqtt/tokens/{token_id} - revoke now: the broker drops the connection
export const DELETE = withAuth(
  async ({ params }) => {
    const id = params.id!;
    if (!UUID.test(id)) throw new ApiError("bad_request", "Malformed token_id: expected a UUID");
    if (!(await revokeMqttToken(id.toLowerCase()))) throw new ApiError("not_found", "MQTT credentials not found");
    return { token_id: id.toLowerCase(), revoked: true };
  },
  { permission: "mqtt:credentials" },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
