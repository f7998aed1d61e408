import { useCallback, useEffect, useState } from "react";
import { callApi } from "../../tokens/_components/api.ts";

/** Rows per page of a broker list (the API's default limit). */
export const PAGE_SIZE = 100;

/**
 * One page of a broker list (GET /api/broker/{kind}?limit=&offset=, answering `{ [kind]: rows, total }`), read in
 * the browser with the session: the broker is the store, so the list is whatever it says now. `reload` reads the page
 * again (after a change); a refusal or an unreachable broker is the server's sentence in `error`.
 */
export function useBrokerList<Row>(kind: "clients" | "roles" | "groups") {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<string>();
  const [reads, setReads] = useState(0);

  useEffect(() => {
    // The first read, again on another page and after every reload; an answer that arrives after the next read
    // started is dropped.
    let live = true;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
    void callApi<Record<string, unknown> & { total: number }>("GET", `/api/broker/${kind}?${query}`).then((result) => {
      if (!live) return;
      if (!result.ok) return setError(result.message);
      setError(undefined);
      setRows(result.data[kind] as Row[]);
      setTotal(result.data.total);
    });
    return () => {
      live = false;
    };
  }, [kind, offset, reads]);

  const reload = useCallback(() => setReads((count) => count + 1), []);
  return { rows, total, offset, setOffset, error, reload };
}
