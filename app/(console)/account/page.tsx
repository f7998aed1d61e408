import { can, PERMISSIONS, type Permission } from "@/lib/auth/permissions.ts";
import { requirePermission } from "@/lib/auth/require-permission.ts";
import { SignOutEverywhere } from "./_components/sign-out-everywhere.tsx";

export const metadata = { title: "Account · Tessera" };

const DESCRIPTIONS: Record<Permission, string> = {
  "me:read": "See who you are signed in as, and sign out everywhere",
  "tokens:manage": "Create, inspect, rotate, disable and revoke application tokens",
  "tokens:introspect": "Ask whether a token presented to another service is active (POST /api/tokens/introspect)",
  "tokens:rotate-self": "An application token of yours may replace itself (POST /api/tokens/self/rotate)",
  "metrics:read": "Read the server's counters at /api/metrics",
  "audit:read": "Read the audit log: who created, changed, used or revoked what, and when (GET /api/audit)",
  "webhooks:manage": "Register, test and delete webhook endpoints and read their delivery logs",
  "mqtt:credentials": "Mint, refresh, list and revoke end users' MQTT credentials",
  "devices:manage": "Register and remove devices that get REST tokens over MQTT",
  "broker:status": "See the broker's status: clients, subscriptions, message rates and load",
  "dynsec:clients:read": "List and inspect the broker's clients",
  "dynsec:read": "List and inspect the broker's roles, groups, anonymous group and default access",
  "dynsec:write": "Create, change and delete the broker's clients, roles, groups and ACLs",
  "broker:connections": "Enable and disable broker clients (disabling drops their connections)",
};

// GET /account - who am I and what may I do (any signed-in user)
export default async function AccountPage() {
  const user = await requirePermission("me:read"); // the layout guards too, but both render at once
  return (
    <section aria-labelledby="account-heading" className="max-w-xl">
      <h1 id="account-heading" className="text-2xl font-semibold tracking-tight">
        Your account
      </h1>
      <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="font-medium text-slate-500">Username</dt>
        <dd>{user.username}</dd>
        <dt className="font-medium text-slate-500">Role</dt>
        <dd data-testid="account-role">{user.role}</dd>
      </dl>
      <h2 className="mt-8 text-sm font-semibold text-slate-900">What your role allows</h2>
      <ul className="mt-2 list-inside list-disc text-sm text-slate-700">
        {(Object.keys(PERMISSIONS) as Permission[])
          .filter((permission) => can(user.role, permission))
          .map((permission) => (
            <li key={permission}>{DESCRIPTIONS[permission]}</li>
          ))}
      </ul>
      <SignOutEverywhere />
    </section>
  );
}
