import { NoBroker, openBrokerView } from "../_components/broker-gate.tsx";
import { brokerAbilities } from "../_components/broker-views.ts";
import { RolesView } from "./_components/roles-view.tsx";

export const metadata = { title: "Broker roles · Tessera" };

// GET /broker/roles - the broker's dynamic security roles (dynsec:read; writes need dynsec:write)
export default async function BrokerRolesPage() {
  const { user, configured } = await openBrokerView("roles");
  if (!configured) return <NoBroker title="Broker roles" />;
  return <RolesView abilities={brokerAbilities(user.role)} />;
}
