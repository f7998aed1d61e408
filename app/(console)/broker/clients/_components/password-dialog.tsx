"use client";

import { useState } from "react";
import { Dialog } from "@/components/ui/dialog.tsx";
import { setPasswordSchema } from "@/lib/schemas/broker.ts";
import type { FieldErrors } from "../../../tokens/_components/api.ts";
import { FormActions } from "../../_components/form-actions.tsx";
import { segment, sendForm } from "../../_components/send-form.ts";
import { FormError, NewPasswordField } from "../../_components/text-field.tsx";

const FIELDS = ["password"] as const;

/** Set a client's password: the one typed, or (left empty) one Tessera generates and answers once. */
export function PasswordDialog({
  username,
  onClose,
}: {
  username: string;
  onClose: (set?: { username: string; password?: string }) => void;
}) {
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors<"password">>({});
  const [pending, setPending] = useState(false);

  // Set: the API's schema, then PUT; a generated password comes back in the answer, to be shown once.
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    const result = await sendForm<"password", { username: string; password?: string }>(
      FIELDS,
      setPasswordSchema,
      "PUT",
      `/api/broker/clients/${segment(username)}/password`,
      password ? { password } : {},
    );
    setPending(false);
    if (!result.ok) return setErrors(result.errors);
    onClose(result.data);
  }

  return (
    <Dialog open onClose={() => onClose()} title={`Set password of ${username}`}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.form} />
        <NewPasswordField
          id="client-new-password"
          label="New password"
          value={password}
          onValue={setPassword}
          error={errors.password}
          autoFocus
        />
        <FormActions onCancel={() => onClose()} pending={pending} action="Set password" pendingAction="Setting…" />
      </form>
    </Dialog>
  );
}
