import { useState } from "react";
import type { ApiResult } from "./api.ts";

/**
 * A list's destructive action behind a confirmation (revoke a token, remove a device): the row it is for, the
 * request, its pending state and the server's refusal. Spread `dialog` onto a ConfirmDialog; `ask(row)` opens it.
 */
export function useConfirmAction<Row, Data>(
  request: (row: Row) => Promise<ApiResult<Data>>,
  onDone: (row: Row, data: Data) => void,
) {
  const [target, setTarget] = useState<Row | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  // The confirm button: the request for the row; done, the dialog closes, refused, it shows the server's sentence.
  async function onConfirm() {
    if (target === null) return;
    setPending(true);
    const result = await request(target);
    setPending(false);
    if (!result.ok) return setError(result.message);
    setTarget(null);
    onDone(target, result.data);
  }

  return {
    target,
    ask(row: Row) {
      setError(undefined);
      setTarget(row);
    },
    dialog: { open: target !== null, error, pending, onConfirm, onClose: () => setTarget(null) },
  };
}
