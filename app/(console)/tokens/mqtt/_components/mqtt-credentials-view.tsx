"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { ListTable, type ListSpec } from "@/components/ui/list-table.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import type { MqttTokenListItem } from "@/lib/schemas/mqtt.ts";
import { callApi } from "../../_components/api.ts";
import { useConfirmAction } from "../../_components/use-confirm-action.ts";
import { ViewHeading } from "../../../_components/view-heading.tsx";

const TONE = { active: "good", expired: "warning", disabled: "neutral" } as const;

const LIST: ListSpec<MqttTokenListItem> = {
  caption: "MQTT credentials",
  columns: [
    { heading: "User email", cell: (item) => item.user_email, className: "font-medium text-slate-900" },
    { heading: "MQTT username", cell: (item) => item.username, className: "font-mono text-xs" },
    { heading: "Requested by", cell: (item) => item.requested_by },
    {
      heading: "Expires",
      cell: (item) => <LocalTime value={item.expires_at} relative />,
      className: "whitespace-nowrap",
    },
    { heading: "Status", cell: (item) => <Badge tone={TONE[item.status]}>{item.status}</Badge> },
  ],
  rowKey: (item) => item.token_id,
  rowAttributes: (item) => ({ "data-testid": "mqtt-row", "data-email": item.user_email }),
  empty: "No MQTT credentials yet.",
};

export function MqttCredentialsView({ initial }: { initial: MqttTokenListItem[] }) {
  const [items, setItems] = useState(initial);
  const revoke = useConfirmAction(
    (item: MqttTokenListItem) => callApi<{ token_id: string }>("DELETE", `/api/mqtt/tokens/${item.token_id}`),
    (item) => setItems((current) => current.filter((other) => other.token_id !== item.token_id)),
  );

  return (
    <section aria-labelledby="mqtt-heading">
      <ViewHeading id="mqtt-heading" title="MQTT credentials">
        Short-lived broker credentials minted for end users over the API (POST /api/mqtt/tokens or /v2/tokens/create).
        Passwords are shown only to the backend that minted them.
      </ViewHeading>
      <ListTable
        {...LIST}
        rows={items}
        action={(item) => (
          <Button
            variant="secondary"
            onClick={() => revoke.ask(item)}
            aria-label={`Revoke MQTT credentials of ${item.user_email}`}
          >
            Revoke
          </Button>
        )}
        className="mt-6"
      />
      <ConfirmDialog {...revoke.dialog} title="Revoke MQTT credentials" action="Revoke" pendingAction="Revoking…">
        Revoke the credentials of <strong className="font-semibold text-slate-900">{revoke.target?.user_email}</strong>?
        The broker disconnects a device using them at once.
      </ConfirmDialog>
    </section>
  );
}
