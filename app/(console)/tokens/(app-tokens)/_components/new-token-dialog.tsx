"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { describedBy, FieldError } from "@/components/ui/field-error.tsx";
import { createTokenSchema, NAME_MAX, type CreatedTokenResponse, type TokenResponse } from "@/lib/schemas/token.ts";
import { callApi, errorsByField, type FieldErrors } from "../../_components/api.ts";

const PRESETS = [7, 30, 90];

/** A datetime-local value (the viewer's local time) days from now. */
function localInputValue(days: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setSeconds(0, 0);
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}

// The fields a sentence can be shown next to; one about anything else (the role is picked from a list) is the form's.
const FIELDS = ["name", "validUntil"] as const;
type Errors = FieldErrors<(typeof FIELDS)[number]>;

export function NewTokenDialog({
  open,
  roles,
  maxDays,
  onClose,
}: {
  open: boolean;
  roles: string[];
  maxDays: number;
  onClose: (created?: TokenResponse) => void;
}) {
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const [validUntil, setValidUntil] = useState(() => localInputValue(30));
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<CreatedTokenResponse | null>(null);

  // Done, Cancel, Escape: the next New Token starts blank, and the list gets the new row without its token string.
  function close() {
    const result = created ? (({ token: _token, ...row }) => row)(created) : undefined;
    setName("");
    setRole("viewer");
    setValidUntil(localInputValue(30));
    setErrors({});
    setCreated(null);
    onClose(result);
  }

  // Create: the API's own schema first (no round trip for what it would refuse), then the API.
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    // The same schema the API validates with; the local datetime becomes an ISO instant here.
    const instant = validUntil ? new Date(validUntil).toISOString() : "";
    const parsed = createTokenSchema.safeParse({ name, role, validUntil: instant });
    if (!parsed.success) {
      return setErrors(
        errorsByField(
          FIELDS,
          parsed.error.issues.map(({ path, message }) => ({ field: path[0], message })),
        ),
      );
    }
    setErrors({});
    setPending(true);
    const result = await callApi<CreatedTokenResponse>("POST", "/api/tokens", { name, role, validUntil: instant });
    setPending(false);
    // The server says which field its refusal is about (X-Error-Field); its sentence is shown as it is.
    if (result.ok) setCreated(result.data);
    else setErrors(errorsByField(FIELDS, [result]));
  }

  const field =
    "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid=true]:ring-red-400";
  return (
    <Dialog open={open} onClose={close} title={created ? "Token created" : "New Token"}>
      {created ? (
        <div className="space-y-4">
          <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
            Copy this token now and keep it in a safe place. It will never be shown again.
          </p>
          <div className="flex items-start gap-2">
            <code
              data-testid="new-token"
              className="block max-h-32 flex-1 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs break-all text-slate-100"
            >
              {created.token}
            </code>
            <CopyButton value={created.token} label="Copy token" />
          </div>
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-4">
          {errors.form ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
              {errors.form}
            </p>
          ) : null}
          <div>
            <div className="flex justify-between">
              <label htmlFor="token-name" className="text-sm font-medium text-slate-700">
                Token Name
              </label>
              <span className="text-xs text-slate-500" aria-live="polite">
                {[...name].length}/{NAME_MAX}
              </span>
            </div>
            <input
              id="token-name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={NAME_MAX}
              required
              autoFocus
              aria-invalid={!!errors.name}
              aria-describedby={describedBy(undefined, "token-name-error", errors.name)}
              className={field}
            />
            <FieldError id="token-name-error" message={errors.name} />
          </div>
          <div>
            <label htmlFor="token-role" className="text-sm font-medium text-slate-700">
              Role
            </label>
            <select id="token-role" value={role} onChange={(event) => setRole(event.target.value)} className={field}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="token-valid-until" className="text-sm font-medium text-slate-700">
              Valid Until
            </label>
            <input
              id="token-valid-until"
              type="datetime-local"
              value={validUntil}
              onChange={(event) => setValidUntil(event.target.value)}
              required
              aria-invalid={!!errors.validUntil}
              aria-describedby={describedBy("token-valid-until-hint", "token-valid-until-error", errors.validUntil)}
              className={field}
            />
            <div className="mt-2 flex flex-wrap gap-2" role="group" aria-label="Validity presets">
              {PRESETS.filter((days) => days <= maxDays).map((days) => (
                <button
                  key={days}
                  type="button"
                  onClick={() => setValidUntil(localInputValue(days))}
                  className="rounded-full px-2.5 py-1 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                  {days} days
                </button>
              ))}
            </div>
            <p id="token-valid-until-hint" className="mt-1 text-xs text-slate-500">
              Your local time. At most {maxDays} days from now.
            </p>
            <FieldError id="token-valid-until-error" message={errors.validUntil} />
          </div>
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Creating…" : "Create"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
