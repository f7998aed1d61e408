import { Children, type ReactElement, type ReactNode } from "react";

/**
 * The console's list: a caption for screen readers, column headings, a trailing actions column,
 * and, when `empty` is given and there are no rows, that sentence in their place.
 * A column is a plain heading (a string) or a complete `<th>` with its own key (sortable headings).
 */
export function ListTable({
  caption,
  columns,
  empty,
  className = "",
  children,
}: {
  caption: string;
  columns: (string | ReactElement)[];
  empty?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200 ${className}`}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            {columns.map((column) =>
              typeof column === "string" ? (
                <th key={column} scope="col" className="px-3 py-2 text-left font-semibold">
                  {column}
                </th>
              ) : (
                column
              ),
            )}
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {empty !== undefined && Children.count(children) === 0 ? (
            <tr>
              <td colSpan={columns.length + 1} className="px-3 py-6 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : (
            children
          )}
        </tbody>
      </table>
    </div>
  );
}
