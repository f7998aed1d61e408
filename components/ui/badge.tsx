const TONES = {
  good: "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200",
  warning: "bg-amber-50 text-amber-800 ring-1 ring-amber-200",
  neutral: "bg-slate-100 text-slate-600 ring-1 ring-slate-200",
} as const;

/** A status in a list ("Valid", "expired"), coloured by what it means for the item. */
export function Badge({ tone, children }: { tone: keyof typeof TONES; children: string }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONES[tone]}`}>{children}</span>;
}
