"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { ListSpec } from "@/components/ui/list-table.tsx";
import { createRoleSchema, modifyRoleSchema, type BrokerRole } from "@/lib/schemas/broker.ts";
import { callApi } from "../../../tokens/_components/api.ts";
import { useConfirmAction } from "../../../tokens/_components/use-confirm-action.ts";
import type { BrokerAbilities } from "../../_components/broker-views.ts";
import { ManagedBadge } from "../../_components/managed-badge.tsx";
import { NamedObjectDialog, type NamedKind } from "../../_components/named-object-dialog.tsx";
import { RowActions } from "../../_components/row-actions.tsx";
import { segment } from "../../_components/send-form.ts";
import { useBrokerList } from "../../_components/use-broker-list.ts";
import { AclDialog } from "./acl-dialog.tsx";
import { AclList } from "./acl-list.tsx";
import { DefaultAclPanel } from "./default-acl-panel.tsx";
import { PagedList } from "../../_components/paged-list.tsx";
import { ViewHeading } from "../../../_components/view-heading.tsx";

/** The new and edit dialog's role: ids `role-rolename`, `role-textname`, `role-textdescription`. */
const ROLE: NamedKind<"rolename"> = {
  kind: "role",
  nameKey: "rolename",
  nameLabel: "Role name",
  createSchema: createRoleSchema,
  modifySchema: modifyRoleSchema,
};

const LIST: ListSpec<BrokerRole> = {
  caption: "Broker roles",
  columns: [
    {
      heading: "Role",
      cell: (role) => (
        <span className="inline-flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-900">{role.rolename}</span>
          <ManagedBadge managedBy={role.managed_by} />
        </span>
      ),
    },
    { heading: "Text name", cell: (role) => role.textname },
    { heading: "ACLs", cell: (role) => <AclList acls={role.acls} /> },
  ],
  rowKey: (role) => role.rolename,
  rowAttributes: (role) => ({ "data-testid": "role-row", "data-rolename": role.rolename }),
  empty: "No roles on the broker yet.",
};

export function RolesView({ abilities }: { abilities: BrokerAbilities }) {
  const list = useBrokerList<BrokerRole>("roles");
  const [dialog, setDialog] = useState<{ kind: "new" } | { kind: "edit" | "acls"; role: BrokerRole }>();
  const remove = useConfirmAction(
    (role: BrokerRole) => callApi<{ deleted: string }>("DELETE", `/api/broker/roles/${segment(role.rolename)}`),
    () => list.reload(),
  );

  // Only for a role Tessera does not own, and only for roles that may write (the API refuses the rest).
  const actions = (role: BrokerRole): [string, () => void][] =>
    role.managed_by || !abilities.write
      ? []
      : [
          ["Edit", () => setDialog({ kind: "edit", role })],
          ["ACLs", () => setDialog({ kind: "acls", role })],
          ["Delete", () => remove.ask(role)],
        ];

  return (
    <section aria-labelledby="broker-roles-heading">
      <ViewHeading
        id="broker-roles-heading"
        title="Broker roles"
        action={
          abilities.write ? (
            <Button onClick={() => setDialog({ kind: "new" })}>
              <span aria-hidden="true">+</span> New role
            </Button>
          ) : null
        }
      >
        A role is a list of ACLs (what a client may publish, receive and subscribe to), given to clients and groups.
      </ViewHeading>
      <PagedList
        spec={LIST}
        list={list}
        action={(role) => <RowActions name={role.rolename} actions={actions(role)} />}
      />
      <DefaultAclPanel write={abilities.write} />
      {dialog?.kind === "new" || dialog?.kind === "edit" ? (
        <NamedObjectDialog
          of={ROLE}
          object={dialog.kind === "edit" ? dialog.role : undefined}
          onClose={(saved) => {
            setDialog(undefined);
            if (saved) list.reload();
          }}
        />
      ) : null}
      {dialog?.kind === "acls" ? (
        <AclDialog
          role={dialog.role}
          onClose={(changed) => {
            setDialog(undefined);
            if (changed) list.reload();
          }}
        />
      ) : null}
      <ConfirmDialog {...remove.dialog} title="Delete role" action="Delete" pendingAction="Deleting…">
        Delete <strong className="font-semibold text-slate-900">{remove.target?.rolename}</strong>? Clients and groups
        that have it lose its ACLs at once. This cannot be undone.
      </ConfirmDialog>
    </section>
  );
}
