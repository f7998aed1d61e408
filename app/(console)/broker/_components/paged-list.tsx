import type { ReactNode } from "react";
import { ListTable, type ListSpec } from "@/components/ui/list-table.tsx";
import { ListError } from "./list-error.tsx";
import { ListPager } from "./list-pager.tsx";
import type { useBrokerList } from "./use-broker-list.ts";

/**
 * A broker list as its view shows it: the list's error (or else `error`, the view's own) above, then, once read, the
 * page of rows with each row's actions and the pager.
 */
export function PagedList<Row>({
  spec,
  list,
  error,
  action,
}: {
  spec: ListSpec<Row>;
  list: ReturnType<typeof useBrokerList<Row>>;
  error?: string;
  action: (row: Row) => ReactNode;
}) {
  return (
    <>
      <ListError message={list.error ?? error} />
      {list.rows ? (
        <>
          <ListTable {...spec} rows={list.rows} action={action} className="mt-6" />
          <ListPager offset={list.offset} shown={list.rows.length} total={list.total} onOffset={list.setOffset} />
        </>
      ) : null}
    </>
  );
}
