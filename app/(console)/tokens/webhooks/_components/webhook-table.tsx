"use client";

import { Badge } from "@/components/ui/badge.tsx";
import { ListTable, type Column } from "@/components/ui/list-table.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import { TrashIcon } from "@/components/ui/trash-icon.tsx";
import type { WebhookResponse } from "@/lib/schemas/webhooks.ts";

const action =
  "rounded px-1.5 py-1 text-xs font-medium text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600";

const columns: Column<WebhookResponse>[] = [
  {
    heading: "Endpoint",
    cell: (endpoint) => (
      <span className="flex max-w-xs flex-col">
        <span className="font-mono text-xs break-all text-slate-900" data-testid="webhook-url">
          {endpoint.url}
        </span>
        {endpoint.description ? <span className="text-xs text-slate-500">{endpoint.description}</span> : null}
      </span>
    ),
  },
  {
    heading: "Events",
    cell: (endpoint) => (
      <ul className="space-y-0.5 font-mono text-xs text-slate-700">
        {endpoint.events.map((event) => (
          <li key={event}>
            {event}
            {event === "token.expiring" ? (
              <span className="font-sans text-slate-500"> ({endpoint.expiringDays.join(", ")} days before)</span>
            ) : null}
          </li>
        ))}
      </ul>
    ),
  },
  {
    heading: "Status",
    cell: (endpoint) => (
      <span className="inline-flex flex-col items-start gap-0.5" data-testid="webhook-status">
        <Badge tone={endpoint.enabled ? "good" : "warning"}>{endpoint.enabled ? "Enabled" : "Disabled"}</Badge>
        {endpoint.disabledReason ? <span className="text-xs text-slate-500">{endpoint.disabledReason}</span> : null}
        {endpoint.failingSince ? (
          <span className="text-xs whitespace-nowrap text-red-700">
            failing since <LocalTime value={endpoint.failingSince} />
          </span>
        ) : null}
      </span>
    ),
  },
  {
    heading: "Pending",
    cell: (endpoint) => <span data-testid="webhook-pending">{endpoint.pending}</span>,
    className: "tabular-nums text-right",
  },
  {
    heading: "Created",
    cell: (endpoint) => (
      <span className="flex flex-col">
        <LocalTime value={endpoint.createdAt} />
        <span className="text-xs text-slate-500">by {endpoint.createdBy}</span>
      </span>
    ),
    className: "whitespace-nowrap",
  },
];

export function WebhookTable({
  endpoints,
  onToggleEnabled,
  onSendTest,
  onShowDeliveries,
  onDelete,
}: {
  endpoints: WebhookResponse[];
  onToggleEnabled: (endpoint: WebhookResponse) => void;
  onSendTest: (endpoint: WebhookResponse) => void;
  onShowDeliveries: (endpoint: WebhookResponse) => void;
  onDelete: (endpoint: WebhookResponse) => void;
}) {
  if (endpoints.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
        <p className="font-medium text-slate-900">No webhook endpoints yet</p>
        <p className="mt-1 text-sm text-slate-600">
          Add one with New endpoint to be told when tokens are about to expire.
        </p>
      </div>
    );
  }
  return (
    <ListTable
      caption="Webhook endpoints"
      columns={columns}
      rows={endpoints}
      rowKey={(endpoint) => endpoint.id}
      rowAttributes={(endpoint) => ({ "data-testid": "webhook-row", "data-url": endpoint.url })}
      action={(endpoint) => {
        // Each button's name says which endpoint it acts on; the visible word is short so the row fits.
        const toggle = endpoint.enabled ? "Disable" : "Enable";
        return (
          <span className="inline-flex items-center gap-1 whitespace-nowrap">
            <button
              type="button"
              aria-label={`Delivery log of ${endpoint.url}`}
              title="Delivery log"
              onClick={() => onShowDeliveries(endpoint)}
              className={action}
            >
              Deliveries
            </button>
            <button
              type="button"
              aria-label={`Send test event to ${endpoint.url}`}
              title="Send test event"
              onClick={() => onSendTest(endpoint)}
              className={action}
            >
              Test
            </button>
            <button
              type="button"
              aria-label={`${toggle} ${endpoint.url}`}
              title={toggle}
              onClick={() => onToggleEnabled(endpoint)}
              className={action}
            >
              {toggle}
            </button>
            <button
              type="button"
              aria-label={`Delete ${endpoint.url}`}
              title="Delete"
              onClick={() => onDelete(endpoint)}
              className="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600 focus-visible:outline-2 focus-visible:outline-red-600"
            >
              <TrashIcon />
            </button>
          </span>
        );
      }}
    />
  );
}
