"use client";

import { useEffect, useState } from "react";
import { callApi } from "../../tokens/_components/api.ts";

type Named = { managed_by: string | null } & Record<string, unknown>;

/**
 * The names of the broker's roles or groups (or clients) for a picker, without the ones a Tessera feature owns (the
 * API refuses to hand those out); null while loading or when the role may not read them.
 */
export function useBrokerNames(kind: "roles" | "groups" | "clients", key: string, enabled: boolean) {
  const [names, setNames] = useState<string[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void callApi<Record<string, Named[]>>("GET", `/api/broker/${kind}?limit=1000`).then((result) => {
      if (live && result.ok)
        setNames(result.data[kind]!.filter((row) => !row.managed_by).map((row) => String(row[key])));
    });
    return () => {
      live = false;
    };
  }, [kind, key, enabled]);
  return names;
}

/** Checkboxes for a set of names (a client's roles or groups); names already chosen stay listed. */
export function NamePicker({
  legend,
  names,
  chosen,
  onChosen,
}: {
  legend: string;
  names: string[] | null;
  chosen: string[];
  onChosen: (chosen: string[]) => void;
}) {
  const all = [...new Set([...(names ?? []), ...chosen])].sort();
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      {all.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">{names === null ? "Loading…" : "None on the broker yet."}</p>
      ) : (
        <div className="mt-1 flex max-h-32 flex-wrap gap-x-4 gap-y-1 overflow-auto text-sm">
          {all.map((name) => (
            <label key={name} className="inline-flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={chosen.includes(name)}
                onChange={(event) =>
                  onChosen(event.target.checked ? [...chosen, name] : chosen.filter((other) => other !== name))
                }
              />
              {name}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
