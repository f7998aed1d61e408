import { NoBroker, openBrokerView } from "../_components/broker-gate.tsx";
import { StatusPanel } from "./_components/status-panel.tsx";
import { ViewHeading } from "../../_components/view-heading.tsx";

export const metadata = { title: "Broker status · Tessera" };

// GET /broker - the broker's $SYS figures (every role)
export default async function BrokerStatusPage() {
  const { configured } = await openBrokerView("status");
  return (
    <section aria-labelledby="broker-status-heading">
      <ViewHeading id="broker-status-heading" title="Broker status">
        What the broker publishes in its $SYS tree, as Tessera last received it (GET /api/broker/status).
      </ViewHeading>
      <div className="mt-6">{configured ? <StatusPanel /> : <NoBroker />}</div>
    </section>
  );
}
