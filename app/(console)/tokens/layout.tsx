import type { ReactNode } from "react";
import { can } from "@/lib/auth/permissions.ts";
import { requireUser } from "@/lib/auth/require-permission.ts";
import { ViewTabs } from "../_components/view-tabs.tsx";
import { VIEWS } from "../_components/views.ts";

// The Tokens views' tabs, each shown only to roles that may use it; each view guards itself (its own layout).
export default async function TokensLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const tabs = Object.values(VIEWS)
    .filter((view) => can(user.role, view.permission))
    .map(({ href, label }) => ({ href, label }));
  return (
    <>
      <ViewTabs label="Token kinds" tabs={tabs} />
      {children}
    </>
  );
}
