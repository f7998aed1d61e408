"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import type { CreatedTokenResponse, TokenResponse } from "@/lib/schemas/token.ts";
import { callApi } from "../../_components/api.ts";

/** How long the old token keeps working: the API's grace_seconds. */
const GRACES = [
  { seconds: 0, label: "Revoke it at once" },
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
];

/**
 * Rotate: a new token with the same name and role replaces `token`; the old one keeps working for the grace chosen
 * here, so clients can switch without downtime. The new token is shown once, as when a token is created.
 */
export function RotateTokenDialog({
  token,
  onClose,
}: {
  token: TokenResponse | null;
  /** Called when the dialog closes; `changed` when a rotation happened (the list should be read again). */
  onClose: (changed: boolean) => void;
}) {
  const [grace, setGrace] = useState(86_400);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedTokenResponse | null>(null);

  function close() {
    const changed = created !== null;
    setGrace(86_400);
    setError(undefined);
    setCreated(null);
    onClose(changed);
  }

  async function rotate(event: React.FormEvent) {
    event.preventDefault();
    if (!token) return;
    setPending(true);
    const result = await callApi<CreatedTokenResponse>("POST", `/api/tokens/${token.hash}/rotate`, {
      grace_seconds: grace,
    });
    setPending(false);
    if (result.ok) setCreated(result.data);
    else setError(result.message);
  }

  return (
    <Dialog open={token !== null} onClose={close} title={created ? "Token rotated" : "Rotate token"}>
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
        <form onSubmit={rotate} className="space-y-4">
          <p className="text-sm text-slate-600">
            A new token named <strong className="font-semibold text-slate-900">{token?.name}</strong> with role{" "}
            {token?.role} replaces this one. How long should the old token keep working, while its clients switch?
          </p>
          {error ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
              {error}
            </p>
          ) : null}
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">The old token keeps working for</legend>
            <div className="mt-2 space-y-1">
              {GRACES.map((option) => (
                <label key={option.seconds} className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="radio"
                    name="grace"
                    value={option.seconds}
                    checked={grace === option.seconds}
                    onChange={() => setGrace(option.seconds)}
                  />
                  {option.label}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Rotating…" : "Rotate"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
