import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { databaseIsUp } from "@/lib/db.ts";
import { env } from "@/lib/env.ts";
import { mqttHealth } from "@/lib/mqtt/health.ts";

// GET /api/health - the state of each component (no auth). The status code is
// about the database alone (200 when it answers, 503 otherwise): a load
// balancer must not drop an instance because the broker is down, which every
// instance shares; the mqtt fields say what works (this process's worker, or
// where it runs none, the live workers' rows: README "Health").
export async function GET() {
  const up = await databaseIsUp();
  const mqtt = !env().TESSERA_MQTT_URL ? "disabled" : await mqttHealth(up);
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
