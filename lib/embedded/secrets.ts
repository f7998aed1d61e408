import { randomBytes } from "node:crypto";
import { chmodSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
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
