import "server-only";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { keyRing } from "../tokens/keys.ts";

// Broker passwords Tessera can derive again but never stores. The database
// keeps the signing key's kid and a random nonce per row; the password is
// HMAC-SHA256(that signing key, kind + name + nonce). So:
// - a database dump alone reveals no password (the keys live in the
//   environment, as for app tokens);
// - the reconcile can put back a broker client that was deleted by hand with
//   the password its device or user already has;
// - a new nonce (re-registering, refreshing) gives a new password.
// Once a kid is dropped from TESSERA_TOKEN_KEYS, the rows it derived can no
// longer be restored (the broker client keeps working while it exists).

export type PasswordKind = "device" | "credential";

export interface DerivedPassword {
  password: string;
  kid: string;
  nonce: string;
}

function derive(secret: Uint8Array, kind: PasswordKind, name: string, nonce: string): Buffer {
  return createHmac("sha256", secret).update(`tessera mqtt password\n${kind}\n${name}\n${nonce}`).digest();
}

function format(kind: PasswordKind, digest: Buffer): string {
  // Devices: 32 base64url characters, as before. Credentials: the seed's tkn_ secret.
  return kind === "device" ? digest.subarray(0, 24).toString("base64url") : `tkn_${digest.toString("base64url")}`;
}

/** A fresh password for name, derived with the current signing key. */
export function newPassword(keys: string | undefined, kind: PasswordKind, name: string): DerivedPassword {
  const { signer } = keyRing(keys);
  const nonce = randomBytes(16).toString("base64url");
  return { password: format(kind, derive(signer.secret, kind, name, nonce)), kid: signer.kid, nonce };
}

/** The password of a row, or null when it was not derived (older rows) or its key is gone. */
export function passwordOf(
  keys: string | undefined,
  kind: PasswordKind,
  name: string,
  row: { passwordKid: string | null; passwordNonce: string | null },
): string | null {
  if (!row.passwordKid || !row.passwordNonce) return null;
  const key = keyRing(keys).byKid.get(row.passwordKid);
  return key ? format(kind, derive(key.secret, kind, name, row.passwordNonce)) : null;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
