"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import type { UsageSummary } from "@/lib/schemas/usage.ts";
import { callApi } from "../../_components/api.ts";
import { useApiRead } from "../../_components/use-api-read.ts";
import { useConfirmAction } from "../../_components/use-confirm-action.ts";
import { NewTokenDialog } from "./new-token-dialog.tsx";
import { RotateTokenDialog } from "./rotate-token-dialog.tsx";
import { TokenTable } from "./token-table.tsx";
import { TokenUsageDialog } from "./token-usage-dialog.tsx";
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
  const [rotating, setRotating] = useState<TokenResponse | null>(null);
  const [inspecting, setInspecting] = useState<TokenResponse | null>(null);
  // Every row's chart from one read of the summary, not one read per row.
  const usage = useApiRead<UsageSummary>("/api/tokens/usage");
  const [problem, setProblem] = useState<string>();
  /** The list again, after a change that touched more than one row (a rotation). */
  async function reload() {
    const result = await callApi<TokenResponse[]>("GET", "/api/tokens");
    if (result.ok) setTokens(result.data);
    usage.reload();
  }
  // Disable and enable answer with the token after the change; reversible, so no confirmation.
  async function toggleDisabled(token: TokenResponse) {
    setProblem(undefined);
    const action = token.status === "Disabled" ? "enable" : "disable";
    const result = await callApi<TokenResponse>("POST", `/api/tokens/${token.hash}/${action}`);
    if (!result.ok) return setProblem(result.message);
    setTokens((current) => current.map((row) => (row.hash === token.hash ? result.data : row)));
  }
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
      {problem ? (
        <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {problem}
        </p>
      ) : null}
      <div className="mt-6">
        <TokenTable
          tokens={tokens}
          usage={usage.result}
          onRevoke={revoke.ask}
          onRotate={setRotating}
          onToggleDisabled={(token) => void toggleDisabled(token)}
          onShowUsage={setInspecting}
        />
      </div>
      <RotateTokenDialog
        token={rotating}
        onClose={(changed) => {
          setRotating(null);
          if (changed) void reload();
        }}
      />
      <TokenUsageDialog token={inspecting} onClose={() => setInspecting(null)} />
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
