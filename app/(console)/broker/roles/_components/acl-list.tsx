import type { BrokerRole } from "@/lib/schemas/broker.ts";

type Acl = BrokerRole["acls"][number];

/** A role's ACLs, highest priority first: type, topic, priority, allow or deny; with a Remove each when editable. */
export function AclList({ acls, onRemove }: { acls: Acl[]; onRemove?: (acl: Acl) => void }) {
  if (acls.length === 0) return <span className="text-slate-400">no ACLs</span>;
  const sorted = [...acls].sort((a, b) => b.priority - a.priority);
  return (
    <ul className="space-y-1 text-xs" aria-label="ACLs">
      {sorted.map((acl) => (
        <li key={`${acl.acltype} ${acl.topic}`} data-testid="acl" className="flex flex-wrap items-center gap-2">
          <span className={acl.allow ? "font-semibold text-emerald-700" : "font-semibold text-red-700"}>
            {acl.allow ? "allow" : "deny"}
          </span>{" "}
          <span>{acl.acltype}</span> <code className="font-mono">{acl.topic}</code>{" "}
          <span className="text-slate-500">priority {acl.priority}</span>{" "}
          {onRemove ? (
            <button
              type="button"
              onClick={() => onRemove(acl)}
              aria-label={`Remove ${acl.acltype} ${acl.topic}`}
              className="rounded px-1.5 text-red-600 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-red-600"
            >
              Remove
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
