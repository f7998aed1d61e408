import { listWebhooks } from "@/lib/webhooks/endpoints.ts";
import { openView } from "../../_components/view-gate.tsx";
import { WebhooksView } from "./_components/webhooks-view.tsx";

export const metadata = { title: "Webhooks · Tessera" };

// GET /tokens/webhooks - the webhook endpoints, each with its delivery log and a test event (admin)
export default async function WebhooksPage() {
  await openView("webhooks");
  return <WebhooksView initial={await listWebhooks()} />;
}
