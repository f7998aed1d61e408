import { tokenResponse, type TokenResponse } from "../schemas/token.ts";

// SQL that writes a token's answer as JSON text itself (the same bytes
// JSON.stringify(toTokenResponse(row)) would), so 10,000 tokens never become
// 10,000 JavaScript objects: the full list (lib/tokens/token-list-cache.ts) and
// its pages (lib/tokens/list-tokens.ts) are built from it.

/** A timestamptz column as the API writes instants (Date.prototype.toISOString's form). */
export const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const quoted = (text: string) => `'"' || ${text} || '"'`;

/** Each field of the token response schema as SQL that yields its JSON value; $1 is "now" for status. */
export const FIELD_JSON = {
  name: `to_json(name)::text`,
  hash: quoted("hash"),
  validUntil: quoted(isoText("valid_until")),
  role: quoted("role::text"),
  requestedBy: `to_json(requested_by)::text`,
  issueDate: quoted(isoText("issue_date")),
  lastUsed: `coalesce(${quoted(isoText("last_used"))}, 'null')`,
  status: `CASE WHEN valid_until <= $1 OR revoke_at <= $1 THEN '"Invalid"' WHEN disabled_at IS NOT NULL THEN '"Disabled"' ELSE '"Valid"' END`,
  replacedBy: `coalesce(${quoted("replaced_by")}, 'null')`,
  revokeAt: `coalesce(${quoted(isoText("revoke_at"))}, 'null')`,
} satisfies Record<keyof TokenResponse, string>;

/** The response schema's fields in the order the answer writes them. */
export const FIELD_ORDER = Object.keys(tokenResponse.shape) as (keyof TokenResponse)[];

/** One token as JSON text, field by field in the response schema's order (what JSON.stringify(toTokenResponse(row)) writes). */
export const TOKEN_JSON =
  `'{' || ` +
  FIELD_ORDER.map((field) => `'${JSON.stringify(field)}:' || ${FIELD_JSON[field]}`).join(` || ',' || `) +
  ` || '}'`;
