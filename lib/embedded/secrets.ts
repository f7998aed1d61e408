import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Env } from "../env.ts";
import { parseSigningKeys, type AsymmetricAlg, type SigningJwk } from "../tokens/signing-keys.ts";
import { ensureDataDir } from "./lock.ts";

/**
 * Zero-configuration secrets for the embedded default: generated on first
 * start, kept in <data dir>/secrets.json (mode 0600) and handed to the server
 * through its environment (edge middleware can read neither files nor the
 * database). Variables set in the environment always win over the file.
 */

export interface Secrets {
  TESSERA_TOKEN_KEYS: string;
  NEXTAUTH_SECRET: string;
  /** Added on the first start with TESSERA_TOKEN_ALG=EdDSA or ES256 (a JSON array of private JWKs, newest first). */
  TESSERA_SIGNING_KEYS?: string;
}

export function secretsFile(dataDir: string): string {
  return path.join(dataDir, "secrets.json");
}

function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** A new signing key entry `kid:secret`, for TESSERA_TOKEN_KEYS. */
export function newTokenKey(): string {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  return `k${date}-${randomBytes(3).toString("hex")}:${randomSecret()}`;
}

/** A new Ed25519 (EdDSA) or P-256 (ES256) private JWK with a fresh kid, for TESSERA_SIGNING_KEYS. */
export function newSigningKey(alg: AsymmetricAlg): SigningJwk {
  const { privateKey } =
    alg === "EdDSA" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const kid = `${alg === "EdDSA" ? "ed" : "es"}${date}-${randomBytes(3).toString("hex")}`;
  return { ...privateKey.export({ format: "jwk" }), kid, alg } as SigningJwk;
}

/**
 * What the embedded mode adds to a server's or CLI command's environment from
 * the data dir: the secrets the environment does not set, and, with
 * TESSERA_TOKEN_ALG=EdDSA or ES256 and no TESSERA_SIGNING_KEYS in the
 * environment, the data dir's signing keys, with a new private key of that
 * algorithm put first if it holds none (kept beside the others: tokens they
 * signed still verify, and their public keys stay in the JWKS). The caller
 * holds the data dir lock.
 */
export function embeddedSecrets(current: Env, dataDir: string, log: (line: string) => void): Partial<Secrets> {
  const wanted: Partial<Secrets> = {};
  const needSigningKeys = current.TESSERA_TOKEN_ALG !== "HS256" && !current.TESSERA_SIGNING_KEYS;
  if (current.TESSERA_TOKEN_KEYS && current.NEXTAUTH_SECRET && !needSigningKeys) {
    // Signing keys made by an earlier start still verify the tokens they signed, whatever signs now (HS256 again).
    const existing = current.TESSERA_SIGNING_KEYS ? undefined : readSecrets(dataDir)?.TESSERA_SIGNING_KEYS;
    return existing ? { TESSERA_SIGNING_KEYS: existing } : wanted;
  }
  let secrets = loadOrCreateSecrets(dataDir, log);
  if (!current.TESSERA_TOKEN_KEYS) wanted.TESSERA_TOKEN_KEYS = secrets.TESSERA_TOKEN_KEYS;
  if (!current.NEXTAUTH_SECRET) wanted.NEXTAUTH_SECRET = secrets.NEXTAUTH_SECRET;
  if (needSigningKeys) {
    const alg = current.TESSERA_TOKEN_ALG as AsymmetricAlg;
    const keys = secrets.TESSERA_SIGNING_KEYS ? parseSigningKeys(secrets.TESSERA_SIGNING_KEYS) : [];
    if (!keys.some((jwk) => jwk.alg === alg && jwk.d)) {
      const key = newSigningKey(alg);
      secrets = { ...secrets, TESSERA_SIGNING_KEYS: JSON.stringify([key, ...keys]) };
      replaceSecrets(dataDir, secrets);
      log(`Generated an ${alg} signing key (kid ${key.kid}) in ${secretsFile(dataDir)}.`);
    }
  }
  // Kept whatever signs now: tokens signed by an earlier start's EdDSA or ES256 key keep verifying after a start
  // with TESSERA_TOKEN_ALG back at HS256, and the JWKS keeps publishing those keys.
  if (!current.TESSERA_SIGNING_KEYS && secrets.TESSERA_SIGNING_KEYS)
    wanted.TESSERA_SIGNING_KEYS = secrets.TESSERA_SIGNING_KEYS;
  return wanted;
}

/** The data dir's secrets file, or undefined when there is none yet (nothing is created). */
function readSecrets(dataDir: string): Secrets | undefined {
  try {
    return readSecretsFile(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function readSecretsFile(dataDir: string): Secrets {
  const parsed: unknown = JSON.parse(readFileSync(secretsFile(dataDir), "utf8"));
  if (!isSecrets(parsed)) throw new Error(`${secretsFile(dataDir)} is not a Tessera secrets file`);
  return parsed;
}

/** Writes the secrets file anew: a temporary file renamed over it, so a crash leaves the old or the new one whole. */
function replaceSecrets(dataDir: string, secrets: Secrets): void {
  const file = secretsFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600, flag: "w" });
  renameSync(temporary, file);
}

function isSecrets(value: unknown): value is Secrets {
  const candidate = value as Partial<Secrets> | null;
  return typeof candidate?.TESSERA_TOKEN_KEYS === "string" && typeof candidate.NEXTAUTH_SECRET === "string";
}

/**
 * Returns the data dir's secrets, creating the file on first use. Creation is
 * atomic and exclusive (write a temporary file, then hard-link it into place),
 * so a crash never leaves a half-written file and two racing starts agree.
 */
export function loadOrCreateSecrets(dataDir: string, log: (line: string) => void): Secrets {
  ensureDataDir(dataDir);
  const file = secretsFile(dataDir);
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!isSecrets(parsed))
      throw new Error(`${file} is not a Tessera secrets file; move it away to generate new secrets`);
    if ((statSync(file).mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      log(`Tightened ${file} to mode 0600: it holds signing secrets.`);
    }
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }

  const secrets: Secrets = { TESSERA_TOKEN_KEYS: newTokenKey(), NEXTAUTH_SECRET: randomSecret() };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreateSecrets(dataDir, log);
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  log(
    `Generated signing secrets in ${file} (mode 0600). ` +
      `For production, set TESSERA_TOKEN_KEYS and NEXTAUTH_SECRET in the environment instead (see README, Configuration).`,
  );
  return secrets;
}
