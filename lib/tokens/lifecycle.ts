import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError, fieldError } from "../api/errors.ts";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { db } from "../db.ts";
import { nudgeWebhooks } from "../webhooks/dispatcher.ts";
import { enqueueWebhooks } from "../webhooks/enqueue.ts";
import { env } from "../env.ts";
import type { CreatedTokenResponse, RotateTokenInput, TokenResponse } from "../schemas/token.ts";
import { signAppToken, signerSettings } from "./app-token.ts";
import { assertTokenHash } from "./get-token-or-throw.ts";
import { hashToken } from "./hash-token.ts";
import { TOKEN_COLUMNS, toTokenResponse } from "./token-response.ts";

// What happens to a token after it is made, short of deleting it: rotation
// with an overlap, and disabling. (Deleting is lib/tokens/revoke-token.ts.)
//
// Rotation (GitLab's rotate, with Vault's overlap): a new token with the same
// name and role replaces the old one, which keeps working for a grace the
// caller chooses (grace_seconds, default 24 h, 0 = revoked at once) and is
// then refused (lib/tokens/token-use.ts judges the grace on the database's
// clock) and deleted by the sweep. Both rows carry the family's id. A token
// that was already replaced and is rotated again is a token in two hands (the
// legitimate client rotated, and someone else holds the old one, or the other
// way round): that reuse deletes every token of the family, both hands lose,
// and an admin issues a fresh one (GitLab's reuse detection).

const DEFAULT_LIFETIME_MS = 30 * 86_400_000;

/**
 * A second rotation of one token this soon after the first is a repeat (a double click, a client retrying after
 * its connection dropped, two rotations racing), not a second holder: it is refused, and the family is kept.
 */
export const REPEAT_WINDOW_MS = 10_000;
export const JUST_ROTATED =
  "This token was rotated moments ago; the new token was in that answer (rotate the new one if it was lost)";
export const SELF_GRACE_MAX_SECONDS = 86_400;

export const ALREADY_ROTATED =
  "This token was already rotated; rotating it again is a reuse, so every token of its family was revoked";
export const DEVICE_TOKEN_ROTATION =
  "Device tokens are not rotated: the device asks for a new one over MQTT when it needs one";

/** The token that replaced this one, shown once, with the old token's answer after the rotation. */
export type RotatedTokenResponse = CreatedTokenResponse & { replaced: TokenResponse };

/**
 * Rotates the token with this hash. An admin's rotation gives the new token
 * the name, the role and the lifetime of the old one (issue to expiry, capped
 * by TESSERA_TOKEN_MAX_DAYS) unless validUntil is given. A token rotating
 * itself (`self`) gets the old token's validUntil and a grace of at most a
 * day: a stolen token must not renew itself beyond what an admin gave it.
 */
