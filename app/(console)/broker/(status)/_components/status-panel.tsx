"use client";

import { useCallback, useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { callApi } from "../../../tokens/_components/api.ts";
import { StatusFigures, type Status } from "./status-figures.tsx";

/** How often the panel reads the snapshot again; Mosquitto itself publishes $SYS every sys_interval (default 10 s). */
const REFRESH_MS = 5_000;

/** The broker's $SYS snapshot (GET /api/broker/status), read again every few seconds and on Refresh. */
export function StatusPanel() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string>();
  const [reading, setReading] = useState(false);

  const read = useCallback(async () => {
    setReading(true);
    const result = await callApi<Status>("GET", "/api/broker/status");
    setReading(false);
    if (!result.ok) return setError(result.message);
    setError(undefined);
    setStatus(result.data);
  }, []);

  useEffect(() => {
    // The first read at once, then every REFRESH_MS while the page is open.
    const first = setTimeout(() => void read(), 0);
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [read]);

  return (
    <div data-testid="broker-status" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="flex items-center gap-2 text-sm text-slate-600" aria-live="polite">
          {status ? (
            <>
              <Badge tone={status.connected ? "good" : "warning"}>{status.connected ? "live" : "not connected"}</Badge>
              <span data-testid="status-age">
                Figures {Math.round(status.age_seconds)} s old
                {status.connected ? "" : " (the last ones before Tessera lost the broker)"}
              </span>
            </>
          ) : error ? null : (
            "Reading the broker's $SYS tree…"
          )}
        </p>
        <Button variant="secondary" onClick={() => void read()} disabled={reading}>
          {reading ? "Refreshing…" : "Refresh"}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {error}
        </p>
      ) : null}
      {status ? <StatusFigures status={status} /> : null}
    </div>
  );
}
