"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import type { BrokerGroup } from "@/lib/schemas/broker.ts";
import { callApi } from "../../../tokens/_components/api.ts";
import { useBrokerNames } from "../../_components/name-picker.tsx";
import { segment } from "../../_components/send-form.ts";
import { FormError, INPUT } from "../../_components/text-field.tsx";

/** A group's clients and roles: each with a Remove, and a picker that adds one (POST/DELETE .../clients, .../roles). */
export function MembersDialog({ group, onClose }: { group: BrokerGroup; onClose: (changed: boolean) => void }) {
  const [current, setCurrent] = useState(group);
  const [changed, setChanged] = useState(false);
  const [error, setError] = useState<string>();
  const clientNames = useBrokerNames("clients", "username", true);
  const roleNames = useBrokerNames("roles", "rolename", true);
  const path = `/api/broker/groups/${segment(group.groupname)}`;

  // One change (add or remove a member), then the group as the broker has it now; a refusal is the sentence above.
  async function change(method: "POST" | "DELETE", subpath: string, body?: unknown) {
    const result = await callApi<unknown>(method, `${path}${subpath}`, body);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setChanged(true);
    const read = await callApi<BrokerGroup>("GET", path);
    if (read.ok) setCurrent(read.data);
  }

  const members = [
    {
      kind: "clients",
      label: "Clients",
      key: "username",
      names: current.clients.map((client) => client.username),
      choices: clientNames,
    },
    {
      kind: "roles",
      label: "Roles",
      key: "rolename",
      names: current.roles.map((role) => role.rolename),
      choices: roleNames,
    },
  ] as const;

  return (
    <Dialog open onClose={() => onClose(changed)} title={`Members of ${group.groupname}`}>
      <div className="space-y-4 text-sm">
        <FormError message={error} />
        {members.map((member) => (
          <MemberList
            key={member.kind}
            label={member.label}
            names={member.names}
            choices={(member.choices ?? []).filter((name) => !member.names.includes(name))}
            onAdd={(name) => void change("POST", `/${member.kind}`, { [member.key]: name })}
            onRemove={(name) => void change("DELETE", `/${member.kind}/${segment(name)}`)}
          />
        ))}
        <div className="flex justify-end">
          <Button onClick={() => onClose(changed)}>Done</Button>
        </div>
      </div>
    </Dialog>
  );
}

/** One kind of member: the names with a Remove each, and a select with Add. */
function MemberList({
  label,
  names,
  choices,
  onAdd,
  onRemove,
}: {
  label: string;
  names: string[];
  choices: string[];
  onAdd: (name: string) => void;
  onRemove: (name: string) => void;
}) {
  const [picked, setPicked] = useState("");
  const id = `member-${label.toLowerCase()}`;
  return (
    <fieldset className="space-y-2">
      <legend className="font-medium text-slate-700">{label}</legend>
      {names.length === 0 ? <p className="text-xs text-slate-500">None.</p> : null}
      <ul className="space-y-1" aria-label={label}>
        {names.map((name) => (
          <li key={name} className="flex items-center justify-between gap-2">
            <span>{name}</span>
            <Button
              variant="secondary"
              className="px-2 py-1 text-xs"
              aria-label={`Remove ${name}`}
              onClick={() => onRemove(name)}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <div className="flex items-end gap-2">
        <label htmlFor={id} className="sr-only">
          {`Choose from ${label.toLowerCase()}`}
        </label>
        <select id={id} value={picked} onChange={(event) => setPicked(event.target.value)} className={INPUT}>
          <option value="">Choose…</option>
          {choices.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <Button
          variant="secondary"
          disabled={!picked}
          aria-label={`Add to ${label.toLowerCase()}`}
          onClick={() => {
            onAdd(picked);
            setPicked("");
          }}
        >
          Add
        </Button>
      </div>
    </fieldset>
  );
}
