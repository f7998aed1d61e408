import type { ReactNode } from "react";

/**
 * A console view's heading: its h1 (`id` is what the view's section is aria-labelledby), the sentence under it, and
 * on the right what the view offers (a New button), if anything.
 */
export function ViewHeading({
  id,
  title,
  children,
  action,
}: {
  id: string;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 id={id} className="text-2xl font-semibold tracking-tight">
          {title}
        </h1>
        <p className="mt-1 text-sm text-slate-600">{children}</p>
      </div>
      {action}
    </div>
  );
}
