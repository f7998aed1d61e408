import type { Permission } from "@/lib/auth/permissions.ts";
import type { Env } from "@/lib/env.ts";

/**
 * The console's views behind the Tokens tabs, and what each needs: the permission its role must have (the page
 * guard, the tabs and the main menu all read it here), and the setting without which the server has the feature off.
 */
export const VIEWS = {
  tokens: {
    href: "/tokens",
    label: "App Tokens",
    permission: "tokens:manage",
    enabled: (settings: Env) => settings.TESSERA_APP_TOKENS_ENABLED,
    off: "Application tokens are switched off on this server (TESSERA_APP_TOKENS_ENABLED=false).",
  },
  mqtt: {
    href: "/tokens/mqtt",
    label: "MQTT credentials",
    permission: "mqtt:credentials",
    enabled: (settings: Env) => Boolean(settings.TESSERA_MQTT_URL),
    off:
      "MQTT credentials are not enabled on this server: " +
      "set TESSERA_MQTT_URL and the broker's admin credentials (README, MQTT credentials).",
  },
  devices: {
    href: "/tokens/devices",
    label: "Devices",
    permission: "devices:manage",
    enabled: (settings: Env) => Boolean(settings.TESSERA_MQTT_URL),
    off:
      "Device tokens need a broker: " +
      "set TESSERA_MQTT_URL and the broker's admin credentials (README, Device tokens over MQTT).",
  },
  audit: {
    href: "/tokens/audit",
    label: "Audit",
    permission: "audit:read",
    enabled: () => true,
    off: "",
  },
  webhooks: {
    href: "/tokens/webhooks",
    label: "Webhooks",
    permission: "webhooks:manage",
    enabled: () => true,
    off: "",
  },
} as const satisfies Record<string, View>;

export interface View {
  href: string;
  label: string;
  permission: Permission;
  enabled: (settings: Env) => boolean;
  /** What the view says instead when the server has the feature off. */
  off: string;
}

export type ViewName = keyof typeof VIEWS;
