import { useCallback, useEffect, useState } from "react";
import { callApi, type ApiResult } from "./api.ts";

/**
 * A GET of the console's API, read in the browser with the session once the component is mounted, and again after
 * `reload`. `result` is null until the first answer; an answer that arrives after the next read started is dropped.
 */
export function useApiRead<T>(path: string) {
  const [result, setResult] = useState<ApiResult<T> | null>(null);
  const [reads, setReads] = useState(0);
  useEffect(() => {
    let live = true;
    void callApi<T>("GET", path).then((answer) => {
      if (live) setResult(answer);
    });
    return () => {
      live = false;
    };
  }, [path, reads]);
  const reload = useCallback(() => setReads((count) => count + 1), []);
  return { result, reload };
}
