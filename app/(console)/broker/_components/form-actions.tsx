import { Button } from "@/components/ui/button.tsx";

/** A broker dialog's buttons: Cancel (or Done) on the left, the submit on the right, with its pending word. */
export function FormActions({
  onCancel,
  pending,
  action,
  pendingAction,
  cancel = "Cancel",
}: {
  onCancel: () => void;
  pending: boolean;
  action: string;
  pendingAction: string;
  cancel?: string;
}) {
  return (
    <div className="flex justify-end gap-2 pt-2">
      <Button variant="secondary" onClick={onCancel}>
        {cancel}
      </Button>
      <Button type="submit" disabled={pending}>
        {pending ? pendingAction : action}
      </Button>
    </div>
  );
}
