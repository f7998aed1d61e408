import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { actorOf } from "@/lib/audit/record.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { listDevices, registerDevice, registerDeviceSchema } from "@/lib/devices/devices.ts";

// GET /api/devices - the registered devices (admin)
export const GET = withAuth(async () => listDevices());

// POST /api/devices {id, role?} - register a device: its broker client is created, its MQTT password shown in this answer only
export const POST = withAuth(async ({ caller, body }) => registerDevice(actorOf(caller), body), {
  body: registerDeviceSchema,
});

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
