import Link from "next/link";
import type { ReactNode } from "react";
import { can } from "@/lib/auth/permissions.ts";
import { requireUser } from "@/lib/auth/require-permission.ts";
import { brokerViewsFor } from "./broker/_components/broker-views.ts";
import { SignOutButton } from "./_components/sign-out-button.tsx";
import { VIEWS } from "./_components/views.ts";

// The signed-in console: header with the user, role and sign-out; the menu shows only what the role may use (the
// first of the Tokens views it may use, whose tabs lead to the others; likewise the first Broker view).
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const tokens = Object.values(VIEWS).find((view) => can(user.role, view.permission));
  const [broker] = brokerViewsFor(user.role);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <div className="flex items-center gap-6">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              Tessera
            </Link>
            <nav aria-label="Main" className="flex gap-1 text-sm">
              {tokens ? (
                <Link
                  href={tokens.href}
                  className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100"
                >
                  {tokens.label}
                </Link>
              ) : null}
              {broker ? (
                <Link
                  href={broker.href}
                  className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100"
                >
                  Broker
                </Link>
              ) : null}
              <Link href="/account" className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100">
                Account
              </Link>
              <Link href="/api-docs" className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100">
                API
              </Link>
            </nav>
          </div>
          <div className="flex items-center gap-3 text-sm">
            <span data-testid="signed-in-user" className="text-slate-700">
              {user.name ?? user.username}
              <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600">
                {user.role}
              </span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
