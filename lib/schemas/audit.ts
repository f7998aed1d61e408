import { z } from "zod";
import { AUDIT_ACTIONS } from "../audit/actions.ts";
import { instant, isoDateParam } from "./instant.ts";

// GET /api/audit: the audit log, newest first, filtered and paged by cursor.

export const MAX_AUDIT_PAGE = 500;

const when = isoDateParam;

export const auditQuery = z.strictObject({
  /** Events at or after this instant. */
  from: when("from").optional(),
  /** Events before this instant. */
  to: when("to").optional(),
  /** Exactly this actor ("token:<name>", "device:<id>", "mqtt:<username>", a username, "cli:<user>", "system"). */
  actor: z
    .string()
    .min(1)
    .max(300, "actor must be at most 300 characters")
    .refine((text) => !text.includes("\u0000"), "actor must not contain NUL")
    .optional(),
  action: z.enum(AUDIT_ACTIONS, { error: () => `action must be one of ${AUDIT_ACTIONS.join(", ")}` }).optional(),
  /** The token's hash (not "token": ?token= is a credential, README "Application tokens"). */
  tokenHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "tokenHash must be a token hash: 64 lowercase hexadecimal characters")
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= MAX_AUDIT_PAGE, `limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`)
    .optional(),
  /** nextCursor of the page before. */
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, "cursor must be the nextCursor of an earlier answer")
    .optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditEventResponse = z.strictObject({
  id: z.string().describe("Increasing with time of writing; the cursor pages by it"),
  at: instant,
  action: z.enum(AUDIT_ACTIONS),
  actor: z.string(),
  via: z.enum(["api", "console", "cli", "mqtt", "system"]),
  address: z.string().nullable(),
  tokenHash: z.string().nullable(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  count: z.number().int().describe("More than 1 for aggregated refusals"),
});

export const auditPageResponse = z.strictObject({
  events: z.array(auditEventResponse),
  nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next (older) page; null on the last"),
});
export type AuditPage = z.output<typeof auditPageResponse>;
