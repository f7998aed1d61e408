// The figures of GET /api/broker/status (lib/schemas/broker-status.ts): what Mosquitto last published in $SYS.

import type { BrokerStatusResponse } from "@/lib/schemas/broker-status.ts";

export type Status = BrokerStatusResponse;
type Count = number | null;

/** A figure as the broker sent it, or a dash when it has not (yet). */
function show(value: Count | undefined, unit = ""): string {
  if (value === null || value === undefined) return "–";
  return `${value.toLocaleString(undefined, { maximumFractionDigits: 3 })}${unit}`;
}

/** "3 d 4 h 5 min 6 s", the largest units only. */
function duration(seconds: Count): string {
  if (seconds === null) return "–";
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor((seconds % 86_400) / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "min"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return first === -1
    ? "0 s"
    : parts
        .slice(first, first + 2)
        .map(([value, unit]) => `${value} ${unit}`)
        .join(" ");
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 text-lg font-semibold text-slate-900" data-testid={`figure-${label}`}>
        {value}
      </dd>
    </div>
  );
}

const LOADS = [
  ["Messages received", (s: Status) => s.load.messages.received],
  ["Messages sent", (s: Status) => s.load.messages.sent],
  ["Bytes received", (s: Status) => s.load.bytes.received],
  ["Bytes sent", (s: Status) => s.load.bytes.sent],
  ["Connections", (s: Status) => s.load.connections],
] as const;

export function StatusFigures({ status }: { status: Status }) {
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure label="Version" value={status.version ?? "–"} />
        <Figure label="Uptime" value={duration(status.uptime_seconds)} />
        <Figure label="Clients connected" value={show(status.clients.connected)} />
        <Figure label="Clients total" value={show(status.clients.total)} />
        <Figure label="Subscriptions" value={show(status.subscriptions)} />
        <Figure label="Retained messages" value={show(status.retained)} />
        <Figure label="Messages in per second" value={show(status.per_second.messages_received, "/s")} />
        <Figure label="Messages out per second" value={show(status.per_second.messages_sent, "/s")} />
        <Figure label="Bytes in per second" value={show(status.per_second.bytes_received, " B/s")} />
        <Figure label="Bytes out per second" value={show(status.per_second.bytes_sent, " B/s")} />
      </dl>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="px-3 pt-3 text-left text-sm font-semibold text-slate-700">
            Load averages, per minute, as Mosquitto publishes them
          </caption>
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 text-left font-semibold">
                Load
              </th>
              {["1 min", "5 min", "15 min"].map((label) => (
                <th key={label} scope="col" className="px-3 py-2 text-right font-semibold">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {LOADS.map(([label, pick]) => {
              const averages = pick(status);
              return (
                <tr key={label}>
                  <th scope="row" className="px-3 py-2 text-left font-medium text-slate-700">
                    {label}
                  </th>
                  {(["1min", "5min", "15min"] as const).map((window) => (
                    <td key={window} className="px-3 py-2 text-right tabular-nums">
                      {show(averages[window])}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
