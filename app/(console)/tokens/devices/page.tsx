import { forbidden } from "next/navigation";
import { can, ROLES } from "@/lib/auth/permissions.ts";
import { currentSessionUser } from "@/lib/auth/current-session.ts";
import { listDevices } from "@/lib/devices/devices.ts";
import { env } from "@/lib/env.ts";
import { DevicesView } from "./_components/devices-view.tsx";

export const metadata = { title: "Devices · Tessera" };

// GET /tokens/devices - devices that get REST tokens over MQTT (admin)
export default async function DevicesPage() {
  const user = await currentSessionUser();
  if (!user || !can(user.role, "devices:manage")) forbidden();
  const settings = env();
  if (!settings.TESSERA_MQTT_URL) {
    return (
      <p className="text-slate-600">
        Device tokens need a broker: set TESSERA_MQTT_URL and the broker&apos;s admin credentials (README, Device tokens
        over MQTT).
      </p>
    );
  }
  return <DevicesView initial={await listDevices()} roles={[...ROLES]} defaultRole={settings.TESSERA_DEVICE_ROLE} />;
}
