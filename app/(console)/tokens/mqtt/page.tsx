import { listMqttTokens } from "@/lib/mqtt/credentials.ts";
import { openView, SwitchedOff } from "../../_components/view-gate.tsx";
import { MqttCredentialsView } from "./_components/mqtt-credentials-view.tsx";

export const metadata = { title: "MQTT credentials · Tessera" };

// GET /tokens/mqtt - end users' short-lived MQTT credentials (admin, connectionManager)
export default async function MqttCredentialsPage() {
  if (!(await openView("mqtt"))) return <SwitchedOff view="mqtt" />;
  return <MqttCredentialsView initial={await listMqttTokens()} />;
}
