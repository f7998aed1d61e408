"use client";

import { useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { ListSpec } from "@/components/ui/list-table.tsx";
import { createGroupSchema, modifyGroupSchema, type BrokerGroup } from "@/lib/schemas/broker.ts";
import { callApi } from "../../../tokens/_components/api.ts";
import { useConfirmAction } from "../../../tokens/_components/use-confirm-action.ts";
import type { BrokerAbilities } from "../../_components/broker-views.ts";
import { ManagedBadge } from "../../_components/managed-badge.tsx";
import { NamedObjectDialog, type NamedKind } from "../../_components/named-object-dialog.tsx";
import { Names, RowActions } from "../../_components/row-actions.tsx";
import { segment } from "../../_components/send-form.ts";
import { useBrokerList } from "../../_components/use-broker-list.ts";
import { MembersDialog } from "./members-dialog.tsx";
import { PagedList } from "../../_components/paged-list.tsx";
import { ViewHeading } from "../../../_components/view-heading.tsx";

/** The new and edit dialog's group: ids `group-groupname`, `group-textname`, `group-textdescription`. */
const GROUP: NamedKind<"groupname"> = {
  kind: "group",
  nameKey: "groupname",
  nameLabel: "Group name",
  createSchema: createGroupSchema,
  modifySchema: modifyGroupSchema,
};

/** The list; `anonymous` is the group clients without a username get (its row says so). */
const list = (anonymous: string | null): ListSpec<BrokerGroup> => ({
  caption: "Broker groups",
  columns: [
    {
      heading: "Group",
      cell: (group) => (
        <span className="inline-flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-900">{group.groupname}</span>
          {group.groupname === anonymous ? <Badge tone="neutral">anonymous</Badge> : null}
          <ManagedBadge managedBy={group.managed_by} />
        </span>
      ),
    },
    { heading: "Text name", cell: (group) => group.textname },
    { heading: "Roles", cell: (group) => <Names names={group.roles.map((role) => role.rolename)} /> },
    { heading: "Clients", cell: (group) => <Names names={group.clients.map((client) => client.username)} /> },
  ],
  rowKey: (group) => group.groupname,
  rowAttributes: (group) => ({ "data-testid": "group-row", "data-groupname": group.groupname }),
  empty: "No groups on the broker yet.",
});

export function GroupsView({ abilities }: { abilities: BrokerAbilities }) {
  const groups = useBrokerList<BrokerGroup>("groups");
  const [dialog, setDialog] = useState<{ kind: "new" } | { kind: "edit" | "members"; group: BrokerGroup }>();
  const [anonymous, setAnonymous] = useState<string | null>(null);
  const remove = useConfirmAction(
    (group: BrokerGroup) => callApi<{ deleted: string }>("DELETE", `/api/broker/groups/${segment(group.groupname)}`),
    () => groups.reload(),
  );
  const makeAnonymous = useConfirmAction(
    (group: BrokerGroup) =>
      callApi<{ groupname: string | null }>("PUT", "/api/broker/anonymous-group", { groupname: group.groupname }),
    (_group, answer) => setAnonymous(answer.groupname),
  );

  useEffect(() => {
    let live = true;
    void callApi<{ groupname: string | null }>("GET", "/api/broker/anonymous-group").then((result) => {
      if (live && result.ok) setAnonymous(result.data.groupname);
    });
    return () => {
      live = false;
    };
  }, []);

  // Only for a group Tessera does not own, and only for roles that may write (the API refuses the rest).
  const actions = (group: BrokerGroup): [string, () => void][] =>
    group.managed_by || !abilities.write
      ? []
      : [
          ["Edit", () => setDialog({ kind: "edit", group })],
          ["Members", () => setDialog({ kind: "members", group })],
          // Not the anonymous group's Delete: Mosquitto 2.0.11 stops when it is deleted (another group first).
          ...(group.groupname === anonymous
            ? []
            : ([
                ["Make anonymous", () => makeAnonymous.ask(group)],
                ["Delete", () => remove.ask(group)],
              ] as [string, () => void][])),
        ];

  return (
    <section aria-labelledby="broker-groups-heading">
      <ViewHeading
        id="broker-groups-heading"
        title="Broker groups"
        action={
          abilities.write ? (
            <Button onClick={() => setDialog({ kind: "new" })}>
              <span aria-hidden="true">+</span> New group
            </Button>
          ) : null
        }
      >
        A group gives its roles to every client in it.
      </ViewHeading>
      <PagedList
        spec={list(anonymous)}
        list={groups}
        action={(group) => <RowActions name={group.groupname} actions={actions(group)} />}
      />
      {dialog?.kind === "new" || dialog?.kind === "edit" ? (
        <NamedObjectDialog
          of={GROUP}
          object={dialog.kind === "edit" ? dialog.group : undefined}
          onClose={(saved) => {
            setDialog(undefined);
            if (saved) groups.reload();
          }}
        />
      ) : null}
      {dialog?.kind === "members" ? (
        <MembersDialog
          group={dialog.group}
          onClose={(changed) => {
            setDialog(undefined);
            if (changed) groups.reload();
          }}
        />
      ) : null}
      <ConfirmDialog {...remove.dialog} title="Delete group" action="Delete" pendingAction="Deleting…">
        Delete <strong className="font-semibold text-slate-900">{remove.target?.groupname}</strong>? Its clients lose
        the group&apos;s roles at once. This cannot be undone.
      </ConfirmDialog>
      <ConfirmDialog
        {...makeAnonymous.dialog}
        title="Make anonymous group"
        action="Make anonymous"
        pendingAction="Saving…"
      >
        Make <strong className="font-semibold text-slate-900">{makeAnonymous.target?.groupname}</strong> the anonymous
        group? Clients that connect without a username then get its roles (the anonymous group now:{" "}
        {anonymous ?? "none"}).
      </ConfirmDialog>
    </section>
  );
}
