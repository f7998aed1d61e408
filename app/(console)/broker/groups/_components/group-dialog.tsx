"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { createGroupSchema, modifyGroupSchema, type BrokerGroup } from "@/lib/schemas/broker.ts";
import type { FieldErrors } from "../../../tokens/_components/api.ts";
import { segment, sendForm } from "../../_components/send-form.ts";
import { FormError, TextField } from "../../_components/text-field.tsx";

const FIELDS = ["groupname", "textname", "textdescription"] as const;

/** New group (no `group`) or edit one's text name and description; its members have their own dialog. */
export function GroupDialog({ group, onClose }: { group?: BrokerGroup; onClose: (saved?: BrokerGroup) => void }) {
  const editing = group !== undefined;
  const [groupname, setGroupname] = useState(group?.groupname ?? "");
  const [textname, setTextname] = useState(group?.textname ?? "");
  const [textdescription, setTextdescription] = useState(group?.textdescription ?? "");
  const [errors, setErrors] = useState<FieldErrors<(typeof FIELDS)[number]>>({});
  const [pending, setPending] = useState(false);

  // Create or save: the API's schema, then POST (create) or PATCH (edit).
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = editing
      ? await sendForm<(typeof FIELDS)[number], BrokerGroup>(
          FIELDS,
          modifyGroupSchema,
          "PATCH",
          `/api/broker/groups/${segment(group.groupname)}`,
          { textname, textdescription },
        )
      : await sendForm<(typeof FIELDS)[number], BrokerGroup>(FIELDS, createGroupSchema, "POST", "/api/broker/groups", {
          groupname,
          ...(textname ? { textname } : {}),
          ...(textdescription ? { textdescription } : {}),
        });
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    onClose(result.data);
  }

  return (
    <Dialog open onClose={() => onClose()} title={editing ? `Edit group ${group.groupname}` : "New group"}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.form} />
        {editing ? null : (
          <TextField
            id="group-groupname"
            label="Group name"
            value={groupname}
            onValue={setGroupname}
            error={errors.groupname}
            autoFocus
          />
        )}
        <TextField
          id="group-textname"
          label="Text name"
          value={textname}
          onValue={setTextname}
          error={errors.textname}
        />
        <TextField
          id="group-textdescription"
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
