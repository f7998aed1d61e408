"use client";

import { useMemo, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { ListTable } from "@/components/ui/list-table.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";

type Column = "name" | "role" | "requestedBy" | "issueDate" | "validUntil" | "lastUsed" | "status";
const COLUMNS: [Column, string][] = [
  ["name", "Name"],
  ["role", "Role"],
  ["requestedBy", "Requested by"],
  ["issueDate", "Issue Date"],
  ["validUntil", "Valid Until"],
  ["lastUsed", "Last Used"],
];

export function TokenTable({
  tokens,
  onRevoke,
}: {
  tokens: TokenResponse[];
  onRevoke: (token: TokenResponse) => void;
}) {
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: "issueDate", descending: true });
  const sorted = useMemo(() => {
    const value = (token: TokenResponse) => token[sort.column] ?? "";
    const rows = [...tokens].sort((a, b) => value(a).localeCompare(value(b), undefined, { numeric: true }));
    return sort.descending ? rows.reverse() : rows;
  }, [tokens, sort]);

  if (tokens.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
        <p className="font-medium text-slate-900">No application tokens yet</p>
        <p className="mt-1 text-sm text-slate-600">Create one with New Token to let an application call the API.</p>
      </div>
    );
  }

  const header = (column: Column, label: string) => {
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

  return (
    <ListTable
      caption="Application tokens"
      columns={[...COLUMNS.map(([column, label]) => header(column, label)), "Hash", header("status", "Status")]}
    >
      {sorted.map((token) => (
        <tr key={token.hash} data-testid="token-row" data-name={token.name} className="hover:bg-slate-50">
          <td className="px-3 py-2 font-medium text-slate-900">{token.name}</td>
          <td className="px-3 py-2">{token.role}</td>
          <td className="px-3 py-2">{token.requestedBy}</td>
          <td className="px-3 py-2 whitespace-nowrap">
            <LocalTime value={token.issueDate} />
          </td>
          <td className="px-3 py-2 whitespace-nowrap">
            <LocalTime value={token.validUntil} />
          </td>
          <td className="px-3 py-2 whitespace-nowrap">
            {token.lastUsed ? (
              <LocalTime value={token.lastUsed} relative />
            ) : (
              <span className="text-slate-400">never</span>
            )}
          </td>
          <td className="px-3 py-2 whitespace-nowrap">
            <span className="font-mono text-xs text-slate-600" title={token.hash}>
              {token.hash.slice(0, 8)}…{token.hash.slice(-4)}
            </span>
            <CopyButton value={token.hash} label={`Copy hash of ${token.name}`} />
          </td>
          <td className="px-3 py-2">
            <span
              className={`rounded-full px-2 py-0.5 text-xs font-medium ${token.status === "Valid" ? "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200" : "bg-slate-100 text-slate-600 ring-1 ring-slate-200"}`}
            >
              {token.status}
            </span>
          </td>
          <td className="px-3 py-2 text-right">
            <button
              type="button"
              aria-label={`Revoke ${token.name}`}
              title={`Revoke ${token.name}`}
              onClick={() => onRevoke(token)}
              className="rounded p-1 text-slate-400 hover:bg-red-50 hover:text-red-600 focus-visible:outline-2 focus-visible:outline-red-600"
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-5">
                <path
                  fillRule="evenodd"
                  d="M8.75 1A2.75 2.75 0 0 0 6 3.75v.443c-.795.077-1.584.176-2.365.298a.75.75 0 1 0 .23 1.482l.149-.022.841 10.518A2.75 2.75 0 0 0 7.596 19h4.807a2.75 2.75 0 0 0 2.742-2.53l.841-10.52.149.023a.75.75 0 0 0 .23-1.482A41.03 41.03 0 0 0 14 4.193V3.75A2.75 2.75 0 0 0 11.25 1h-2.5ZM10 4c.84 0 1.673.025 2.5.075V3.75c0-.69-.56-1.25-1.25-1.25h-2.5c-.69 0-1.25.56-1.25 1.25v.325C8.327 4.025 9.16 4 10 4ZM8.58 7.72a.75.75 0 0 0-1.5.06l.3 7.5a.75.75 0 1 0 1.5-.06l-.3-7.5Zm4.34.06a.75.75 0 1 0-1.5-.06l-.3 7.5a.75.75 0 1 0 1.5.06l.3-7.5Z"
                  clipRule="evenodd"
                />
              </svg>
            </button>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
