import { forbidden } from "next/navigation";
import { can } from "@/lib/auth/permissions.ts";
import { currentSessionUser } from "@/lib/auth/current-session.ts";
import { env } from "@/lib/env.ts";
import { listMqttTokens } from "@/lib/mqtt/credentials.ts";
import { MqttCredentialsView } from "./_components/mqtt-credentials-view.tsx";

export const metadata = { title: "MQTT credentials · Tessera" };

// GET /tokens/mqtt - end users' short-lived MQTT credentials (admin, connectionManager)
export default async function MqttCredentialsPage() {
  const user = await currentSessionUser();
  if (!user || !can(user.role, "mqtt:credentials")) forbidden();
  if (!env().TESSERA_MQTT_URL) {
    return (
      <p className="text-slate-600">
        MQTT credentials are not enabled on this server: set TESSERA_MQTT_URL and the broker&apos;s admin credentials
        (README, MQTT credentials).
      </p>
    );
  }
  return <MqttCredentialsView initial={await listMqttTokens()} />;
}
