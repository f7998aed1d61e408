import type { InputHTMLAttributes } from "react";
import { describedBy, FieldError } from "@/components/ui/field-error.tsx";

export const INPUT =
  "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid=true]:ring-red-400";

/** A labelled input with its hint and its error sentence (aria-invalid and aria-describedby set from them). */
export function TextField({
  id,
  label,
  value,
  onValue,
  error,
  hint,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "id"> & {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  hint?: string;
}) {
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={!!error}
        aria-describedby={describedBy(hint ? `${id}-hint` : undefined, `${id}-error`, error)}
        className={INPUT}
        {...input}
      />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** A new password for a broker client: left empty, Tessera generates one and the answer shows it once. */
export function NewPasswordField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  autoFocus?: boolean;
}) {
  return (
    <TextField
      type="password"
      autoComplete="new-password"
      hint="Leave empty and Tessera generates one, shown once."
      {...props}
    />
  );
}

/** The form's own error (a sentence about no one field), above its fields. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      {message}
    </p>
  );
}
