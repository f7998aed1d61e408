import Link from "next/link";
import { openView } from "../../_components/view-gate.tsx";
import { AUDIT_ACTIONS } from "@/lib/audit/actions.ts";
import { listAudit } from "@/lib/audit/list-audit.ts";
import { auditQuery } from "@/lib/schemas/audit.ts";

export const metadata = { title: "Audit · Tessera" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// GET /tokens/audit - the audit log, newest first, with the API's filters as a form (admin)
export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await openView("audit");
  const raw = Object.fromEntries(
    Object.entries(await searchParams)
      .map(([name, value]) => [name, Array.isArray(value) ? value[0] : value])
      .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""),
  );
  const parsed = auditQuery.safeParse({ limit: "50", ...raw });
  const page = parsed.success ? await listAudit(parsed.data) : null;
  const older = page?.nextCursor ? `?${new URLSearchParams({ ...raw, cursor: page.nextCursor })}` : null;
  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading" className="text-2xl font-semibold tracking-tight">
        Audit log
      </h1>
      <form method="get" className="mt-4 flex flex-wrap items-end gap-3 text-sm" aria-label="Filter the audit log">
        <label className="flex flex-col">
          <span className="text-slate-500">Action</span>
          <select name="action" defaultValue={raw.action ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">any</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action}>{action}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          <span className="text-slate-500">Actor</span>
          <input name="actor" defaultValue={raw.actor ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col">
          <span className="text-slate-500">Token hash</span>
          <input
            name="tokenHash"
            defaultValue={raw.tokenHash ?? ""}
            className="w-72 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
          />
        </label>
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 font-medium text-white">
          Filter
        </button>
      </form>
      {!parsed.success ? (
        <p role="alert" className="mt-4 text-red-700">
          {parsed.error.issues[0]!.message}
        </p>
      ) : page!.events.length === 0 ? (
        <p className="mt-6 text-slate-600">No events.</p>
      ) : (
        <table className="mt-6 w-full text-left text-sm" data-testid="audit-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-2 pr-4 font-medium">When (UTC)</th>
              <th className="py-2 pr-4 font-medium">Action</th>
              <th className="py-2 pr-4 font-medium">Who</th>
              <th className="py-2 pr-4 font-medium">Via</th>
              <th className="py-2 pr-4 font-medium">From</th>
              <th className="py-2 pr-4 font-medium">What</th>
            </tr>
          </thead>
          <tbody>
            {page!.events.map((event) => (
              <tr key={event.id} className="border-t border-slate-200 align-top">
                <td className="py-2 pr-4 whitespace-nowrap tabular-nums">{event.at.replace("T", " ").slice(0, 19)}</td>
                <td className="py-2 pr-4 font-mono text-xs">
                  {event.action}
                  {event.count > 1 ? ` ×${event.count}` : ""}
                </td>
                <td className="py-2 pr-4">{event.actor}</td>
                <td className="py-2 pr-4">{event.via}</td>
                <td className="py-2 pr-4">{event.address ?? ""}</td>
                <td className="py-2 pr-4">
                  {event.target}
                  {event.tokenHash ? (
                    <Link
                      href={`?tokenHash=${event.tokenHash}`}
                      className="ml-2 font-mono text-xs text-slate-500 underline"
                      title="This token's events"
                    >
                      {event.tokenHash.slice(0, 12)}…
                    </Link>
                  ) : null}
                  {event.details?.reason ? (
                    <span className="ml-2 text-slate-500">({String(event.details.reason)})</span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {older ? (
        <Link href={older} className="mt-4 inline-block text-sm underline">
          Older events
        </Link>
      ) : null}
    </section>
  );
}
