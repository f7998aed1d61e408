import "server-only";
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

// Standard Webhooks' secrets and signatures (https://www.standardwebhooks.com,
// "Signature scheme"), in node:crypto: a secret is "whsec_" + base64 of 24
// random bytes; a signature is "v1," + base64(HMAC-SHA256(those bytes,
// "<webhook-id>.<webhook-timestamp>.<body>")). Written here rather than taken
// from the `standardwebhooks` package: signing is these few lines, and the
// tests verify with that package, so the two are independent implementations
// checking each other.
//
// Tessera must read the secret back to sign, so it cannot keep only a hash as
// it does for tokens: it keeps it sealed with AES-256-GCM under a key derived
// (HKDF-SHA256) from NEXTAUTH_SECRET. A database dump alone reveals no secret;
// changing NEXTAUTH_SECRET makes the sealed secrets unreadable (their
// deliveries fail, saying so, until each endpoint gets a new secret).

const PREFIX = "whsec_";
const SEALED = "v1.";

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString("base64");
}

function sealingKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverSecret, "tessera", "webhook endpoint secrets v1", 32));
}

/** The secret sealed for the database; the endpoint's id is bound in (a sealed secret moved to another row fails). */
export function sealSecret(secret: string, endpointId: string, serverSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(serverSecret), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return SEALED + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
}

/** The secret back, or an Error saying why not (a changed NEXTAUTH_SECRET). */
export function openSecret(sealed: string, endpointId: string, serverSecret: string): string {
  if (!sealed.startsWith(SEALED)) throw new Error("the endpoint's secret is in an unknown format");
  const raw = Buffer.from(sealed.slice(SEALED.length), "base64url");
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(serverSecret), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(endpointId));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("the endpoint's secret cannot be read (was NEXTAUTH_SECRET changed?): give it a new secret");
  }
}

/** The webhook-signature header's value for one message. */
export function signMessage(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(PREFIX.length), "base64");
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}
