"use client";

import { useState } from "react";
import type { ZodType } from "zod";
import { Dialog } from "@/components/ui/dialog.tsx";
import type { FieldErrors } from "../../tokens/_components/api.ts";
import { FormActions } from "./form-actions.tsx";
import { segment, sendForm } from "./send-form.ts";
import { FormError, TextField } from "./text-field.tsx";

/** What a named broker object's dialog needs: its kind (ids, titles, API path), its name's key and label, its schemas. */
export type NamedKind<Name extends string> = {
  kind: "role" | "group";
  nameKey: Name;
  nameLabel: string;
  createSchema: ZodType;
  modifySchema: ZodType;
};

type Named<Name extends string> = Record<Name, string> & { textname: string | null; textdescription: string | null };

/** The text name and description fields every broker object has (ids `${kind}-textname`, `${kind}-textdescription`). */
export function TextFields({
  kind,
  textname,
  onTextname,
  textdescription,
  onTextdescription,
  errors,
}: {
  kind: string;
  textname: string;
  onTextname: (value: string) => void;
  textdescription: string;
  onTextdescription: (value: string) => void;
  errors: FieldErrors<"textname" | "textdescription">;
}) {
  return (
    <>
      <TextField
        id={`${kind}-textname`}
        label="Text name"
        value={textname}
        onValue={onTextname}
        error={errors.textname}
      />
      <TextField
        id={`${kind}-textdescription`}
        label="Description"
        value={textdescription}
        onValue={onTextdescription}
        error={errors.textdescription}
      />
    </>
  );
}

/**
 * New role or group (no `object`) or edit one's text name and description; a role's ACLs and a group's members
 * have their own dialogs.
 */
export function NamedObjectDialog<Name extends string, T extends Named<Name>>({
  of: { kind, nameKey, nameLabel, createSchema, modifySchema },
  object,
  onClose,
}: {
  of: NamedKind<Name>;
  object?: T;
  onClose: (saved?: T) => void;
}) {
  type Field = Name | "textname" | "textdescription";
  const fields: readonly Field[] = [nameKey, "textname", "textdescription"];
  const editing = object !== undefined;
  const [name, setName] = useState<string>(object?.[nameKey] ?? "");
  const [textname, setTextname] = useState(object?.textname ?? "");
  const [textdescription, setTextdescription] = useState(object?.textdescription ?? "");
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [pending, setPending] = useState(false);

  // Create or save: the API's schema, then POST (create) or PATCH (edit).
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = editing
      ? await sendForm<Field, T>(fields, modifySchema, "PATCH", `/api/broker/${kind}s/${segment(object[nameKey])}`, {
          textname,
          textdescription,
        })
      : await sendForm<Field, T>(fields, createSchema, "POST", `/api/broker/${kind}s`, {
          [nameKey]: name,
          ...(textname ? { textname } : {}),
          ...(textdescription ? { textdescription } : {}),
        });
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    onClose(result.data);
  }

  return (
    <Dialog open onClose={() => onClose()} title={editing ? `Edit ${kind} ${object[nameKey]}` : `New ${kind}`}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.form} />
        {editing ? null : (
          <TextField
            id={`${kind}-${nameKey}`}
            label={nameLabel}
            value={name}
            onValue={setName}
            error={errors[nameKey]}
            autoFocus
          />
        )}
        <TextFields
          kind={kind}
          textname={textname}
          onTextname={setTextname}
          textdescription={textdescription}
          onTextdescription={setTextdescription}
          errors={errors}
        />
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
