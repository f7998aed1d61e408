import "server-only";
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { ApiError } from "../api/errors.ts";
import type { AuditAction } from "../audit/actions.ts";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import {
  mqttTokenListItem,
  mqttTokenResponse,
  type CreateMqttTokenInput,
  type MqttTokenListItem,
  type MqttTokenResponse,
  type RefreshMqttTokenInput,
} from "../schemas/mqtt.ts";
import { credentialClient, credentialRole, deleteCommands, MARK } from "./broker-model.ts";
import { brokerFailure, createOnBroker } from "./create-on-broker.ts";
import { BrokerUnavailableError, dynsec, DynsecCommandError, type Dynsec } from "./dynsec.ts";
import { newPassword, sha256 } from "./passwords.ts";

// Short-lived MQTT credentials for end users. Each is a broker client
// (client id = username, pinned) with a role of its own whose ACLs allow
// <prefix>/<username>/# and nothing else (lib/mqtt/broker-model.ts).
// The database is the source of truth and the reconcile
// (lib/mqtt/reconcile.ts) makes the broker follow it. Order of work, so that
// a failure leaves nothing half-done:
// - create: the row first, then the broker; if the broker fails the row is
//   removed (or the replaced one put back) and the answer is 503;
// - refresh: the row first (a conditional update on the old hash, so of two
//   refreshes with one password exactly one wins), then the broker; if the
//   broker fails the row is put back;
// - revoke: the row first (the credentials are gone for the API at once),
//   then the broker (it drops the connection); with the broker down, the
//   reconcile removes the client when it is back;
// - expiry: lib/mqtt/expiry.ts disables the client at expires_at.
// Each row change commits with its audit row (lib/audit/record.ts), before the
// broker is asked: a transaction held open across the broker's answer would
// hold the embedded database's only connection (every request waits) for up
// to TESSERA_MQTT_TIMEOUT_SECONDS, and would break the reconcile's rule that
// a row is committed before its client exists. So a broker failure after the
// commit is undone by a second transaction with a row of its own
// (mqtt_credentials.undone); create and refresh wait for the broker's
// connection before they write anything, so an unreachable broker costs no
// rows at all. Audit rows name the username and hold no password or hash.

export const PASSWORD_PREFIX = "tkn_";
const NOT_FOUND = [/not found/i];

type Settings = Env;

export function broker(settings: Settings = env()): Dynsec {
  const connection = dynsec(settings);
  if (!connection)
    throw new ApiError(
      "not_found",
      "MQTT credentials are not enabled: set TESSERA_MQTT_URL and the broker's admin credentials",
    );
  return connection;
}

/** The broker refused a command: the change is undone and the caller told so (the broker's words go to the log). */
function refused(error: unknown): never {
  if (error instanceof DynsecCommandError) {
    log.warn(error.message);
    throw new ApiError("unavailable", `The MQTT broker refused the change (${error.command}); nothing was changed`);
  }
  throw error;
}

export function topicRoot(settings: Pick<Settings, "TESSERA_MQTT_TOPIC_PREFIX">, username: string): string {
  return `${settings.TESSERA_MQTT_TOPIC_PREFIX}/${username}`;
}

const specs = (settings: Settings, username: string, createdAt: Date) => {
  const textname = `${MARK.credential} ${createdAt.toISOString()}`;
  return { role: credentialRole(settings, username, textname), client: credentialClient(username, textname, false) };
};

/** expires_at is whole seconds (as in the seed), so expires_in, the lifetime asked for, is exact to under a second. */
function response(
  row: { id: string; userEmail: string; username: string; expiresAt: Date },
  password: string,
  expiresIn: number,
): MqttTokenResponse {
  return mqttTokenResponse.parse({
    access_token: password,
    token_type: "Bearer",
    expires_in: expiresIn,
    mqtt_credentials: { username: row.username, password },
    token_id: row.id,
    user_email: row.userEmail,
    provider: "tessera",
    expires_at: row.expiresAt,
    // 10% of the lifetime before expiry.
    refresh_recommended_at: new Date(row.expiresAt.getTime() - Math.round(expiresIn * 100)),
  });
}

function ttlOf(settings: Settings, requested: number | undefined): number {
  const ttl = requested ?? settings.TESSERA_MQTT_TTL_SECONDS;
  if (ttl > settings.TESSERA_MQTT_MAX_TTL_SECONDS) {
    throw new ApiError("bad_request", `ttl_seconds must be at most ${settings.TESSERA_MQTT_MAX_TTL_SECONDS}`);
  }
  return ttl;
}

/** The client an interactive transaction's callback is given. */
type Transaction = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

/**
 * The undoing of a change whose broker step failed, with its audit row, in one transaction; nothing (and no row)
 * when `undo` found nothing to put back. A failure here is logged: the row stays as committed, with its audit row,
 * and the reconcile makes the broker follow it.
 */
