"use client";

import { Button } from "@/components/ui/button.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";

/** A password Tessera generated for a broker client, shown this once (the broker keeps only its hash). */
export function ShownOnceDialog({
  secret,
  onClose,
}: {
  secret: { username: string; password: string } | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={secret !== null} onClose={onClose} title="Password generated">
      <div className="space-y-4 text-sm text-slate-700">
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200">
          Copy the password of <strong>{secret?.username}</strong> now. It will never be shown again.
        </p>
        <div className="flex items-start gap-2">
          <code
            data-testid="generated-password"
            className="block flex-1 rounded-md bg-slate-900 p-3 font-mono text-xs break-all text-slate-100"
          >
            {secret?.password}
          </code>
          {secret ? <CopyButton value={secret.password} label="Copy password" /> : null}
        </div>
        <div className="flex justify-end">
          <Button onClick={onClose}>Done</Button>
        </div>
      </div>
    </Dialog>
  );
}
