import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { databaseIsUp } from "@/lib/db.ts";
import { env } from "@/lib/env.ts";
import { mqttService } from "@/lib/mqtt/service.ts";

// GET /api/health - the state of each component (no auth). The status code is
// about the database alone (200 when it answers, 503 otherwise): a load
// balancer must not drop an instance because the broker is down, which every
// instance shares; the mqtt fields say what works.
export async function GET() {
  const up = await databaseIsUp();
  const service = mqttService();
  const mqtt = !env().TESSERA_MQTT_URL
    ? "disabled"
    : service
      ? await service.health()
      : {
          broker: "unavailable",
          responder: "starting",
          reconcile: { state: "pending", last_success_at: null, leader: null },
        };
  const status = !up
    ? "unavailable"
    : typeof mqtt === "object" &&
        (mqtt.broker !== "ok" || mqtt.reconcile.state === "failing" || !["ok", "off"].includes(mqtt.responder))
      ? "degraded"
      : "ok";
  return Response.json(
    { status, database: up ? "ok" : "unavailable", mqtt },
    { status: up ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