async function undoWithRow(
  who: AuditActor,
  undoes: AuditAction,
  about: { target: string; details: Record<string, string | number> },
  error: unknown,
  undo: (tx: Transaction) => Promise<{ count: number }>,
): Promise<void> {
  await db()
    .$transaction(async (tx) => {
      if ((await undo(tx)).count === 0) return;
      await tx.auditEvent.create({
        data: auditRow(who, "mqtt_credentials.undone", {
          target: about.target,
          details: { ...about.details, undoes, reason: brokerFailure(error) },
        }),
      });
    })
    .catch((undoError: unknown) => log.error(`could not undo ${undoes} of ${about.target}`, undoError));
}

/**
 * New credentials for input.user_email: `mqtt_credentials.created`, or `mqtt_credentials.replaced` when they
 * replace active ones (replace_existing); `who` is recorded as requested_by and in the audit row.
 */
export async function createMqttToken(
  who: AuditActor,
  input: CreateMqttTokenInput,
  now = new Date(),
): Promise<MqttTokenResponse> {
  const settings = env();
  const connection = broker(settings);
  const ttl = ttlOf(settings, input.ttl_seconds);
  const replace = input.replace_existing ?? true;
  // With its hash: put back as it was if the broker refuses the new credentials.
  const existing = await db().mqttCredential.findUnique({
    where: { userEmail: input.user_email },
    omit: { passwordHash: false },
  });
  const existingActive = existing && !existing.disabledAt && existing.expiresAt > now;
  if (existingActive && !replace) {
    throw new ApiError(
      "conflict",
      "Credentials for this user_email already exist; send replace_existing: true to replace them",
    );
  }

  const id = randomUUID();
  const username = `${randomBytes(6).toString("hex")}@${settings.TESSERA_MQTT_ORGANIZATION_ID}`;
  const { password, kid, nonce } = newPassword(settings.TESSERA_TOKEN_KEYS, "credential", username);
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000);
  const data = {
    id,
    username,
    passwordHash: sha256(password),
    passwordKid: kid,
    passwordNonce: nonce,
    requestedBy: who.label,
    createdAt: now,
    refreshedAt: null,
    expiresAt,
    disabledAt: null,
  };
  const action = existingActive ? "mqtt_credentials.replaced" : "mqtt_credentials.created";
  const details = {
    tokenId: id,
    userEmail: input.user_email,
    ttlSeconds: ttl,
    expiresAt: expiresAt.toISOString(),
    // The username whose (active, expired or disabled) credentials these overwrite.
    ...(existing ? { previous: existing.username } : {}),
  };

  await connection.whenConnected();
  let row;
  try {
    row = await db().$transaction(async (tx) => {
      const written = existing
        ? await tx.mqttCredential.update({ where: { id: existing.id, username: existing.username }, data })
        : await tx.mqttCredential.create({ data: { ...data, userEmail: input.user_email } });
      await tx.auditEvent.create({ data: auditRow(who, action, { target: username, details }) });
      return written;
    });
  } catch (error) {
    if (prismaCode(error) === "P2002")
      throw new ApiError("conflict", "Credentials for this user_email were just created by another request");
    if (prismaCode(error) === "P2025")
      throw new ApiError("conflict", "The credentials being replaced were changed by another request; try again");
    throw error;
  }

  const { role, client } = specs(settings, username, now);
  try {
    await createOnBroker(connection, role, client, password);
  } catch (error) {
    // Undo: the new row goes (or the replaced one comes back); a client the broker may have made is an orphan the reconcile removes.
    await undoWithRow(who, action, { target: username, details }, error, (tx) =>
      existing
        ? tx.mqttCredential.updateMany({ where: { id, username }, data: { ...existing } })
        : tx.mqttCredential.deleteMany({ where: { id, username } }),
    );
    if (!(error instanceof ApiError)) await connection.send(deleteCommands(client)).catch(() => {});
    refused(error);
  }
  if (existing) {
    // The replaced client goes now (the broker drops its connection); if the broker fails here, the reconcile removes it.
    await connection
      .run(deleteCommands(credentialClient(existing.username, "", false)), NOT_FOUND)
      .catch((error: unknown) =>
        log.warn(`could not remove replaced broker client ${existing.username}; the reconcile will`, error),
      );
  }
  return response(row, password, ttl);
}

const WRONG_SECRET = "token_id or current_token_password is wrong";

/**
 * The holder of MQTT credentials, who proves itself with their current password (POST /v2/tokens/refresh, no app
 * token): "mqtt:<username>" in the audit log.
 */
export function credentialHolder(address: string | null): (username: string) => AuditActor {
  return (username) => ({ label: `mqtt:${username}`, via: "api", address });
}

