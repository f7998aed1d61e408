"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import { callApi } from "./api.ts";

export function RevokeDialog({ token, onClose }: { token: TokenResponse | null; onClose: (remaining?: TokenResponse[]) => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function revoke() {
    if (!token) return;
    setPending(true);
    const result = await callApi<TokenResponse[]>("DELETE", `/api/tokens/${token.hash}`);
    setPending(false);
    if (result.ok) {
      setError(undefined);
      onClose(result.data);
    } else setError(result.message);
  }

  return (
    <Dialog open={token !== null} onClose={() => onClose()} title="Revoke token">
      <div className="space-y-4">
        <p className="text-sm text-slate-700">
          Revoke <strong className="font-semibold text-slate-900">{token?.name}</strong>? Applications using it are refused from their next request. This cannot be undone.
        </p>
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => onClose()} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={revoke} disabled={pending}>
            {pending ? "Revoking…" : "Revoke"}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
