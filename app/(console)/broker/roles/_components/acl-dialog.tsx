"use client";

import { useState } from "react";
import { Dialog } from "@/components/ui/dialog.tsx";
import { FieldError } from "@/components/ui/field-error.tsx";
import { ACL_TYPES, addAclSchema, type BrokerRole } from "@/lib/schemas/broker.ts";
import { callApi, type FieldErrors } from "../../../tokens/_components/api.ts";
import { FormActions } from "../../_components/form-actions.tsx";
import { segment, sendForm } from "../../_components/send-form.ts";
import { FormError, INPUT, TextField } from "../../_components/text-field.tsx";
import { AclList } from "./acl-list.tsx";

const FIELDS = ["acltype", "topic", "priority", "allow"] as const;
type Errors = FieldErrors<(typeof FIELDS)[number]>;

/** A role's ACLs: the list with a Remove on each, and a form that adds one (POST/DELETE .../acls). */
export function AclDialog({ role, onClose }: { role: BrokerRole; onClose: (changed: boolean) => void }) {
  const [current, setCurrent] = useState(role);
  const [changed, setChanged] = useState(false);
  const [acltype, setAcltype] = useState<(typeof ACL_TYPES)[number]>("subscribePattern");
  const [topic, setTopic] = useState("");
  const [priority, setPriority] = useState("0");
  const [allow, setAllow] = useState(true);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const path = `/api/broker/roles/${segment(role.rolename)}`;

  // After a change: the role as the broker has it now.
  async function refresh() {
    setChanged(true);
    const result = await callApi<BrokerRole>("GET", path);
    if (result.ok) setCurrent(result.data);
  }

  // Add: the API's ACL schema (a priority that is not a whole number is refused there), then POST.
  async function add(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const body = { acltype, topic, priority: priority.trim() === "" ? 0 : Number(priority), allow };
    const result = await sendForm<(typeof FIELDS)[number], unknown>(FIELDS, addAclSchema, "POST", `${path}/acls`, body);
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setTopic("");
    await refresh();
  }

  // Remove: at once (it is one line and can be added again); a refusal is the form's sentence.
  async function remove(acl: { acltype: string; topic: string }) {
    const query = new URLSearchParams({ acltype: acl.acltype, topic: acl.topic });
    const result = await callApi<unknown>("DELETE", `${path}/acls?${query}`);
    if (!result.ok) return setErrors({ form: result.message });
    setErrors({});
    await refresh();
  }

  return (
    <Dialog open onClose={() => onClose(changed)} title={`ACLs of ${role.rolename}`}>
      <div className="space-y-4">
        <AclList acls={current.acls} onRemove={(acl) => void remove(acl)} />
        <form onSubmit={add} noValidate className="space-y-3 border-t border-slate-200 pt-4" aria-label="Add ACL">
          <FormError message={errors.form} />
          <div>
            <label htmlFor="acl-type" className="text-sm font-medium text-slate-700">
              ACL type
            </label>
            <select
              id="acl-type"
              value={acltype}
              onChange={(event) => setAcltype(event.target.value as (typeof ACL_TYPES)[number])}
              className={INPUT}
            >
              {ACL_TYPES.map((type) => (
                <option key={type}>{type}</option>
              ))}
            </select>
            <FieldError id="acl-type-error" message={errors.acltype} />
          </div>
          <TextField id="acl-topic" label="Topic" value={topic} onValue={setTopic} error={errors.topic} autoFocus />
          <TextField
            id="acl-priority"
            label="Priority"
            inputMode="numeric"
            value={priority}
            onValue={setPriority}
            error={errors.priority}
            hint="Higher priorities are checked first."
          />
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={allow} onChange={(event) => setAllow(event.target.checked)} />
            Allow (unchecked: deny)
          </label>
          <FormActions
            onCancel={() => onClose(changed)}
            cancel="Done"
            pending={pending}
            action="Add ACL"
            pendingAction="Adding…"
          />
        </form>
      </div>
    </Dialog>
  );
}
