"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { createRoleSchema, modifyRoleSchema, type BrokerRole } from "@/lib/schemas/broker.ts";
import type { FieldErrors } from "../../../tokens/_components/api.ts";
import { segment, sendForm } from "../../_components/send-form.ts";
import { FormError, TextField } from "../../_components/text-field.tsx";

const FIELDS = ["rolename", "textname", "textdescription"] as const;

/** New role (no `role`) or edit one's text name and description; its ACLs have their own dialog. */
export function RoleDialog({ role, onClose }: { role?: BrokerRole; onClose: (saved?: BrokerRole) => void }) {
  const editing = role !== undefined;
  const [rolename, setRolename] = useState(role?.rolename ?? "");
  const [textname, setTextname] = useState(role?.textname ?? "");
  const [textdescription, setTextdescription] = useState(role?.textdescription ?? "");
  const [errors, setErrors] = useState<FieldErrors<(typeof FIELDS)[number]>>({});
  const [pending, setPending] = useState(false);

  // Create or save: the API's schema, then POST (create) or PATCH (edit).
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = editing
      ? await sendForm<(typeof FIELDS)[number], BrokerRole>(
          FIELDS,
          modifyRoleSchema,
          "PATCH",
          `/api/broker/roles/${segment(role.rolename)}`,
          { textname, textdescription },
        )
      : await sendForm<(typeof FIELDS)[number], BrokerRole>(FIELDS, createRoleSchema, "POST", "/api/broker/roles", {
          rolename,
          ...(textname ? { textname } : {}),
          ...(textdescription ? { textdescription } : {}),
        });
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    onClose(result.data);
  }

  return (
    <Dialog open onClose={() => onClose()} title={editing ? `Edit role ${role.rolename}` : "New role"}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.form} />
        {editing ? null : (
          <TextField
            id="role-rolename"
            label="Role name"
            value={rolename}
            onValue={setRolename}
            error={errors.rolename}
            autoFocus
          />
        )}
        <TextField
          id="role-textname"
          label="Text name"
          value={textname}
          onValue={setTextname}
          error={errors.textname}
        />
        <TextField
          id="role-textdescription"
          label="Description"
          value={textdescription}
          onValue={setTextdescription}
          error={errors.textdescription}
        />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : editing ? "Save" : "Create"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
