"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

// A console tab's views as tabs (the Tokens kinds, the Broker views); the layout passes only those the role may use.
export function ViewTabs({ label, tabs }: { label: string; tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  if (tabs.length < 2) return null;
  return (
    <nav aria-label={label} className="mb-6 flex gap-1 border-b border-slate-200 text-sm">
      {tabs.map((tab) => {
        const current = pathname === tab.href;
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={current ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 font-medium ${current ? "border-slate-900 text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
