import { NoBroker, openBrokerView } from "../_components/broker-gate.tsx";
import { StatusPanel } from "./_components/status-panel.tsx";

export const metadata = { title: "Broker status · Tessera" };

// GET /broker - the broker's $SYS figures (every role)
export default async function BrokerStatusPage() {
  const { configured } = await openBrokerView("status");
  return (
    <section aria-labelledby="broker-status-heading">
      <h1 id="broker-status-heading" className="text-2xl font-semibold tracking-tight">
        Broker status
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        What the broker publishes in its $SYS tree, as Tessera last received it (GET /api/broker/status).
      </p>
      <div className="mt-6">{configured ? <StatusPanel /> : <NoBroker />}</div>
    </section>
  );
}
