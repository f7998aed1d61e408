"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { ListTable, type Column } from "@/components/ui/list-table.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import type { DeliveriesPageResponse, DeliveryResponse, WebhookResponse } from "@/lib/schemas/webhooks.ts";
import { useApiRead } from "../../_components/use-api-read.ts";

const PAGE = 25;

const STATUS_TONE = { delivered: "good", pending: "warning", failed: "neutral" } as const;

const columns: Column<DeliveryResponse>[] = [
  { heading: "When", cell: (row) => <LocalTime value={row.at} />, className: "whitespace-nowrap" },
  {
    heading: "Event",
    cell: (row) => (
      <span className="flex flex-col">
        <span className="font-mono text-xs text-slate-900">{row.type}</span>
        <span className="font-mono text-xs text-slate-500" title="webhook-id">
          {row.messageId}
        </span>
      </span>
    ),
  },
  { heading: "Attempt", cell: (row) => <span data-testid="delivery-attempt">{row.attempt}</span> },
  {
    heading: "Answer",
    cell: (row) =>
      row.statusCode === null ? (
        <span className="text-slate-400">none</span>
      ) : (
        <span data-testid="delivery-status" className={row.statusCode < 300 ? "text-emerald-700" : "text-red-700"}>
          {row.statusCode}
        </span>
      ),
    className: "tabular-nums",
  },
  { heading: "Time", cell: (row) => `${row.durationMs} ms`, className: "whitespace-nowrap tabular-nums" },
  {
    heading: "Error",
    cell: (row) => (row.error ? <span className="text-xs break-all text-red-700">{row.error}</span> : null),
  },
  {
    heading: "Message",
    cell: (row) => <Badge tone={STATUS_TONE[row.messageStatus]}>{row.messageStatus}</Badge>,
  },
];

/**
 * An endpoint's delivery log (GET /api/webhooks/{id}/deliveries): every attempt, newest first, a page at a time.
 * Read afresh each time it opens, and on Refresh (a test event is sent within a poll interval of its request).
 */
export function DeliveriesDialog({ endpoint, onClose }: { endpoint: WebhookResponse | null; onClose: () => void }) {
  return (
    <Dialog open={endpoint !== null} onClose={onClose} title={`Delivery log of ${endpoint?.url ?? ""}`} wide>
      {endpoint ? <Deliveries key={endpoint.id} id={endpoint.id} onClose={onClose} /> : null}
    </Dialog>
  );
}

// Mounted each time the dialog opens (the Dialog renders its children only while open), so it never shows an older
// answer.
function Deliveries({ id, onClose }: { id: string; onClose: () => void }) {
  // The cursors of the pages before this one, so that Newer can go back; [] on the first page.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
  const { result, reload } = useApiRead<DeliveriesPageResponse>(`/api/webhooks/${id}/deliveries?${query}`);
  return (
    <div className="space-y-4">
      {result === null ? (
        <p role="status" className="text-sm text-slate-500">
          Reading the delivery log…
        </p>
      ) : !result.ok ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {result.message}
        </p>
      ) : (
        <ListTable
          caption="Delivery attempts, newest first"
          columns={columns}
          rows={result.data.deliveries}
          rowKey={(row) => row.id}
          rowAttributes={(row) => ({ "data-testid": "delivery-row", "data-type": row.type })}
          empty="No attempts yet. Send a test event, then Refresh."
          className="max-h-[60vh] overflow-y-auto"
        />
      )}
      <div className="flex flex-wrap justify-between gap-2">
        <div className="flex gap-2">
          <Button variant="secondary" onClick={reload}>
            Refresh
          </Button>
          {cursors.length > 0 ? (
            <Button variant="secondary" onClick={() => setCursors((list) => list.slice(0, -1))}>
              Newer
            </Button>
          ) : null}
          {result?.ok && result.data.nextCursor ? (
            <Button variant="secondary" onClick={() => setCursors((list) => [...list, result.data.nextCursor!])}>
              Older
            </Button>
          ) : null}
        </div>
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      </div>
    </div>
  );
}
