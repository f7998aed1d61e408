"use client";

import { useId } from "react";
import { formatDate, formatDay } from "@/components/ui/local-time.tsx";
import type { TokenUsage, UsageSummary } from "@/lib/schemas/usage.ts";
import type { ApiResult } from "../../_components/api.ts";
import { BarChart, type Bar, type XTick } from "../../../_components/bar-chart.tsx";

// A token's usage as charts: the Tokens table's week per day (GET /api/tokens/usage, one read for every row) and the
// usage dialog's week per hour (GET /api/tokens/{hash}/usage). Accepted requests at the bottom, refused attempts
// stacked on them in red.

const SERIES = [
  { name: "requests", className: "fill-indigo-500" },
  { name: "refused", className: "fill-rose-500" },
] as const;

/** The legend's swatches, the same colours as SERIES. */
export const LEGEND = [
  { label: "Requests", className: "bg-indigo-500" },
  { label: "Refused", className: "bg-rose-500" },
] as const;

const HOUR_MS = 3_600_000;

/** "5 requests, 1 refused". */
function countsText(requests: number, refused: number): string {
  return `${requests.toLocaleString()} ${requests === 1 ? "request" : "requests"}, ${refused.toLocaleString()} refused`;
}

/** One token's row of the summary: its days, or zeros when it made no request in them. */
export type DailyUsage = Pick<UsageSummary["tokens"][number], "requests" | "refused">;

/**
 * The Tokens table's chart: one bar per day. The API counts days in UTC (GET /api/tokens/usage), so the bars' titles
 * name UTC days: a local day would mix two of them.
 */
function UsageSparkline({ id, days, usage }: { id: string; days: string[]; usage: DailyUsage | undefined }) {
  const requests = usage?.requests ?? days.map(() => 0);
  const refused = usage?.refused ?? days.map(() => 0);
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const bars: Bar[] = days.map((day, index) => ({
    values: [requests[index] ?? 0, refused[index] ?? 0],
    title: `${formatDay(`${day}T00:00:00Z`, "UTC")} (UTC): ${countsText(requests[index] ?? 0, refused[index] ?? 0)}`,
  }));
  return (
    <BarChart
      label={`Last ${days.length} days: ${countsText(total(requests), total(refused))}`}
      bars={bars}
      series={SERIES}
      testId="usage-sparkline"
      id={id}
    />
  );
}

/**
 * A row's week as a button that opens the token's usage: named for what it does ("Usage of ci-deploy"), described by
 * the chart's sentence ("Last 7 days: 120 requests, 3 refused"). An ellipsis while the summary is read, a note if
 * reading it failed.
 */
export function WeekOfUse({
  name,
  summary,
  usage,
  onShow,
}: {
  name: string;
  /** GET /api/tokens/usage, read once for the whole table; null while it is on its way. */
  summary: ApiResult<UsageSummary> | null;
  /** This token's row of it; none when the token made no request in the period. */
  usage: DailyUsage | undefined;
  onShow: () => void;
}) {
  const chartId = useId();
  if (!summary?.ok) {
    return (
      <span className="text-xs text-slate-400" title={summary ? summary.message : "Reading usage…"}>
        {summary ? "usage unavailable" : "…"}
      </span>
    );
  }
  return (
    <button
      type="button"
      aria-label={`Usage of ${name}`}
      aria-describedby={chartId}
      onClick={onShow}
      className="rounded p-0.5 ring-1 ring-transparent hover:bg-indigo-50 hover:ring-indigo-200 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <UsageSparkline id={chartId} days={summary.data.days} usage={usage} />
    </button>
  );
}

/**
 * The usage dialog's chart: one bar per hour from the answer's `from` (an hour) up to its `to` (now), hours without
 * any count included; day ticks at each local midnight, times in the viewer's locale and zone.
 */
export function HourlyUsageChart({ usage }: { usage: TokenUsage }) {
  const counted = new Map(usage.hours.map((row) => [Date.parse(row.hour), row]));
  const start = Date.parse(usage.from);
  const end = Date.parse(usage.to);
  const bars: Bar[] = [];
  const xTicks: XTick[] = [];
  let previousDay = "";
  for (let hour = start; hour < end; hour += HOUR_MS) {
    const row = counted.get(hour);
    const iso = new Date(hour).toISOString();
    // A new local day starts in this hour: a tick (not for the first, partial day, whose label would crowd the next).
    const day = formatDay(iso);
    if (previousDay !== "" && day !== previousDay) xTicks.push({ index: bars.length, label: day });
    previousDay = day;
    bars.push({
      values: [row?.requests ?? 0, row?.refused ?? 0],
      title: `${formatDate(iso)}: ${countsText(row?.requests ?? 0, row?.refused ?? 0)}`,
    });
  }
  return (
    <BarChart
      label={`Requests per hour, last 7 days: ${countsText(usage.totals.requests, usage.totals.refused)}`}
      bars={bars}
      series={SERIES}
      xTicks={xTicks}
      xTitle="Day (your time zone)"
      yTitle="Per hour"
      testId="usage-hourly"
    />
  );
}
