import { Button } from "@/components/ui/button.tsx";
import { PAGE_SIZE } from "./use-broker-list.ts";

/** "1-100 of 250" with Previous and Next, when a list has more than one page. */
export function ListPager({
  offset,
  shown,
  total,
  onOffset,
}: {
  offset: number;
  shown: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  if (total <= PAGE_SIZE && offset === 0) return null;
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center justify-end gap-2 text-sm text-slate-600">
      <span>
        {shown === 0 ? 0 : offset + 1}–{offset + shown} of {total}
      </span>
      <Button variant="secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - PAGE_SIZE))}>
        Previous
      </Button>
      <Button variant="secondary" disabled={offset + PAGE_SIZE >= total} onClick={() => onOffset(offset + PAGE_SIZE)}>
        Next
      </Button>
    </nav>
  );
}
