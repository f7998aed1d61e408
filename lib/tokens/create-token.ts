import "server-only";
import { randomUUID } from "node:crypto";
import { fieldError, type ApiError } from "../api/errors.ts";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { signAppToken, signerSettings } from "./app-token.ts";
import { db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env } from "../env.ts";
import type { CreateTokenInput, CreatedTokenResponse } from "../schemas/token.ts";
import { hashToken } from "./hash-token.ts";
import { nameSkeleton } from "./name-skeleton.ts";
import { toTokenResponse } from "./token-response.ts";

/** How a token for a device differs from one an admin asks for. */
export interface DeviceTokenOptions {
  /** The `iss` claim (device tokens carry a stable public issuer, lib/tokens/app-token.ts). */
  issuer: string;
  /** The `sub` claim: the device id. */
  subject: string;
  /** The device the token belongs to (it goes with the device). Its lifetime is TESSERA_DEVICE_TOKEN_SECONDS, not TESSERA_TOKEN_MAX_DAYS. */
  deviceId: string;
}

/**
 * Signs a new application token and stores its hash. The token string is
 * returned here once and never stored. The unique name and the unique
 * look-alike skeleton of the name are enforced by the database, so of
 * concurrent creates of one name, or of names that look alike, exactly one
 * wins (409 for the others). Device tokens (lib/devices/devices.ts) are made
 * here too, with `device` set. The audit row (token.created, or
 * device_token.issued) is written in the same transaction.
 */
export async function createToken(
  who: AuditActor,
  input: CreateTokenInput,
  now = new Date(),
  device?: DeviceTokenOptions,
): Promise<CreatedTokenResponse> {
  const settings = env();
  // JWT exp has second precision; validUntil is stored as exactly that instant.
  const exp = Math.floor(input.validUntil.getTime() / 1000);
  const validUntil = new Date(exp * 1000);
  if (validUntil.getTime() <= now.getTime())
    throw fieldError("bad_request", "validUntil", "validUntil must be in the future");
  const maxDays = settings.TESSERA_TOKEN_MAX_DAYS;
  if (!device && validUntil.getTime() > now.getTime() + maxDays * 86_400_000) {
    throw fieldError("bad_request", "validUntil", `validUntil must be at most ${maxDays} days from now`);
  }

  const jti = randomUUID();
  const { token, kid } = await signAppToken(signerSettings(settings, device?.issuer ?? settings.TESSERA_ISSUER), {
    role: input.role,
    jti,
    iat: Math.floor(now.getTime() / 1000),
    exp,
    sub: device?.subject,
  });
  const skeleton = nameSkeleton(input.name);
  try {
    const hash = hashToken(token);
    const [row] = await db().$transaction([
      db().applicationToken.create({
        data: {
          hash,
          name: input.name,
          nameSkeleton: skeleton,
          role: input.role,
          kid,
          jti,
          requestedBy: who.label,
          issueDate: now,
          validUntil,
          deviceId: device?.deviceId,
        },
      }),
      db().auditEvent.create({
        data: auditRow(who, device ? "device_token.issued" : "token.created", {
          tokenHash: hash,
          target: device?.deviceId ?? input.name,
          details: { name: input.name, role: input.role, validUntil: validUntil.toISOString(), kid },
        }),
      }),
    ]);
    return { token, ...toTokenResponse(row, now.getTime()) };
  } catch (error) {
    if (prismaCode(error) === "P2002") throw await nameConflict(input.name, skeleton);
    throw error;
  }
}

/** The 409 for a name the database refused: the seed's sentence for the same name, or which existing name it looks like. */
async function nameConflict(name: string, skeleton: string): Promise<ApiError> {
  const existing = await db().applicationToken.findFirst({
    where: { OR: [{ name }, { nameSkeleton: skeleton }] },
    select: { name: true },
  });
  if (!existing || existing.name === name)
    return fieldError("conflict", "name", "Token with the same name already exists");
  return fieldError(
    "conflict",
    "name",
    `Token name looks like the existing token ${JSON.stringify(existing.name)}; choose another name`,
  );
}
