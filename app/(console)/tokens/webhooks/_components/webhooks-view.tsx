"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { WebhookResponse } from "@/lib/schemas/webhooks.ts";
import { ViewHeading } from "../../../_components/view-heading.tsx";
import { callApi } from "../../_components/api.ts";
import { useConfirmAction } from "../../_components/use-confirm-action.ts";
import { DeliveriesDialog } from "./deliveries-dialog.tsx";
import { NewWebhookDialog } from "./new-webhook-dialog.tsx";
import { WebhookTable } from "./webhook-table.tsx";

/** A sentence under the heading: what the last action did, or the server's refusal of it. */
type Notice = { tone: "info" | "error"; text: string };

export function WebhooksView({ initial }: { initial: WebhookResponse[] }) {
  const [endpoints, setEndpoints] = useState(initial);
  const [creating, setCreating] = useState(false);
  const [inspecting, setInspecting] = useState<WebhookResponse | null>(null);
  const [notice, setNotice] = useState<Notice>();

  /** The list again: its pending counts change as messages are stored and delivered. */
  async function reload() {
    const result = await callApi<WebhookResponse[]>("GET", "/api/webhooks");
    if (result.ok) setEndpoints(result.data);
  }
  const replace = (changed: WebhookResponse) =>
    setEndpoints((current) => current.map((row) => (row.id === changed.id ? changed : row)));

  // Disabling stops sending (messages wait) and enabling resumes it: reversible, so no confirmation.
  async function toggleEnabled(endpoint: WebhookResponse) {
    setNotice(undefined);
    const result = await callApi<WebhookResponse>("PATCH", `/api/webhooks/${endpoint.id}`, {
      enabled: !endpoint.enabled,
    });
    if (!result.ok) return setNotice({ tone: "error", text: result.message });
    replace(result.data);
  }

  async function sendTest(endpoint: WebhookResponse) {
    setNotice(undefined);
    const result = await callApi<{ messageId: string }>("POST", `/api/webhooks/${endpoint.id}/test`);
    if (!result.ok) return setNotice({ tone: "error", text: result.message });
    setNotice({
      tone: "info",
      text: `Test event ${result.data.messageId} queued for ${endpoint.url}${endpoint.enabled ? "" : " (sent once the endpoint is enabled)"}. Its attempts are in the endpoint's delivery log.`,
    });
    void reload();
  }

  const remove = useConfirmAction(
    (endpoint: WebhookResponse) => callApi<{ id: string; deleted: true }>("DELETE", `/api/webhooks/${endpoint.id}`),
    (endpoint) => setEndpoints((current) => current.filter((row) => row.id !== endpoint.id)),
  );

  return (
    <section aria-labelledby="webhooks-heading">
      <ViewHeading
        id="webhooks-heading"
        title="Webhooks"
        action={
          <Button onClick={() => setCreating(true)}>
            <span aria-hidden="true">+</span> New endpoint
          </Button>
        }
      >
        Tessera posts signed Standard Webhooks messages to these URLs when tokens near their expiry, expire, are revoked
        or rotated.
      </ViewHeading>
      {notice ? (
        <p
          role={notice.tone === "error" ? "alert" : "status"}
          className={`mt-4 rounded-md px-3 py-2 text-sm ring-1 ${notice.tone === "error" ? "bg-red-50 text-red-800 ring-red-200" : "bg-slate-50 text-slate-700 ring-slate-200"}`}
        >
          {notice.text}
        </p>
      ) : null}
      <div className="mt-6">
        <WebhookTable
          endpoints={endpoints}
          onToggleEnabled={(endpoint) => void toggleEnabled(endpoint)}
          onSendTest={(endpoint) => void sendTest(endpoint)}
          onShowDeliveries={setInspecting}
          onDelete={remove.ask}
        />
      </div>
      <DeliveriesDialog
        endpoint={inspecting}
        onClose={() => {
          setInspecting(null);
          void reload();
        }}
      />
      <NewWebhookDialog
        open={creating}
        onClose={(created) => {
          setCreating(false);
          if (created) setEndpoints((current) => [...current.filter((row) => row.id !== created.id), created]);
        }}
      />
      <ConfirmDialog {...remove.dialog} title="Delete endpoint" action="Delete" pendingAction="Deleting…">
        Delete <strong className="font-semibold break-all text-slate-900">{remove.target?.url}</strong>? Its undelivered
        messages and its delivery log go with it. This cannot be undone.
      </ConfirmDialog>
    </section>
  );
}
