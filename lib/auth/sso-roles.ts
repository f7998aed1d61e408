import type { Env } from "../env.ts";
import { ROLES, type Role } from "./permissions.ts";

// Maps an OIDC identity to a Tessera role: admin emails first, then the
// configured claim's values through TESSERA_OIDC_ROLE_MAP (the highest role
// wins), then the default role. null refuses the sign-in.

/** From most to least powerful: the order in which a mapped role wins. */
const RANK: Role[] = ["admin", "editor", "connectionManager", "monitoringViewer", "viewer", "introspector"];

function claimValues(profile: Record<string, unknown>, claim: string): string[] {
  // Dotted paths reach nested claims, e.g. "realm_access.roles" (Keycloak).
  const value = claim
    .split(".")
    .reduce<unknown>(
      (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      profile,
    );
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

export function ssoRole(
  profile: Record<string, unknown>,
  settings: Pick<
    Env,
    "TESSERA_ADMIN_EMAILS" | "TESSERA_OIDC_ROLE_CLAIM" | "TESSERA_OIDC_ROLE_MAP" | "TESSERA_OIDC_DEFAULT_ROLE"
  >,
): Role | null {
  const email = typeof profile.email === "string" ? profile.email.toLowerCase() : undefined;
  // Only the boolean true: an absent claim, the string "false" (or "true"), 1 or null
  // is not an issuer vouching for the address.
  const verified = profile.email_verified === true;
  const admins = (settings.TESSERA_ADMIN_EMAILS ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (email && verified && admins.includes(email)) return "admin";

  const map = new Map(
    (settings.TESSERA_OIDC_ROLE_MAP ?? "")
      .split(",")
      .filter((pair) => pair.includes("="))
      .map((pair) => {
        const at = pair.lastIndexOf("=");
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim() as Role] as const;
      }),
  );
  const mapped = claimValues(profile, settings.TESSERA_OIDC_ROLE_CLAIM)
    .map((value) => map.get(value))
    .filter((role): role is Role => role !== undefined && (ROLES as readonly string[]).includes(role));
  if (mapped.length > 0) return RANK.find((role) => mapped.includes(role))!;
  return settings.TESSERA_OIDC_DEFAULT_ROLE === "none" ? null : settings.TESSERA_OIDC_DEFAULT_ROLE;
}
