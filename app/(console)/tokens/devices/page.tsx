import { ROLES } from "@/lib/auth/permissions.ts";
import { listDevices } from "@/lib/devices/devices.ts";
import { openView, SwitchedOff } from "../../_components/view-gate.tsx";
import { DevicesView } from "./_components/devices-view.tsx";

export const metadata = { title: "Devices · Tessera" };

// GET /tokens/devices - devices that get REST tokens over MQTT (admin)
export default async function DevicesPage() {
  const settings = await openView("devices");
  if (!settings) return <SwitchedOff view="devices" />;
  return <DevicesView initial={await listDevices()} roles={[...ROLES]} defaultRole={settings.TESSERA_DEVICE_ROLE} />;
}
