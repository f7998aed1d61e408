"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import { callApi } from "../../_components/api.ts";
import { useConfirmAction } from "../../_components/use-confirm-action.ts";
import { NewTokenDialog } from "./new-token-dialog.tsx";
import { TokenTable } from "./token-table.tsx";
import { ViewHeading } from "../../../_components/view-heading.tsx";

export function TokensView({
  initialTokens,
  roles,
  maxDays,
}: {
  initialTokens: TokenResponse[];
  roles: string[];
  maxDays: number;
}) {
  const [tokens, setTokens] = useState(initialTokens);
  const [creating, setCreating] = useState(false);
  // DELETE answers with the tokens that remain.
  const revoke = useConfirmAction(
    (token: TokenResponse) => callApi<TokenResponse[]>("DELETE", `/api/tokens/${token.hash}`),
    (_token, remaining) => setTokens(remaining),
  );

  return (
    <section aria-labelledby="tokens-heading">
      <ViewHeading
        id="tokens-heading"
        title="App Tokens"
        action={
          <Button onClick={() => setCreating(true)}>
            <span aria-hidden="true">+</span> New Token
          </Button>
        }
      >
        Tokens let other applications call the REST API without a login. Each is shown once, when created.
      </ViewHeading>
      <div className="mt-6">
        <TokenTable tokens={tokens} onRevoke={revoke.ask} />
      </div>
      <NewTokenDialog
        open={creating}
        roles={roles}
        maxDays={maxDays}
        onClose={(created) => {
          setCreating(false);
          if (created) setTokens((current) => [...current.filter((t) => t.hash !== created.hash), created]);
        }}
      />
      <ConfirmDialog {...revoke.dialog} title="Revoke token" action="Revoke" pendingAction="Revoking…">
        Revoke <strong className="font-semibold text-slate-900">{revoke.target?.name}</strong>? Applications using it
        are refused from their next request. This cannot be undone.
      </ConfirmDialog>
    </section>
  );
}
