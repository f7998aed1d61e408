import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/require-permission.ts";
import { ViewTabs } from "../_components/view-tabs.tsx";
import { brokerViewsFor } from "./_components/broker-views.ts";

// The Broker views' tabs, each shown only to roles that may use it; each view guards itself (its own layout).
export default async function BrokerLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const tabs = brokerViewsFor(user.role).map(({ href, label }) => ({ href, label }));
  return (
    <>
      <ViewTabs label="Broker views" tabs={tabs} />
      {children}
    </>
  );
}
