import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { admin, setUpFileInstance } from "./file-instance.ts";
import { signingKey, type call } from "./instance.ts";

// What the application-token tests share: the roles, the fixed answers, the
// instance, and tokens made by its admin with unique names.

export const ROLES = ["admin", "editor", "viewer", "connectionManager", "monitoringViewer", "introspector"] as const;
export type Role = (typeof ROLES)[number];
export const INVALID = "Token not found or was revoked";
/** The fields of a created token, as POST /api/tokens and `tessera tokens create --json` answer them. */
export const CREATED_TOKEN_FIELDS = [
  "hash",
  "issueDate",
  "lastUsed",
  "name",
  "replacedBy",
  "requestedBy",
  "revokeAt",
  "role",
  "status",
  "token",
  "validUntil",
];

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let counter = 0;
/** A number no other call in this process gets. */
export const nextId = () => ++counter;
/** A token name no other test of this process uses (at most 30 characters). */
export const uniqueName = (prefix = "t") => `${prefix}-${process.pid}-${nextId()}`.slice(0, 30);

export interface CreatedToken {
  token: string;
  hash: string;
  name: string;
  validUntil: string;
}

export function assertInvalidToken(response: Awaited<ReturnType<typeof call>>) {
  assert.equal(response.status, 403);
  assert.equal(response.body, INVALID);
  assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="tessera", error="invalid_token"');
}

/**
 * The /api/tokens test files' instance (setUpFileInstance): signed with a key
 * of id k1 (the tests read the kid), lastUsed written at most every 2 s, the
 * bad-token throttle out of the way.
 */
export function setUpTokensInstance(): void {
  setUpFileInstance({
    TESSERA_TOKEN_KEYS: signingKey("k1"),
    TESSERA_LAST_USED_INTERVAL_SECONDS: "2",
    TESSERA_AUTH_FAILURES_PER_MINUTE: "100000",
  });
}

/** Creates a token as the file instance's admin (asserting 200) and answers the created row with its token. */
export async function createToken(role: Role, validUntil = inDays(7), name = uniqueName(role)): Promise<CreatedToken> {
  const response = await admin("/api/tokens", { method: "POST", body: { name, role, validUntil } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as CreatedToken;
}
