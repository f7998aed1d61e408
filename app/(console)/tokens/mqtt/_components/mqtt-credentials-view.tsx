"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { ListTable } from "@/components/ui/list-table.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import type { MqttTokenListItem } from "@/lib/schemas/mqtt.ts";
import { callApi } from "../../_components/api.ts";

const STATUS_STYLE: Record<MqttTokenListItem["status"], string> = {
  active: "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200",
  expired: "bg-amber-50 text-amber-800 ring-1 ring-amber-200",
  disabled: "bg-slate-100 text-slate-600 ring-1 ring-slate-200",
};

export function MqttCredentialsView({ initial }: { initial: MqttTokenListItem[] }) {
  const [items, setItems] = useState(initial);
  const [revoking, setRevoking] = useState<MqttTokenListItem | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function revoke() {
    if (!revoking) return;
    setPending(true);
    const result = await callApi<{ token_id: string }>("DELETE", `/api/mqtt/tokens/${revoking.token_id}`);
    setPending(false);
    if (result.ok) {
      setItems((current) => current.filter((item) => item.token_id !== revoking.token_id));
      setRevoking(null);
      setError(undefined);
    } else setError(result.message);
  }

  return (
    <section aria-labelledby="mqtt-heading">
      <h1 id="mqtt-heading" className="text-2xl font-semibold tracking-tight">
        MQTT credentials
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        Short-lived broker credentials minted for end users over the API (POST /api/mqtt/tokens or /v2/tokens/create).
        Passwords are shown only to the backend that minted them.
      </p>
      <ListTable
        caption="MQTT credentials"
        columns={["User email", "MQTT username", "Requested by", "Expires", "Status"]}
        empty="No MQTT credentials yet."
        className="mt-6"
      >
        {items.map((item) => (
          <tr key={item.token_id} data-testid="mqtt-row" data-email={item.user_email} className="hover:bg-slate-50">
            <td className="px-3 py-2 font-medium text-slate-900">{item.user_email}</td>
            <td className="px-3 py-2 font-mono text-xs">{item.username}</td>
            <td className="px-3 py-2">{item.requested_by}</td>
            <td className="px-3 py-2 whitespace-nowrap">
              <LocalTime value={item.expires_at} relative />
            </td>
            <td className="px-3 py-2">
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[item.status]}`}>
                {item.status}
              </span>
            </td>
            <td className="px-3 py-2 text-right">
              <Button
                variant="secondary"
                onClick={() => setRevoking(item)}
                aria-label={`Revoke MQTT credentials of ${item.user_email}`}
              >
                Revoke
              </Button>
            </td>
          </tr>
        ))}
      </ListTable>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke MQTT credentials"
        error={error}
        pending={pending}
        action="Revoke"
        pendingAction="Revoking…"
        onConfirm={revoke}
        onClose={() => setRevoking(null)}
      >
        Revoke the credentials of <strong className="font-semibold text-slate-900">{revoking?.user_email}</strong>? The
        broker disconnects a device using them at once.
      </ConfirmDialog>
    </section>
  );
}
