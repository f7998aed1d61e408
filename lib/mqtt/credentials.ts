import "server-only";
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { ApiError } from "../api/errors.ts";
import { db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import type { CreateMqttTokenInput, MqttTokenListItem, MqttTokenResponse, RefreshMqttTokenInput } from "../schemas/mqtt.ts";
import { dynsec, DynsecCommandError, type Dynsec, type DynsecCommand } from "./dynsec.ts";

// Short-lived MQTT credentials for end users. Each is a broker client with a
// role of its own whose ACLs allow <prefix>/<username>/# and nothing else
// (literal topics: Mosquitto 2.0.11's dynamic security does not expand %u).
// Order of work, so that a failure leaves nothing half-done:
// - create: broker first (role, then client), then the row; if the row
//   cannot be written the broker client is deleted again;
// - refresh: the row first (a conditional update on the old hash, so of two
//   refreshes with one password exactly one wins), then the broker; if the
//   broker fails the row is put back;
// - revoke: the broker first (it drops the connection), then the row.

/** Every broker client and role Tessera creates carries this text; nothing without it is ever touched. */
export const MARKER = "tessera mqtt credential";
export const PASSWORD_PREFIX = "tkn_";
const NOT_FOUND = [/not found/i];

type Settings = Env;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const roleName = (username: string) => `tessera:${username}`;

export function broker(settings: Settings = env()): Dynsec {
  const connection = dynsec(settings);
  if (!connection) throw new ApiError("not_found", "MQTT credentials are not enabled: set TESSERA_MQTT_URL and the broker's admin credentials");
  return connection;
}

/** The broker refused a command: the change is undone and the caller told so. */
function refused(error: unknown): never {
  if (error instanceof DynsecCommandError) {
    log.warn(error.message);
    throw new ApiError("unavailable", `The MQTT broker refused the change (${error.command}: ${error.brokerError}); nothing was changed`);
  }
  throw error;
}

export function topicRoot(settings: Pick<Settings, "TESSERA_MQTT_TOPIC_PREFIX">, username: string): string {
  return `${settings.TESSERA_MQTT_TOPIC_PREFIX}/${username}`;
}

function createCommands(settings: Settings, username: string, password: string, now: Date): DynsecCommand[] {
  const tree = `${topicRoot(settings, username)}/#`;
  const textname = `${MARKER} ${now.toISOString()}`;
  return [
    {
      command: "createRole",
      rolename: roleName(username),
      textname,
      acls: [
        { acltype: "publishClientSend", topic: tree, priority: 0, allow: true },
        { acltype: "publishClientReceive", topic: tree, priority: 0, allow: true },
        { acltype: "subscribePattern", topic: tree, priority: 0, allow: true },
        { acltype: "unsubscribePattern", topic: tree, priority: 0, allow: true },
      ],
    },
    { command: "createClient", username, password, textname, roles: [{ rolename: roleName(username), priority: 0 }] },
  ];
}

const deleteCommands = (username: string): DynsecCommand[] => [
  { command: "deleteClient", username },
  { command: "deleteRole", rolename: roleName(username) },
];

function newSecret(): string {
  return `${PASSWORD_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** expires_at is whole seconds (as in the seed), so expires_in, the lifetime asked for, is exact to under a second. */
function response(row: { id: string; userEmail: string; username: string; expiresAt: Date }, password: string, expiresIn: number): MqttTokenResponse {
  return {
    access_token: password,
    token_type: "Bearer",
    expires_in: expiresIn,
    mqtt_credentials: { username: row.username, password },
    token_id: row.id,
    user_email: row.userEmail,
    provider: "tessera",
    expires_at: row.expiresAt.toISOString(),
    // 10% of the lifetime before expiry.
    refresh_recommended_at: new Date(row.expiresAt.getTime() - Math.round(expiresIn * 100)).toISOString(),
  };
}

function ttlOf(settings: Settings, requested: number | undefined): number {
  const ttl = requested ?? settings.TESSERA_MQTT_TTL_SECONDS;
  if (ttl > settings.TESSERA_MQTT_MAX_TTL_SECONDS) {
    throw new ApiError("bad_request", `ttl_seconds must be at most ${settings.TESSERA_MQTT_MAX_TTL_SECONDS}`);
  }
  return ttl;
}

export async function createMqttToken(requestedBy: string, input: CreateMqttTokenInput, now = new Date()): Promise<MqttTokenResponse> {
  const settings = env();
  const connection = broker(settings);
  const ttl = ttlOf(settings, input.ttl_seconds);
  const replace = input.replace_existing ?? true;
  const existing = await db().mqttCredential.findUnique({ where: { userEmail: input.user_email } });
  const existingActive = existing && !existing.disabledAt && existing.expiresAt > now;
  if (existingActive && !replace) {
    throw new ApiError("conflict", "Credentials for this user_email already exist; send replace_existing: true to replace them");
  }

  const id = randomUUID();
  const username = `${randomBytes(6).toString("hex")}@${settings.TESSERA_MQTT_ORGANIZATION_ID}`;
  const password = newSecret();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000);

  try {
    await connection.run(createCommands(settings, username, password, now));
  } catch (error) {
    await connection.send(deleteCommands(username)).catch(() => {});
    refused(error);
  }

  const data = { id, username, passwordHash: sha256(password), requestedBy, createdAt: now, refreshedAt: null, expiresAt, disabledAt: null };
  let row;
  try {
    row = existing
      ? await db().mqttCredential.update({ where: { id: existing.id }, data })
      : await db().mqttCredential.create({ data: { ...data, userEmail: input.user_email } });
  } catch (error) {
    await connection.send(deleteCommands(username)).catch((cleanup: unknown) => log.warn(`could not remove broker client ${username} after a failed create`, cleanup));
    if (prismaCode(error) === "P2002") throw new ApiError("conflict", "Credentials for this user_email were just created by another request");
    if (prismaCode(error) === "P2025") throw new ApiError("conflict", "The credentials being replaced were changed by another request; try again");
    throw error;
  }
  if (existing) {
    // The replaced client goes now (the broker drops its connection); if the broker fails here, the sweeper removes it later.
    await connection.run(deleteCommands(existing.username), NOT_FOUND).catch((error: unknown) => log.warn(`could not remove replaced broker client ${existing.username}; the sweeper will`, error));
  }
  return response(row, password, ttl);
}

const WRONG_SECRET = "token_id or current_token_password is wrong";

export async function refreshMqttToken(input: RefreshMqttTokenInput, now = new Date()): Promise<MqttTokenResponse> {
  const settings = env();
  const connection = broker(settings);
  const row = await db().mqttCredential.findUnique({ where: { id: input.token_id } });
  const given = Buffer.from(sha256(input.current_token_password));
  const matches = row !== null && timingSafeEqual(given, Buffer.from(row.passwordHash));
  if (!row || !matches) throw new ApiError("unauthenticated", WRONG_SECRET);
  if (row.disabledAt || row.expiresAt <= now) throw new ApiError("unauthenticated", "These credentials have expired; create new ones");

  // The lifetime it was issued with, in whole seconds (expires_at is whole seconds, the issue instant is not).
  // expires_at was set to the issue instant's whole second plus the lifetime.
  const issuedSecond = Math.floor((row.refreshedAt ?? row.createdAt).getTime() / 1000) * 1000;
  const ttl = Math.round((row.expiresAt.getTime() - issuedSecond) / 1000);
  const password = newSecret();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000);
  const claimed = await db().mqttCredential.updateMany({
    where: { id: row.id, passwordHash: row.passwordHash },
    data: { passwordHash: sha256(password), refreshedAt: now, expiresAt },
  });
  if (claimed.count === 0) throw new ApiError("unauthenticated", WRONG_SECRET);
  try {
    await connection.run([{ command: "setClientPassword", username: row.username, password }]);
  } catch (error) {
    await db()
      .mqttCredential.updateMany({ where: { id: row.id, passwordHash: sha256(password) }, data: { passwordHash: row.passwordHash, refreshedAt: row.refreshedAt, expiresAt: row.expiresAt } })
      .catch((restore: unknown) => log.error(`could not restore credentials ${row.id} after a failed refresh`, restore));
    refused(error);
  }
  return response({ ...row, expiresAt }, password, ttl);
}

/** Deletes the credentials; the broker drops a connection made with them at once. False when there were none. */
export async function revokeMqttToken(id: string): Promise<boolean> {
  const connection = broker();
  const row = await db().mqttCredential.findUnique({ where: { id } });
  if (!row) return false;
  try {
    await connection.run(deleteCommands(row.username), NOT_FOUND);
  } catch (error) {
    refused(error);
  }
  await db().mqttCredential.deleteMany({ where: { id } });
  return true;
}

function statusOf(row: { expiresAt: Date; disabledAt: Date | null }, now: number): MqttTokenListItem["status"] {
  if (row.disabledAt) return "disabled";
  return row.expiresAt.getTime() > now ? "active" : "expired";
}

export async function listMqttTokens(now = Date.now()): Promise<MqttTokenListItem[]> {
  broker();
  const rows = await db().mqttCredential.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map((row) => ({
    token_id: row.id,
    user_email: row.userEmail,
    username: row.username,
    requested_by: row.requestedBy,
    created_at: row.createdAt.toISOString(),
    refreshed_at: row.refreshedAt?.toISOString() ?? null,
    expires_at: row.expiresAt.toISOString(),
    status: statusOf(row, now),
  }));
}

/** Broker clients carrying MARKER but unknown to the database are removed once they are this old (a create in flight is younger). */
const ORPHAN_AGE_MS = 10 * 60_000;

export interface SweepResult {
  disabled: number;
  deleted: number;
  orphans: number;
}

/**
 * Disables expired credentials (the broker closes their connections) and
 * deletes them TESSERA_MQTT_DELETE_AFTER_SECONDS later. Works from the
 * database, so a restart loses nothing; touches only clients Tessera made.
 */
export async function sweepMqttTokens(now = new Date()): Promise<SweepResult> {
  const settings = env();
  const connection = broker(settings);
  const result: SweepResult = { disabled: 0, deleted: 0, orphans: 0 };

  const expired = await db().mqttCredential.findMany({ where: { expiresAt: { lte: now }, disabledAt: null }, take: 500 });
  for (const row of expired) {
    await connection.run([{ command: "disableClient", username: row.username }], NOT_FOUND);
    await db().mqttCredential.updateMany({ where: { id: row.id, disabledAt: null, expiresAt: { lte: now } }, data: { disabledAt: now } });
    result.disabled++;
  }

  const cutoff = new Date(now.getTime() - settings.TESSERA_MQTT_DELETE_AFTER_SECONDS * 1000);
  const old = await db().mqttCredential.findMany({ where: { expiresAt: { lte: cutoff } }, take: 500 });
  for (const row of old) {
    await connection.run(deleteCommands(row.username), NOT_FOUND);
    await db().mqttCredential.deleteMany({ where: { id: row.id, expiresAt: { lte: cutoff } } });
    result.deleted++;
  }

  const [listed] = await connection.run([{ command: "listClients", verbose: true }]);
  const clients = ((listed?.data?.clients ?? []) as { username?: string; textname?: string }[]).filter(
    (client) => typeof client.username === "string" && client.textname?.startsWith(`${MARKER} `),
  );
  if (clients.length > 0) {
    const known = new Set(
      (await db().mqttCredential.findMany({ where: { username: { in: clients.map((client) => client.username!) } }, select: { username: true } })).map((row) => row.username),
    );
    for (const client of clients) {
      const made = Date.parse(client.textname!.slice(MARKER.length + 1));
      if (known.has(client.username!) || !(now.getTime() - made > ORPHAN_AGE_MS)) continue;
      await connection.run(deleteCommands(client.username!), NOT_FOUND);
      result.orphans++;
    }
  }
  return result;
}

const globalForSweeper = globalThis as unknown as { tesseraSweeper?: NodeJS.Timeout };

/** Runs the sweeper every TESSERA_MQTT_SWEEP_SECONDS in this process (the server). Logs a failure once per kind. */
export function startSweeper(settings: Settings = env()): void {
  if (!settings.TESSERA_MQTT_URL || globalForSweeper.tesseraSweeper) return;
  let lastProblem = "";
  const tick = async () => {
    try {
      const result = await sweepMqttTokens();
      if (result.disabled + result.deleted + result.orphans > 0) {
        log.info(`mqtt sweeper: disabled ${result.disabled}, deleted ${result.deleted}, removed ${result.orphans} orphaned broker clients`);
      }
      if (lastProblem) log.info("mqtt sweeper: working again");
      lastProblem = "";
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== lastProblem) log.warn(`mqtt sweeper: ${problem} (retrying every ${settings.TESSERA_MQTT_SWEEP_SECONDS} s)`);
      lastProblem = problem;
    }
  };
  let running = false;
  globalForSweeper.tesseraSweeper = setInterval(() => {
    if (running) return;
    running = true;
    void tick().finally(() => {
      running = false;
    });
  }, settings.TESSERA_MQTT_SWEEP_SECONDS * 1000);
  globalForSweeper.tesseraSweeper.unref();
}
