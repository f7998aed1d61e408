"use client";

import { useSyncExternalStore } from "react";

// Dates in the viewer's locale and time zone. The server knows neither: what
// it rendered in its own stayed on the page, because hydration keeps the
// server's text. So the server and the hydrating render both write the
// instant in UTC (identical, no mismatch), and the browser formats it in its
// own locale and zone right after; no JavaScript, the UTC text stays.

const noChanges = () => () => {};

/** false on the server and during hydration, true afterwards (and for anything rendered on the client later). */
function useInBrowser(): boolean {
  return useSyncExternalStore(
    noChanges,
    () => true,
    () => false,
  );
}

/** "2026-11-24 15:19 UTC": the same on the server and in every browser. */
function utcText(iso: string): string {
  const exact = new Date(iso).toISOString();
  return `${exact.slice(0, 10)} ${exact.slice(11, 16)} UTC`;
}

/** The date and time in the browser's locale and time zone, e.g. "25.11.2026, 00:19" in a de-DE browser in Tokyo. */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * "Tue, Nov 24", the day of an instant in the browser's locale and time zone (or in `timeZone`: "UTC" for a day the
 * server counted in UTC): a chart's day label.
 */
export function formatDay(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric", timeZone });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "3 minutes ago", "in 1 hour", in the browser's locale. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === "second") return format.format(Math.round(diff / ms), unit);
  }
  return "";
}

/**
 * A <time> with the instant in dateTime, showing it in the viewer's locale
 * and time zone; relative shows "3 minutes ago" with the date as its title.
 */
export function LocalTime({ value, relative = false }: { value: string; relative?: boolean }) {
  const inBrowser = useInBrowser();
  const date = inBrowser ? formatDate(value) : utcText(value);
  return (
    <time dateTime={value} title={relative ? date : undefined}>
      {relative && inBrowser ? formatRelative(value) : date}
    </time>
  );
}

/** How long ago something last happened ("3 minutes ago"), or a grey "never" when it has not yet. */
export function LastTime({ value }: { value: string | null }) {
  return value ? <LocalTime value={value} relative /> : <span className="text-slate-400">never</span>;
}
