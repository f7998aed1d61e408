"use client";

import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { ListTable, type Column } from "@/components/ui/list-table.tsx";
import { LastTime, LocalTime } from "@/components/ui/local-time.tsx";
import { TrashIcon } from "@/components/ui/trash-icon.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import type { UsageSummary } from "@/lib/schemas/usage.ts";
import type { ApiResult } from "../../_components/api.ts";
import { WeekOfUse, type DailyUsage } from "./usage-charts.tsx";

type SortKey = "name" | "role" | "requestedBy" | "issueDate" | "validUntil" | "lastUsed" | "status";

export function TokenTable({
  tokens,
  usage,
  onRevoke,
  onRotate,
  onToggleDisabled,
  onShowUsage,
}: {
  tokens: TokenResponse[];
  /** GET /api/tokens/usage: every row's week, from one read; null while it is on its way. */
  usage: ApiResult<UsageSummary> | null;
  onRevoke: (token: TokenResponse) => void;
  onRotate: (token: TokenResponse) => void;
  onToggleDisabled: (token: TokenResponse) => void;
  onShowUsage: (token: TokenResponse) => void;
}) {
  const [sort, setSort] = useState<{ column: SortKey; descending: boolean }>({ column: "issueDate", descending: true });
  const sorted = useMemo(() => {
    const value = (token: TokenResponse) => token[sort.column] ?? "";
    const rows = [...tokens].sort((a, b) => value(a).localeCompare(value(b), undefined, { numeric: true }));
    return sort.descending ? rows.reverse() : rows;
  }, [tokens, sort]);
  const usageByHash = useMemo(
    () => new Map<string, DailyUsage>(usage?.ok ? usage.data.tokens.map((row) => [row.hash, row]) : []),
    [usage],
  );

  if (tokens.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
        <p className="font-medium text-slate-900">No application tokens yet</p>
        <p className="mt-1 text-sm text-slate-600">Create one with New Token to let an application call the API.</p>
      </div>
    );
  }

  const header = (column: SortKey, label: string) => {
    const active = sort.column === column;
    return (
      <th
        key={column}
        scope="col"
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
        className="px-3 py-2 text-left font-semibold"
      >
        <button
          type="button"
          onClick={() => setSort({ column, descending: active ? !sort.descending : false })}
          className="inline-flex items-center gap-1 rounded hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          {label}
          <span aria-hidden="true" className={active ? "text-slate-900" : "text-slate-300"}>
            {active && sort.descending ? "▼" : "▲"}
          </span>
        </button>
      </th>
    );
  };

  // Times never wrap: a date broken over two lines reads as two.
  const time = (column: "issueDate" | "validUntil", label: string): Column<TokenResponse> => ({
    heading: header(column, label),
    cell: (token) => <LocalTime value={token[column]} />,
    className: "whitespace-nowrap",
  });
  const columns: Column<TokenResponse>[] = [
    { heading: header("name", "Name"), cell: (token) => token.name, className: "font-medium text-slate-900" },
    { heading: header("role", "Role"), cell: (token) => token.role },
    { heading: header("requestedBy", "Requested by"), cell: (token) => token.requestedBy },
    time("issueDate", "Issue Date"),
    time("validUntil", "Valid Until"),
    {
      // When, and under it the last 7 days' chart, which opens the token's usage: in the same cell, because a column
      // of its own pushed the row's actions out of a 1280 px wide window.
      heading: header("lastUsed", "Last Used"),
      cell: (token) => (
        <span className="inline-flex flex-col items-start gap-1">
          <LastTime value={token.lastUsed} />
          <WeekOfUse
            name={token.name}
            summary={usage}
            usage={usageByHash.get(token.hash)}
            onShow={() => onShowUsage(token)}
          />
        </span>
      ),
      className: "whitespace-nowrap",
    },
    { heading: "Hash", cell: (token) => <ShortHash token={token} />, className: "whitespace-nowrap" },
    {
      heading: header("status", "Status"),
      cell: (token) => (
        <span className="inline-flex flex-col items-start gap-0.5">
          <Badge tone={token.status === "Valid" ? "good" : token.status === "Disabled" ? "warning" : "neutral"}>
            {token.status}
          </Badge>
          {token.replacedBy ? <Replaced token={token} tokens={tokens} /> : null}
        </span>
      ),
    },
  ];

  return (
    <ListTable
      caption="Application tokens"
      columns={columns}
      rows={sorted}
      rowKey={(token) => token.hash}
      rowAttributes={(token) => ({ "data-testid": "token-row", "data-name": token.name })}
      action={(token) => (
        <span className="inline-flex items-center gap-1 whitespace-nowrap">
          {token.replacedBy || token.status === "Invalid" ? null : (
            <>
              <button
                type="button"
                aria-label={`${token.status === "Disabled" ? "Enable" : "Disable"} ${token.name}`}
                title={`${token.status === "Disabled" ? "Enable" : "Disable"} ${token.name}`}
                onClick={() => onToggleDisabled(token)}
                className="rounded px-1.5 py-1 text-xs font-medium text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                {token.status === "Disabled" ? "Enable" : "Disable"}
              </button>
              {token.status === "Valid" ? (
                <button
                  type="button"
                  aria-label={`Rotate ${token.name}`}
                  title={`Rotate ${token.name}`}
                  onClick={() => onRotate(token)}
                  className="rounded px-1.5 py-1 text-xs font-medium text-slate-500 hover:bg-indigo-50 hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                  Rotate
                </button>
              ) : null}
            </>
          )}
          <button
            type="button"
            aria-label={`Revoke ${token.name}`}
            title={`Revoke ${token.name}`}
            onClick={() => onRevoke(token)}
            className="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600 focus-visible:outline-2 focus-visible:outline-red-600"
          >
            <TrashIcon />
          </button>
        </span>
      )}
    />
  );
}

/** A rotated-out token: which token replaced it, and when it stops working. */
function Replaced({ token, tokens }: { token: TokenResponse; tokens: TokenResponse[] }) {
  const successor = tokens.find((other) => other.hash === token.replacedBy);
  return (
    <span className="text-xs whitespace-nowrap text-slate-500" data-testid="replaced-by">
      replaced by {successor ? `${successor.hash.slice(0, 8)}…` : "a newer token"}
      {token.revokeAt ? (
        <>
          , until <LocalTime value={token.revokeAt} />
        </>
      ) : null}
    </span>
  );
}

/** The hash's first 8 and last 4 characters, the whole one as its title and on the copy button. */
function ShortHash({ token }: { token: TokenResponse }) {
  return (
    <>
      <span className="font-mono text-xs text-slate-600" title={token.hash}>
        {token.hash.slice(0, 8)}…{token.hash.slice(-4)}
      </span>
      <CopyButton value={token.hash} label={`Copy hash of ${token.name}`} />
    </>
  );
}