export async function rotateToken(
  hash: string,
  input: RotateTokenInput,
  who: AuditActor,
  options: { self?: boolean; now?: Date } = {},
): Promise<RotatedTokenResponse> {
  const now = options.now ?? new Date();
  assertTokenHash(hash);
  const settings = env();
  if (options.self && input.validUntil)
    throw fieldError(
      "bad_request",
      "validUntil",
      "A token rotating itself keeps its validUntil; an admin's rotation may set another",
    );
  if (options.self && input.grace_seconds > SELF_GRACE_MAX_SECONDS)
    throw fieldError(
      "bad_request",
      "grace_seconds",
      `A token rotating itself keeps its old self for at most ${SELF_GRACE_MAX_SECONDS} seconds`,
    );
  const old = await db().applicationToken.findUnique({ where: { hash } });
  if (!old || (old.revokeAt && old.revokeAt.getTime() <= now.getTime())) throw notFound();
  if (old.deviceId) throw new ApiError("bad_request", DEVICE_TOKEN_ROTATION);
  const familyId = old.familyId ?? old.jti;
  if (old.replacedBy) throw await reuse(hash, old.replacedBy, familyId, who, now);
  if (old.disabledAt) throw new ApiError("conflict", "Token is disabled; enable it before rotating it");
  if (old.validUntil.getTime() <= now.getTime())
    throw new ApiError("conflict", "Token has expired; create a new one instead");

  const maxMs = settings.TESSERA_TOKEN_MAX_DAYS * 86_400_000;
  const lifetime = old.validUntil.getTime() - old.issueDate.getTime();
  const wanted = options.self
    ? old.validUntil
    : (input.validUntil ?? new Date(now.getTime() + Math.min(lifetime > 0 ? lifetime : DEFAULT_LIFETIME_MS, maxMs)));
  const exp = Math.floor(wanted.getTime() / 1000);
  const validUntil = new Date(exp * 1000);
  if (validUntil.getTime() <= now.getTime())
    throw fieldError("bad_request", "validUntil", "validUntil must be in the future");
  if (validUntil.getTime() > now.getTime() + maxMs)
    throw fieldError(
      "bad_request",
      "validUntil",
      `validUntil must be at most ${settings.TESSERA_TOKEN_MAX_DAYS} days from now`,
    );

  const jti = randomUUID();
  const { token, kid } = await signAppToken(signerSettings(settings, settings.TESSERA_ISSUER), {
    role: old.role,
    jti,
    iat: Math.floor(now.getTime() / 1000),
    exp,
  });
  const newHash = hashToken(token);
  // The grace never outlives the old token itself.
  const revokeAt = new Date(Math.min(now.getTime() + input.grace_seconds * 1000, old.validUntil.getTime()));

  const outcome = await db().$transaction(async (tx) => {
    // Only a token not yet replaced (and not disabled meanwhile) is rotated: of two concurrent rotations of one
    // token, exactly one does; the other finds it replaced, which is the reuse the family pays for.
    const replaced =
      input.grace_seconds === 0
        ? await tx.applicationToken.deleteMany({ where: { hash, replacedBy: null, disabledAt: null } })
        : await tx.applicationToken.updateMany({
            where: { hash, replacedBy: null, disabledAt: null },
            data: { replacedBy: newHash, revokeAt, familyId },
          });
    if (replaced.count === 0) return "lost" as const;
    const row = await tx.applicationToken.create({
      data: {
        hash: newHash,
        name: old.name,
        nameSkeleton: old.nameSkeleton,
        role: old.role,
        kid,
        jti,
        requestedBy: who.label,
        issueDate: now,
        validUntil,
        familyId,
      },
      select: TOKEN_COLUMNS,
    });
    await tx.auditEvent.create({
      data: auditRow(who, "token.rotated", {
        tokenHash: hash,
        target: old.name,
        details: {
          replacedBy: newHash,
          graceSeconds: input.grace_seconds,
          revokeAt: (input.grace_seconds === 0 ? now : revokeAt).toISOString(),
          validUntil: validUntil.toISOString(),
          self: Boolean(options.self),
        },
      }),
    });
    await enqueueWebhooks(tx, "token.rotated", [
      {
        key: `token.rotated:${hash}`,
        data: {
          hash,
          name: old.name,
          role: old.role,
          replacedBy: newHash,
          revokeAt: (input.grace_seconds === 0 ? now : revokeAt).toISOString(),
          rotatedBy: who.label,
          via: who.via,
        },
      },
    ]);
    const before = await tx.applicationToken.findUnique({ where: { hash }, select: TOKEN_COLUMNS });
    return { row, before };
  });
  if (outcome !== "lost") nudgeWebhooks();
  if (outcome === "lost") {
    const current = await db().applicationToken.findUnique({ where: { hash }, select: { replacedBy: true } });
    if (!current) throw notFound();
    if (current.replacedBy) throw await reuse(hash, current.replacedBy, familyId, who, now);
    throw new ApiError("conflict", "Token is disabled; enable it before rotating it");
  }
  const replaced = outcome.before
    ? toTokenResponse(outcome.before, now.getTime())
    : // Grace 0: the old token is gone; its answer says so.
      { ...toTokenResponse({ ...old, revokeAt: now }, now.getTime()), replacedBy: newHash };
  return { token, ...toTokenResponse(outcome.row, now.getTime()), replaced };
}

/**
 * The answer to rotating a token that was already replaced: within REPEAT_WINDOW_MS of that rotation a repeat,
 * refused with the family kept; after it, a reuse, and the whole family is revoked.
 */
