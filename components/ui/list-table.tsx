import type { HTMLAttributes, ReactElement, ReactNode } from "react";

/** One column of a ListTable. */
export interface Column<Row> {
  /** The heading: a plain text, or a complete `<th>` with its own key (a sortable heading). */
  heading: string | ReactElement;
  /** What a row shows in this column. */
  cell: (row: Row) => ReactNode;
  /** Classes for this column's cells besides the padding, e.g. "font-mono text-xs". */
  className?: string;
}

/** A row's own attributes on its `<tr>`: test ids and data-* names. */
type RowAttributes = HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;

/** What a list is, apart from its rows: a module can declare it once, next to its columns. */
export interface ListSpec<Row> {
  /** For screen readers. */
  caption: string;
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  rowAttributes?: (row: Row) => RowAttributes;
  /** The sentence in place of the rows when there are none. */
  empty?: string;
}

/**
 * The console's list: a caption for screen readers, column headings, one row per item with its action (if any) in a
 * trailing column, and, when `empty` is given and there are no rows, that sentence in their place.
 */
export function ListTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowAttributes,
  action,
  empty,
  className = "",
}: ListSpec<Row> & {
  rows: Row[];
  /** The row's action (a button), in the trailing column. */
  action?: (row: Row) => ReactNode;
  className?: string;
}) {
  return (
    <div className={`overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200 ${className}`}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            {columns.map(({ heading }) =>
              typeof heading === "string" ? (
                <th key={heading} scope="col" className="px-3 py-2 text-left font-semibold">
                  {heading}
                </th>
              ) : (
                heading
              ),
            )}
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {empty !== undefined && rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length + 1} className="px-3 py-6 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} className="hover:bg-slate-50" {...rowAttributes?.(row)}>
                {columns.map((column, index) => (
                  <td key={index} className={`px-3 py-2 ${column.className ?? ""}`}>
                    {column.cell(row)}
                  </td>
                ))}
                <td className="px-3 py-2 text-right">{action?.(row)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
