"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { ListSpec } from "@/components/ui/list-table.tsx";
import type { BrokerClient } from "@/lib/schemas/broker.ts";
import { callApi } from "../../../tokens/_components/api.ts";
import { useConfirmAction } from "../../../tokens/_components/use-confirm-action.ts";
import type { BrokerAbilities } from "../../_components/broker-views.ts";
import { ManagedBadge } from "../../_components/managed-badge.tsx";
import { Names, RowActions } from "../../_components/row-actions.tsx";
import { segment } from "../../_components/send-form.ts";
import { ShownOnceDialog } from "../../_components/shown-once-dialog.tsx";
import { useBrokerList } from "../../_components/use-broker-list.ts";
import { ClientDialog } from "./client-dialog.tsx";
import { PasswordDialog } from "./password-dialog.tsx";
import { PagedList } from "../../_components/paged-list.tsx";
import { ViewHeading } from "../../../_components/view-heading.tsx";

const LIST: ListSpec<BrokerClient> = {
  caption: "Broker clients",
  columns: [
    {
      heading: "Username",
      cell: (client) => (
        <span className="inline-flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-900">{client.username}</span>
          <ManagedBadge managedBy={client.managed_by} />
        </span>
      ),
    },
    { heading: "Client id", cell: (client) => client.clientid ?? "any", className: "font-mono text-xs" },
    { heading: "Text name", cell: (client) => client.textname },
    { heading: "Roles", cell: (client) => <Names names={client.roles.map((role) => role.rolename)} /> },
    { heading: "Groups", cell: (client) => <Names names={client.groups.map((group) => group.groupname)} /> },
    {
      heading: "Status",
      cell: (client) => (
        <Badge tone={client.disabled ? "neutral" : "good"}>{client.disabled ? "disabled" : "enabled"}</Badge>
      ),
    },
  ],
  rowKey: (client) => client.username,
  rowAttributes: (client) => ({ "data-testid": "client-row", "data-username": client.username }),
  empty: "No clients on the broker yet.",
};

export function ClientsView({ abilities }: { abilities: BrokerAbilities }) {
  const list = useBrokerList<BrokerClient>("clients");
  // The open dialog: a new client, an edit, a password to set; and a password to show once.
  const [dialog, setDialog] = useState<{ kind: "new" } | { kind: "edit" | "password"; client: BrokerClient }>();
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const [actionError, setActionError] = useState<string>();
  const remove = useConfirmAction(
    (client: BrokerClient) => callApi<{ deleted: string }>("DELETE", `/api/broker/clients/${segment(client.username)}`),
    () => list.reload(),
  );
  const disable = useConfirmAction(
    (client: BrokerClient) => callApi<unknown>("POST", `/api/broker/clients/${segment(client.username)}/disable`),
    () => list.reload(),
  );

  // Enable: at once (nothing is lost by it); a refusal is the server's sentence above the list.
  async function enable(client: BrokerClient) {
    const result = await callApi<unknown>("POST", `/api/broker/clients/${segment(client.username)}/enable`);
    setActionError(result.ok ? undefined : result.message);
    list.reload();
  }

  // What the role may do to a client Tessera does not own; an owned one has no actions (the API refuses them).
  function actions(client: BrokerClient): [string, () => void][] {
    if (client.managed_by) return [];
    const all: [string, () => void][] = [];
    if (abilities.write) all.push(["Edit", () => setDialog({ kind: "edit", client })]);
    if (abilities.write) all.push(["Set password", () => setDialog({ kind: "password", client })]);
    if (abilities.connections)
      all.push(client.disabled ? ["Enable", () => void enable(client)] : ["Disable", () => disable.ask(client)]);
    if (abilities.write) all.push(["Delete", () => remove.ask(client)]);
    return all;
  }

  return (
    <section aria-labelledby="broker-clients-heading">
      <ViewHeading
        id="broker-clients-heading"
        title="Broker clients"
        action={
          abilities.write ? (
            <Button onClick={() => setDialog({ kind: "new" })}>
              <span aria-hidden="true">+</span> New client
            </Button>
          ) : null
        }
      >
        The broker&apos;s dynamic security clients: who may connect, with which roles and groups. Clients a Tessera
        feature manages are shown with its name and changed only through it.
      </ViewHeading>
      <PagedList
        spec={LIST}
        list={list}
        error={actionError}
        action={(client) => <RowActions name={client.username} actions={actions(client)} />}
      />
      {dialog?.kind === "new" || dialog?.kind === "edit" ? (
        <ClientDialog
          key={dialog.kind === "edit" ? dialog.client.username : ""}
          open
          client={dialog.kind === "edit" ? dialog.client : undefined}
          abilities={abilities}
          onClose={(saved) => {
            setDialog(undefined);
            if (!saved) return;
            if (saved.password) setSecret({ username: saved.username, password: saved.password });
            list.reload();
          }}
        />
      ) : null}
      {dialog?.kind === "password" ? (
        <PasswordDialog
          username={dialog.client.username}
          onClose={(set) => {
            setDialog(undefined);
            if (set?.password) setSecret({ username: set.username, password: set.password });
          }}
        />
      ) : null}
      <ShownOnceDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog {...remove.dialog} title="Delete client" action="Delete" pendingAction="Deleting…">
        Delete <strong className="font-semibold text-slate-900">{remove.target?.username}</strong> from the broker? Its
        open connections are dropped and it cannot connect again. This cannot be undone.
      </ConfirmDialog>
      <ConfirmDialog {...disable.dialog} title="Disable client" action="Disable" pendingAction="Disabling…">
        Disable <strong className="font-semibold text-slate-900">{disable.target?.username}</strong>? Its open
        connections are dropped and it cannot connect until it is enabled again.
      </ConfirmDialog>
    </section>
  );
}