async function reuse(
  reusedHash: string,
  successorHash: string,
  familyId: string,
  who: AuditActor,
  now: Date,
): Promise<ApiError> {
  const successor = await db().applicationToken.findUnique({
    where: { hash: successorHash },
    select: { issueDate: true },
  });
  if (successor && now.getTime() - successor.issueDate.getTime() < REPEAT_WINDOW_MS)
    return new ApiError("conflict", JUST_ROTATED);
  await revokeFamily(familyId, who, reusedHash);
  return new ApiError("conflict", ALREADY_ROTATED);
}

/**
 * Deletes every token of a rotation family (revoking them all) with one token.family_revoked audit row naming the
 * reused token and the tokens deleted; returns how many.
 */
export async function revokeFamily(familyId: string, who: AuditActor, reusedHash: string): Promise<number> {
  const count = await db().$transaction(async (tx) => {
    const gone = await tx.$queryRaw<{ hash: string; name: string; role: string }[]>`
      DELETE FROM application_tokens WHERE family_id = ${familyId}::uuid OR jti = ${familyId}::uuid
      RETURNING hash, name, role::text AS role`;
    await enqueueWebhooks(
      tx,
      "token.revoked",
      gone.map((row) => ({
        key: `token.revoked:${row.hash}`,
        data: { hash: row.hash, name: row.name, role: row.role, revokedBy: who.label, via: who.via, reason: "reuse" },
      })),
    );
    if (gone.length > 0)
      await tx.auditEvent.create({
        data: auditRow(who, "token.family_revoked", {
          tokenHash: reusedHash,
          target: gone[0]!.name,
          details: { reason: "a rotated-out token was rotated again", revoked: gone.map((row) => row.hash) },
        }),
      });
    return gone.length;
  });
  if (count > 0) nudgeWebhooks();
  return count;
}

/**
 * Disables (true) or enables (false) a token, and the tokens it replaced that are still in their grace (disabling
 * "r1" to answer a leak must stop its predecessor too); answers the token after the change. Idempotent (a token
 * already in that state gets no audit row). Device tokens too.
 */
export async function setTokenDisabled(
  hash: string,
  disabled: boolean,
  who: AuditActor,
  now = new Date(),
): Promise<TokenResponse> {
  assertTokenHash(hash);
  const predecessors = await predecessorsOf(hash);
  await db().$transaction(async (tx) => {
    const changed = await tx.applicationToken.updateManyAndReturn({
      where: { OR: [{ hash }, ...predecessors], disabledAt: disabled ? null : { not: null } },
      data: { disabledAt: disabled ? now : null },
      select: { hash: true, name: true },
    });
    // A token already in that state is no change, and no row.
    if (changed.length > 0)
      await tx.auditEvent.createMany({
        data: changed.map((row) =>
          auditRow(who, disabled ? "token.disabled" : "token.enabled", {
            tokenHash: row.hash,
            target: row.name,
            ...(row.hash === hash ? {} : { details: { predecessorOf: hash } }),
          }),
        ),
      });
  });
  const row = await db().applicationToken.findUnique({ where: { hash }, select: TOKEN_COLUMNS });
  if (!row) throw notFound();
  return toTokenResponse(row, now.getTime());
}

/**
 * A filter for the tokens this one replaced, still listed (in their grace): for the family's current token (not
 * itself replaced), every other member of its family; for any other token, none.
 */
export async function predecessorsOf(hash: string): Promise<{ familyId: string; replacedBy: { not: null } }[]> {
  const row = await db().applicationToken.findUnique({
    where: { hash },
    select: { familyId: true, replacedBy: true },
  });
  if (!row?.familyId || row.replacedBy) return [];
  return [{ familyId: row.familyId, replacedBy: { not: null } }];
}

/** Deletes rotated-out tokens whose grace has ended (the sweep's part for tokens); returns how many. */
export async function deleteEndedGraces(): Promise<number> {
  const { count } = await db().applicationToken.deleteMany({ where: { revokeAt: { lte: new Date() } } });
  return count;
}

function notFound(): ApiError {
  return new ApiError("not_found", "Token not found");
}
