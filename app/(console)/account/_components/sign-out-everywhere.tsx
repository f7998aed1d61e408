"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { signOutHere } from "../../_components/sign-out-button.tsx";

/** Ends every session of this user on the server (DELETE /api/me/sessions), then this browser's cookie. */
export function SignOutEverywhere() {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  // The server's sessions first: if that fails, this browser stays signed in and says why, instead of seeming done.
  async function endAll() {
    setPending(true);
    setError(undefined);
    const response = await fetch("/api/me/sessions", { method: "DELETE" }).catch(() => null);
    if (!response?.ok) {
      setPending(false);
      setError(response ? await response.text() : "Tessera could not be reached; nothing was changed.");
      return;
    }
    await signOutHere();
  }
  return (
    <div className="mt-8">
      <h2 className="text-sm font-semibold text-slate-900">Sessions</h2>
      <p className="mt-1 text-sm text-slate-600">Signs you out in every browser, this one included, at once.</p>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <Button variant="secondary" className="mt-3" onClick={endAll} disabled={pending}>
        Sign out everywhere
      </Button>
    </div>
  );
}