/** A new password for the credentials; `who` is the API caller, or credentialHolder() for the holder itself. */
export async function refreshMqttToken(
  input: RefreshMqttTokenInput,
  who: AuditActor | ((username: string) => AuditActor),
  now = new Date(),
): Promise<MqttTokenResponse> {
  const settings = env();
  const connection = broker(settings);
  // One of the two readers of the password hash (omitted from every other query, lib/db/open.ts; a replacing
  // create reads it to put the replaced row back whole).
  const row = await db().mqttCredential.findUnique({ where: { id: input.token_id }, omit: { passwordHash: false } });
  const given = Buffer.from(sha256(input.current_token_password));
  const matches = row !== null && timingSafeEqual(given, Buffer.from(row.passwordHash));
  if (!row || !matches) throw new ApiError("unauthenticated", WRONG_SECRET);
  if (row.disabledAt || row.expiresAt <= now)
    throw new ApiError("unauthenticated", "These credentials have expired; create new ones");

  // The lifetime it was issued with, in whole seconds (expires_at is whole seconds, the issue instant is not).
  // expires_at was set to the issue instant's whole second plus the lifetime.
  const issuedSecond = Math.floor((row.refreshedAt ?? row.createdAt).getTime() / 1000) * 1000;
  const ttl = Math.round((row.expiresAt.getTime() - issuedSecond) / 1000);
  const { password, kid, nonce } = newPassword(settings.TESSERA_TOKEN_KEYS, "credential", row.username);
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000);
  const actor = typeof who === "function" ? who(row.username) : who;
  const about = {
    target: row.username,
    details: { tokenId: row.id, userEmail: row.userEmail, ttlSeconds: ttl, expiresAt: expiresAt.toISOString() },
  };
  await connection.whenConnected();
  const claimed = await db().$transaction(async (tx) => {
    const { count } = await tx.mqttCredential.updateMany({
      where: { id: row.id, passwordHash: row.passwordHash, disabledAt: null, expiresAt: { gt: now } },
      data: { passwordHash: sha256(password), passwordKid: kid, passwordNonce: nonce, refreshedAt: now, expiresAt },
    });
    if (count > 0) await tx.auditEvent.create({ data: auditRow(actor, "mqtt_credentials.refreshed", about) });
    return count > 0;
  });
  if (!claimed) throw new ApiError("unauthenticated", WRONG_SECRET);
  try {
    await connection.run([{ command: "setClientPassword", username: row.username, password }]);
  } catch (error) {
    await undoWithRow(actor, "mqtt_credentials.refreshed", about, error, (tx) =>
      tx.mqttCredential.updateMany({
        where: { id: row.id, passwordHash: sha256(password) },
        data: {
          passwordHash: row.passwordHash,
          passwordKid: row.passwordKid,
          passwordNonce: row.passwordNonce,
          refreshedAt: row.refreshedAt,
          expiresAt: row.expiresAt,
        },
      }),
    );
    refused(error);
  }
  return response({ ...row, expiresAt }, password, ttl);
}

/**
 * Deletes the credentials: gone for the API at once, and the broker drops a
 * connection made with them. With the broker down the row still goes, and
 * the reconcile removes the broker client when the broker is back. False when
 * there were none. The delete and its mqtt_credentials.revoked row commit together.
 */
export async function revokeMqttToken(id: string, who: AuditActor): Promise<boolean> {
  const connection = broker();
  const row = await db().mqttCredential.findUnique({ where: { id } });
  if (!row) return false;
  const deleted = await db().$transaction(async (tx) => {
    const { count } = await tx.mqttCredential.deleteMany({ where: { id, username: row.username } });
    if (count > 0)
      await tx.auditEvent.create({
        data: auditRow(who, "mqtt_credentials.revoked", {
          target: row.username,
          details: { tokenId: id, userEmail: row.userEmail },
        }),
      });
    return count > 0;
  });
  if (!deleted) return false;
  await connection.run(deleteCommands(credentialClient(row.username, "", false)), NOT_FOUND).catch((error: unknown) => {
    if (error instanceof BrokerUnavailableError)
      log.warn(`credentials ${id} revoked; the broker is unavailable, so its client goes when the reconcile runs`);
    else log.warn(`removing the broker client of credentials ${id} failed; the reconcile will`, error);
  });
  return true;
}

function statusOf(row: { expiresAt: Date; disabledAt: Date | null }, now: number): MqttTokenListItem["status"] {
  if (row.disabledAt) return "disabled";
  return row.expiresAt.getTime() > now ? "active" : "expired";
}

export async function listMqttTokens(now = Date.now()): Promise<MqttTokenListItem[]> {
  broker();
  const rows = await db().mqttCredential.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map((row) =>
    mqttTokenListItem.parse({
      token_id: row.id,
      user_email: row.userEmail,
      username: row.username,
      requested_by: row.requestedBy,
      created_at: row.createdAt,
      refreshed_at: row.refreshedAt,
      expires_at: row.expiresAt,
      status: statusOf(row, now),
    }),
  );
}
