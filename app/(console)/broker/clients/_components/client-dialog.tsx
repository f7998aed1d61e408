"use client";

import { useState } from "react";
import { Dialog } from "@/components/ui/dialog.tsx";
import { createClientSchema, modifyClientSchema, type BrokerClient } from "@/lib/schemas/broker.ts";
import type { FieldErrors } from "../../../tokens/_components/api.ts";
import type { BrokerAbilities } from "../../_components/broker-views.ts";
import { FormActions } from "../../_components/form-actions.tsx";
import { NamePicker, useBrokerNames } from "../../_components/name-picker.tsx";
import { TextFields } from "../../_components/named-object-dialog.tsx";
import { segment, sendForm } from "../../_components/send-form.ts";
import { FormError, NewPasswordField, TextField } from "../../_components/text-field.tsx";

const FIELDS = ["username", "password", "clientid", "textname", "textdescription", "roles", "groups"] as const;
type Errors = FieldErrors<(typeof FIELDS)[number]>;

/** What the dialog answers when it is done: the client as the broker has it now, and a password shown once. */
export type ClientSaved = BrokerClient & { password?: string };

/** New client (no `client`) or edit one: its names, text, client id, and (for roles that read them) roles and groups. */
export function ClientDialog({
  open,
  client,
  abilities,
  onClose,
}: {
  open: boolean;
  client?: BrokerClient;
  abilities: BrokerAbilities;
  onClose: (saved?: ClientSaved) => void;
}) {
  const editing = client !== undefined;
  const [username, setUsername] = useState(client?.username ?? "");
  const [password, setPassword] = useState("");
  const [clientid, setClientid] = useState(client?.clientid ?? "");
  const [textname, setTextname] = useState(client?.textname ?? "");
  const [textdescription, setTextdescription] = useState(client?.textdescription ?? "");
  const [roles, setRoles] = useState(client?.roles.map((role) => role.rolename) ?? []);
  const [groups, setGroups] = useState(client?.groups.map((group) => group.groupname) ?? []);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const roleNames = useBrokerNames("roles", "rolename", open && abilities.readRoles);
  const groupNames = useBrokerNames("groups", "groupname", open && abilities.readRoles);

  // A role or group kept keeps its priority; a new one gets the broker's default.
  const roleRefs = roles.map((rolename) => client?.roles.find((role) => role.rolename === rolename) ?? { rolename });
  const groupRefs = groups.map(
    (groupname) => client?.groups.find((group) => group.groupname === groupname) ?? { groupname },
  );

  // Create or save: the API's schema, then POST (create) or PATCH (edit); the answer closes the dialog.
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const lists = abilities.readRoles ? { roles: roleRefs, groups: groupRefs } : {};
    const result = editing
      ? await sendForm<(typeof FIELDS)[number], ClientSaved>(
          FIELDS,
          modifyClientSchema,
          "PATCH",
          `/api/broker/clients/${segment(client.username)}`,
          { ...(clientid ? { clientid } : {}), textname, textdescription, ...lists },
        )
      : await sendForm<(typeof FIELDS)[number], ClientSaved>(
          FIELDS,
          createClientSchema,
          "POST",
          "/api/broker/clients",
          {
            username,
            ...(password ? { password } : {}),
            ...(clientid ? { clientid } : {}),
            ...(textname ? { textname } : {}),
            ...(textdescription ? { textdescription } : {}),
            ...(roles.length ? { roles: roleRefs } : {}),
            ...(groups.length ? { groups: groupRefs } : {}),
          },
        );
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    onClose(result.data);
  }

  return (
    <Dialog open={open} onClose={() => onClose()} title={editing ? `Edit client ${client.username}` : "New client"}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.form ?? errors.roles ?? errors.groups} />
        {editing ? null : (
          <>
            <TextField
              id="client-username"
              label="Username"
              value={username}
              onValue={setUsername}
              error={errors.username}
              autoFocus
            />
            <NewPasswordField
              id="client-password"
              label="Password"
              value={password}
              onValue={setPassword}
              error={errors.password}
            />
          </>
        )}
        <TextField
          id="client-clientid"
          label="Client id"
          value={clientid}
          onValue={setClientid}
          error={errors.clientid}
          hint={
            editing
              ? "Every client stays pinned to one client id: it connects under no other."
              : "Leave empty to pin the client to its username: it connects under no other client id."
          }
        />
        <TextFields
          kind="client"
          textname={textname}
          onTextname={setTextname}
          textdescription={textdescription}
          onTextdescription={setTextdescription}
          errors={errors}
        />
        {abilities.readRoles ? (
          <>
            <NamePicker legend="Roles" names={roleNames} chosen={roles} onChosen={setRoles} />
            <NamePicker legend="Groups" names={groupNames} chosen={groups} onChosen={setGroups} />
          </>
        ) : null}
        <FormActions
          onCancel={() => onClose()}
          pending={pending}
          action={editing ? "Save" : "Create"}
          pendingAction="Saving…"
        />
      </form>
    </Dialog>
  );
}
