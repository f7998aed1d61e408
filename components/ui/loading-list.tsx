/**
 * A list view's placeholder while its page loads (a loading.tsx): the heading, the intro and a few rows in grey, and
 * `label` for screen readers. Only classes, no inline styles (the Content-Security-Policy refuses them).
 */
export function LoadingList({ label }: { label: string }) {
  return (
    <section aria-busy="true" aria-label={label} data-testid="loading-list" className="animate-pulse">
      <p role="status" className="sr-only">
        {label}
      </p>
      <div className="h-8 w-48 rounded bg-slate-200" />
      <div className="mt-2 h-4 w-full max-w-lg rounded bg-slate-100" />
      <div className="mt-6 space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        {[1, 2, 3, 4].map((row) => (
          <div key={row} className="h-5 rounded bg-slate-100" />
        ))}
      </div>
    </section>
  );
}
