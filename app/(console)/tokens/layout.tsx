import type { ReactNode } from "react";
import { can } from "@/lib/auth/permissions.ts";
import { currentSessionUser } from "@/lib/auth/current-session.ts";
import { TokenTabs } from "./_components/token-tabs.tsx";

export default async function TokensLayout({ children }: { children: ReactNode }) {
  const user = await currentSessionUser();
  const tabs = [
    ...(user && can(user.role, "tokens:manage") ? [{ href: "/tokens", label: "App Tokens" }] : []),
    ...(user && can(user.role, "mqtt:credentials") ? [{ href: "/tokens/mqtt", label: "MQTT credentials" }] : []),
    ...(user && can(user.role, "devices:manage") ? [{ href: "/tokens/devices", label: "Devices" }] : []),
  ];
  return (
    <>
      <TokenTabs tabs={tabs} />
      {children}
    </>
  );
}
