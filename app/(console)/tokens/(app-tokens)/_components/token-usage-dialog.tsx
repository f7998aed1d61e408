"use client";

import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { LocalTime } from "@/components/ui/local-time.tsx";
import type { TokenResponse } from "@/lib/schemas/token.ts";
import type { TokenUsage } from "@/lib/schemas/usage.ts";
import { useApiRead } from "../../_components/use-api-read.ts";
import { HourlyUsageChart, LEGEND } from "./usage-charts.tsx";

/**
 * A token's last 7 days (GET /api/tokens/{hash}/usage): totals, requests and refusals per hour, and the addresses it
 * was last used from. Opened from the Usage button of a row; read afresh each time it opens.
 */
export function TokenUsageDialog({ token, onClose }: { token: TokenResponse | null; onClose: () => void }) {
  return (
    <Dialog open={token !== null} onClose={onClose} title={`Usage of ${token?.name ?? ""}`} wide>
      {token ? <UsageDetails key={token.hash} hash={token.hash} /> : null}
      <div className="mt-6 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      </div>
    </Dialog>
  );
}

// Mounted each time the dialog opens (the Dialog renders its children only while open), so it never shows an older
// answer.
function UsageDetails({ hash }: { hash: string }) {
  const { result } = useApiRead<TokenUsage>(`/api/tokens/${hash}/usage`);
  if (result === null) {
    return (
      <p role="status" className="text-sm text-slate-500">
        Reading usage…
      </p>
    );
  }
  if (!result.ok) {
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
        {result.message}
      </p>
    );
  }
  const usage = result.data;
  return (
    <div className="space-y-5">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure label="Requests" value={usage.totals.requests} testId="usage-total-requests" />
        <Figure label="Refused" value={usage.totals.refused} testId="usage-total-refused" />
      </dl>
      <figure>
        <HourlyUsageChart usage={usage} />
        <figcaption className="mt-2 flex flex-wrap items-center gap-4 text-xs text-slate-600">
          {LEGEND.map((entry) => (
            <span key={entry.label} className="inline-flex items-center gap-1.5">
              <span aria-hidden="true" className={`inline-block size-2.5 rounded-sm ${entry.className}`} />
              {entry.label}
            </span>
          ))}
          <span>
            From <LocalTime value={usage.from} /> to <LocalTime value={usage.to} />
          </span>
        </figcaption>
      </figure>
      <section aria-labelledby="usage-addresses-heading">
        <h3 id="usage-addresses-heading" className="text-sm font-semibold text-slate-900">
          Last used from
        </h3>
        {usage.addresses.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500">No address yet: the token has not been used.</p>
        ) : (
          <ul data-testid="usage-addresses" className="mt-2 divide-y divide-slate-100 text-sm">
            {usage.addresses.map((entry) => (
              <li key={entry.address} className="flex justify-between gap-4 py-1.5">
                <span className="font-mono text-xs text-slate-900">{entry.address}</span>
                <span className="whitespace-nowrap text-slate-600">
                  <LocalTime value={entry.lastSeen} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="rounded-xl bg-white p-3 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium text-slate-500">{label}, last 7 days</dt>
      <dd className="mt-1 text-lg font-semibold text-slate-900 tabular-nums" data-testid={testId}>
        {value.toLocaleString()}
      </dd>
    </div>
  );
}
