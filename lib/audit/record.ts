import "server-only";
import type { Caller } from "../auth/authenticate.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { AuditAction } from "./actions.ts";

// The audit log's one writer (issue 19). A change and its audit row go into
// the same transaction: a service builds the row with auditRow() and creates
// it with the transaction client it made the change with, so a change without
// its row can never commit, and a row without its change neither. What goes
// in is chosen field by field here and by the callers: names, roles, hashes,
// instants, addresses; never a token, a password, a secret or a hash of one
// (tests/audit.test.ts dumps the table and looks for them).

/** Through what a change came. */
export type AuditVia = "api" | "console" | "cli" | "mqtt" | "system";

/** Who made a change, through what, from where. */
export interface AuditActor {
  /** "token:<name>", "device:<id>", "mqtt:<username>", a username, "cli:<user>" or "system": what requestedBy records too. */
  label: string;
  via: AuditVia;
  address?: string | null;
}

/** The caller of an API request as an actor: an app token is "api", a console session "console". */
export function actorOf(caller: Pick<Caller, "kind" | "label" | "address">): AuditActor {
  return { label: caller.label, via: caller.kind === "session" ? "console" : "api", address: caller.address };
}

/** The CLI (`tessera ...` on the host), as the operating system user who ran it: "cli:<user>". */
export function cliActor(user: string): AuditActor {
  return { label: `cli:${user}`, via: "cli", address: null };
}
/** Tessera itself: the sweep, expiry. */
export const SYSTEM_ACTOR: AuditActor = { label: "system", via: "system", address: null };

/** The row for one audited change, to create in the change's transaction. */
export function auditRow(
  who: AuditActor,
  action: AuditAction,
  about: { tokenHash?: string | null; target?: string | null; details?: Prisma.InputJsonObject; count?: number } = {},
): Prisma.AuditEventCreateManyInput {
  return {
    action,
    actor: who.label.slice(0, 300),
    via: who.via,
    address: who.address?.slice(0, 64) ?? null,
    tokenHash: about.tokenHash ?? null,
    target: about.target?.slice(0, 320) ?? null,
    ...(about.details ? { details: about.details } : {}),
    ...(about.count ? { count: about.count } : {}),
  };
}
