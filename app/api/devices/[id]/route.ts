import { ApiError } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { removeDevice } from "@/lib/devices/devices.ts";

// DELETE /api/devices/{id} - remove the device: its broker client (connection dropped) and every token it was issued
export const DELETE = withAuth(async ({ params, caller }) => {
  if (!(await removeDevice(params.id!, actorOf(caller)))) throw new ApiError("not_found", "Device not found");
  return { id: params.id, removed: true };
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { GET, HEAD, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
