import { NoBroker, openBrokerView } from "../_components/broker-gate.tsx";
import { brokerAbilities } from "../_components/broker-views.ts";
import { GroupsView } from "./_components/groups-view.tsx";

export const metadata = { title: "Broker groups · Tessera" };

// GET /broker/groups - the broker's dynamic security groups (dynsec:read; writes need dynsec:write)
export default async function BrokerGroupsPage() {
  const { user, configured } = await openBrokerView("groups");
  if (!configured) return <NoBroker title="Broker groups" />;
  return <GroupsView abilities={brokerAbilities(user.role)} />;
}
