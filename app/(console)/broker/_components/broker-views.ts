import { can, type Permission, type Role } from "@/lib/auth/permissions.ts";

/**
 * The Broker tab's views and the permission each needs (the page guard, the tabs and the main menu read it here).
 * All of them need a broker (TESSERA_MQTT_URL); without one each says how to configure it.
 */
export const BROKER_VIEWS = {
  status: { href: "/broker", label: "Status", permission: "broker:status" },
  clients: { href: "/broker/clients", label: "Clients", permission: "dynsec:clients:read" },
  roles: { href: "/broker/roles", label: "Roles", permission: "dynsec:read" },
  groups: { href: "/broker/groups", label: "Groups", permission: "dynsec:read" },
} as const satisfies Record<string, { href: string; label: string; permission: Permission }>;

export type BrokerViewName = keyof typeof BROKER_VIEWS;

/** The Broker views a role may use, in menu order. */
export function brokerViewsFor(role: Role) {
  return Object.values(BROKER_VIEWS).filter((view) => can(role, view.permission));
}

/** What the signed-in role may do in the Broker views beyond reading; the server decides again on every request. */
export interface BrokerAbilities {
  /** Create, modify and delete clients, roles, groups and ACLs; set passwords (dynsec:write). */
  write: boolean;
  /** Enable and disable clients (broker:connections). */
  connections: boolean;
  /** Read roles and groups, for the pickers in the client dialogs (dynsec:read). */
  readRoles: boolean;
}

export function brokerAbilities(role: Role): BrokerAbilities {
  return {
    write: can(role, "dynsec:write"),
    connections: can(role, "broker:connections"),
    readRoles: can(role, "dynsec:read"),
  };
}
