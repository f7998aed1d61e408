"use client";

import { Button } from "@/components/ui/button.tsx";

// What a console page shows when its server work fails (the database down, say): a sentence and a retry,
// never the error's text (the server log has it; the digest ties the two together).
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section role="alert" className="mx-auto max-w-xl py-12">
      <h1 className="text-2xl font-semibold tracking-tight">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-slate-600">
        Tessera could not answer just now; nothing was changed. Try again in a moment.
        {error.digest ? (
          <span className="mt-1 block font-mono text-xs text-slate-500">Reference: {error.digest}</span>
        ) : null}
      </p>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </section>
  );
}
