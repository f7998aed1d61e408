import { Badge } from "@/components/ui/badge.tsx";
import type { MANAGED_BY } from "@/lib/schemas/broker.ts";

/** The feature that owns an object, as the console names it. */
const FEATURE: Record<(typeof MANAGED_BY)[number], string> = {
  "mqtt-credentials": "MQTT credentials",
  devices: "Devices",
  tessera: "Tessera",
};

/** "Managed by Devices": shown on an object a Tessera feature owns, which the generic API will not change. */
export function ManagedBadge({ managedBy }: { managedBy: (typeof MANAGED_BY)[number] | null }) {
  if (!managedBy) return null;
  return <Badge tone="warning">{`Managed by ${FEATURE[managedBy]}`}</Badge>;
}
