import { Button } from "@/components/ui/button.tsx";

/** A row's actions, each a small button named for the row ("Edit alice"); hidden ones are left out. */
export function RowActions({ name, actions }: { name: string; actions: [label: string, onClick: () => void][] }) {
  if (actions.length === 0) return null;
  return (
    <div className="flex justify-end gap-1 whitespace-nowrap">
      {actions.map(([label, onClick]) => (
        <Button
          key={label}
          variant={label === "Delete" ? "danger" : "secondary"}
          className="px-2 py-1 text-xs"
          aria-label={`${label} ${name}`}
          onClick={onClick}
        >
          {label}
        </Button>
      ))}
    </div>
  );
}

/** A list of names (a client's roles, a group's clients), or a grey dash. */
export function Names({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="text-slate-400">–</span>;
  return <span className="text-xs">{names.join(", ")}</span>;
}
