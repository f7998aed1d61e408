import { z } from "zod";
import { instant } from "./instant.ts";
import { ROLES } from "../auth/permissions.ts";

// Application tokens: the one schema for the API, the CLI and the form.

/**
 * Control, format (bidi overrides, zero-width), line/paragraph separator and
 * default-ignorable characters (fillers such as U+3164, the combining grapheme
 * joiner U+034F, variation selectors), and U+2800, the blank braille pattern:
 * each renders as nothing or as a blank, so "rt-admin" plus any of them looks
 * like "rt-admin". Look-alikes that do render are refused by their skeleton
 * (lib/tokens/name-skeleton.ts).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
export const NAME_MAX = 30;

export const tokenName = z
  .string({ error: (issue) => (issue.input === undefined ? "name is required" : "name must be a string") })
  .transform((value) => value.normalize("NFC").trim())
  .pipe(
    z
      .string()
      .refine((value) => value.length > 0, "name must not be empty")
      .refine((value) => [...value].length <= NAME_MAX, `name must be at most ${NAME_MAX} characters`)
      .refine((value) => !INVISIBLE.test(value), "name must not contain control or invisible characters"),
  );

export const tokenRole = z.enum(ROLES, {
  error: (issue) => (issue.input === undefined ? "role is required" : `role must be one of ${ROLES.join(", ")}`),
});

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/** An ISO-8601 date-time with a zone that names a real calendar day and time (Date would roll 02-31 into March). */
function isIsoDateTime(value: string): boolean {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second = "0", offsetHours = "0", offsetMinutes = "0"] = match
    .slice(1)
    .map((part) => part ?? "0");
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  return (
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59
  );
}

const VALID_UNTIL_HINT = "validUntil must be an ISO-8601 date-time such as 2030-01-31T12:00:00Z";
export const validUntil = z
  .string({ error: (issue) => (issue.input === undefined ? "validUntil is required" : VALID_UNTIL_HINT) })
  .refine(isIsoDateTime, VALID_UNTIL_HINT)
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), VALID_UNTIL_HINT);

export const createTokenSchema = z.strictObject({ name: tokenName, validUntil, role: tokenRole });
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

/**
 * What the API shows of a token: the seed's fields plus status. Every answer
 * about a token is parsed from its row through this schema, which keeps only
 * these fields (an allow-list: the row's kid, jti, skeleton and device never
 * leave), and the list's SQL writes the same fields in this order
 * (lib/tokens/list-tokens.ts).
 */
export const tokenResponse = z.object({
  name: z.string(),
  hash: z.string(),
  validUntil: instant,
  role: tokenRole,
  requestedBy: z.string(),
  issueDate: instant,
  lastUsed: instant.nullable(),
  /** Invalid once expired (or past its grace after a rotation); Disabled while disabled; Valid otherwise. */
  status: z.enum(["Valid", "Invalid", "Disabled"]),
  /** Set when a rotation replaced this token: the new token's hash. */
  replacedBy: z.string().nullable(),
  /** Set when a rotation replaced this token: the end of its grace, when it is revoked. */
  revokeAt: instant.nullable(),
});
export type TokenResponse = z.output<typeof tokenResponse>;

/** POST /api/tokens/{hash}/rotate and /api/tokens/self/rotate. */
export const rotateTokenSchema = z.strictObject({
  grace_seconds: z
    .number({ error: "grace_seconds must be a whole number of seconds from 0 to 2592000 (30 days)" })
    .int("grace_seconds must be a whole number of seconds from 0 to 2592000 (30 days)")
    .min(0, "grace_seconds must be a whole number of seconds from 0 to 2592000 (30 days)")
    .max(2_592_000, "grace_seconds must be a whole number of seconds from 0 to 2592000 (30 days)")
    .default(86_400),
  validUntil: validUntil.optional(),
});
export type RotateTokenInput = z.infer<typeof rotateTokenSchema>;

/** POST /api/tokens: the token itself, shown once, and the same fields. */
export type CreatedTokenResponse = { token: string } & TokenResponse;
