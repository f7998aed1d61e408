"use client";

import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import { callApi } from "../../_components/api.ts";

export function RevokeDialog({
  token,
  onClose,
}: {
  token: TokenResponse | null;
  onClose: (remaining?: TokenResponse[]) => void;
}) {
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
    <ConfirmDialog
      open={token !== null}
      title="Revoke token"
      error={error}
      pending={pending}
      action="Revoke"
      pendingAction="Revoking…"
      onConfirm={revoke}
      onClose={() => onClose()}
    >
      Revoke <strong className="font-semibold text-slate-900">{token?.name}</strong>? Applications using it are refused
      from their next request. This cannot be undone.
    </ConfirmDialog>
  );
}
