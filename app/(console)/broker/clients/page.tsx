import { NoBroker, openBrokerView } from "../_components/broker-gate.tsx";
import { brokerAbilities } from "../_components/broker-views.ts";
import { ClientsView } from "./_components/clients-view.tsx";

export const metadata = { title: "Broker clients · Tessera" };

// GET /broker/clients - the broker's dynamic security clients (dynsec:clients:read; writes need dynsec:write, enable/disable broker:connections)
export default async function BrokerClientsPage() {
  const { user, configured } = await openBrokerView("clients");
  if (!configured) return <NoBroker title="Broker clients" />;
  return <ClientsView abilities={brokerAbilities(user.role)} />;
}
