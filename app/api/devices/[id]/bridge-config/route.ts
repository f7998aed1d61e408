import { z } from "zod";
import { ApiError, textResponse } from "@/lib/api/errors.ts";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { db } from "@/lib/db.ts";
import { bridgeConfig } from "@/lib/devices/bridge-config.ts";
import { assertDeviceId } from "@/lib/devices/devices.ts";
import { env } from "@/lib/env.ts";

// GET /api/devices/{id}/bridge-config[?address=host:port] - the mosquitto.conf snippet for the device's own broker (admin; no password in it)
export const GET = withAuth(
  async ({ params, query }) => {
    assertDeviceId(params.id!);
    const device = await db().device.findUnique({ where: { id: params.id! }, select: { id: true } });
    if (!device) throw new ApiError("not_found", "Device not found");
    try {
      return textResponse(200, bridgeConfig(env(), device.id, { address: query.address }));
    } catch (error) {
      throw new ApiError("bad_request", (error as Error).message);
    }
  },
  { query: z.object({ address: z.string().optional() }) },
);

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
