import "server-only";
import { randomBytes } from "node:crypto";
import { ApiError, fieldError } from "../api/errors.ts";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { database, db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { deleteCommands, deviceClient, deviceRole, requestTopic, responseTopic } from "../mqtt/broker-model.ts";
import { brokerFailure, createOnBroker } from "../mqtt/create-on-broker.ts";
import { broker } from "../mqtt/credentials.ts";
import { BrokerUnavailableError } from "../mqtt/dynsec.ts";
import { newPassword } from "../mqtt/passwords.ts";
import type { Device } from "../generated/prisma/client.ts";
import {
  DEVICE_ID,
  deviceResponse,
  registeredDevice,
  type DeviceResponse,
  type RegisterDeviceInput,
  type RegisteredDevice,
} from "../schemas/device.ts";
import { deviceIssuer } from "../tokens/app-token.ts";
import { createToken } from "../tokens/create-token.ts";

export { registerDeviceSchema } from "../schemas/device.ts";

// Devices that ask for REST tokens over MQTT (the Cumulocity flow). A device
// is a broker client (username and client id = its id, pinned) whose role
// allows exactly two topics: publishing to its request topic and receiving
// on its response topic. So no device can ask in another's name or read
// another's token. The database is the source of truth: the row is written
// before the broker client, and the reconcile (lib/mqtt/reconcile.ts) makes
// the broker follow it. Adding and removing a device commit with their audit
// rows (device.added, device.removed; never the password), before the broker
// is asked, as MQTT credentials do (lib/mqtt/credentials.ts says why); a
// registration the broker then refuses is undone with a row of its own
// (device.undone).

type Topics = Pick<Env, "TESSERA_DEVICE_REQUEST_TOPIC" | "TESSERA_DEVICE_RESPONSE_TOPIC">;

function fields(row: Pick<Device, "id" | "role" | "requestedBy" | "createdAt" | "lastTokenAt">, settings: Topics) {
  return {
    id: row.id,
    role: row.role,
    requested_by: row.requestedBy,
    created_at: row.createdAt,
    last_token_at: row.lastTokenAt,
    request_topic: requestTopic(settings, row.id),
    response_topic: responseTopic(settings, row.id),
  };
}

const toResponse = (row: Device, settings: Topics): DeviceResponse => deviceResponse.parse(fields(row, settings));

/**
 * Registers a device: the row first (its id is unique), then its broker client; a broker failure removes the row
 * again. `who` is recorded as requested_by and in the audit row.
 */
export async function registerDevice(who: AuditActor, input: RegisterDeviceInput): Promise<RegisteredDevice> {
  const settings = env();
  const connection = broker(settings);
  const role = input.role ?? settings.TESSERA_DEVICE_ROLE;
  const { password, kid, nonce } = newPassword(settings.TESSERA_TOKEN_KEYS, "device", input.id);
  const details = { role, clientId: input.id };
  await connection.whenConnected();
  let row;
  try {
    row = await db().$transaction(async (tx) => {
      const made = await tx.device.create({
        data: { id: input.id, role, requestedBy: who.label, passwordKid: kid, passwordNonce: nonce },
      });
      await tx.auditEvent.create({ data: auditRow(who, "device.added", { target: input.id, details }) });
      return made;
    });
  } catch (error) {
    if (prismaCode(error) === "P2002")
      throw fieldError("conflict", "id", "A device with this id is already registered");
    throw error;
  }
  try {
    await createOnBroker(connection, deviceRole(settings, input.id), deviceClient(input.id), password);
  } catch (error) {
    await db().$transaction(async (tx) => {
      const { count } = await tx.device.deleteMany({ where: { id: input.id } });
      if (count > 0)
        await tx.auditEvent.create({
          data: auditRow(who, "device.undone", {
            target: input.id,
            details: { ...details, undoes: "device.added", reason: brokerFailure(error) },
          }),
        });
    });
    if (error instanceof ApiError) throw error;
    await connection
      .send([{ command: "deleteRole", rolename: deviceRole(settings, input.id).rolename }])
      .catch(() => {});
    log.warn(`registering device ${input.id} on the broker failed`, error);
    throw new ApiError(
      "conflict",
      `The broker refused device ${input.id}; is a broker client with this username already there?`,
    );
  }
  return registeredDevice.parse({
    ...fields(row, settings),
    mqtt: { username: input.id, client_id: input.id, password },
  });
}

export async function listDevices(): Promise<DeviceResponse[]> {
  const settings = env();
  const rows = await db().device.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map((row) => toResponse(row, settings));
}

/** A device id from a path: anything else (a NUL would make PostgreSQL fail with a 500) is a 400 before the database. */
export function assertDeviceId(id: string): void {
  if (!DEVICE_ID.test(id)) throw new ApiError("bad_request", "Malformed device id: expected 1-64 of A-Z a-z 0-9 _ . -");
}

/**
 * Removes the device and, with it, every token it was issued (at once, on
 * the REST side), then its broker client (dropping its connection). With the
 * broker down that last step is left to the reconcile when it is back. The
 * rows go with one device.removed audit row (its tokens get none of their
 * own: it counts them).
 */
export async function removeDevice(id: string, who: AuditActor): Promise<boolean> {
  assertDeviceId(id);
  const connection = broker();
  const removed = await db().$transaction(async (tx) => {
    const device = await tx.device.findUnique({ where: { id }, select: { role: true } });
    if (!device) return false;
    // Its tokens would go with it (ON DELETE CASCADE); deleted here first so the row can say how many.
    const tokens = await tx.applicationToken.deleteMany({ where: { deviceId: id } });
    const { count } = await tx.device.deleteMany({ where: { id } });
    if (count === 0) return false;
    await tx.auditEvent.create({
      data: auditRow(who, "device.removed", {
        target: id,
        details: { role: device.role, clientId: id, tokensRevoked: tokens.count },
      }),
    });
    return true;
  });
  if (!removed) return false;
  await connection.run(deleteCommands(deviceClient(id)), [/not found/i]).catch((error: unknown) => {
    if (!(error instanceof BrokerUnavailableError))
      log.warn(`removing device ${id}'s broker client failed; the reconcile will`, error);
    else log.warn(`device ${id} removed; the broker is unavailable, so its broker client goes when the reconcile runs`);
  });
  return true;
}

export type DeviceTokenResult =
  { kind: "token"; token: string } | { kind: "limited"; retryAfterSeconds: number } | { kind: "unknown" };

/**
 * A REST token for a registered device: an app token (createToken) with
 * sub = device id, the device's role and a stable issuer, stored
 * (hash only) like any other and listed with requestedBy "device:<id>".
 * At most one per TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS per device, across
 * every process: the claim is one conditional UPDATE of last_token_at, on
 * the database's clock. (On each instance's own clock, a request stamped
 * earlier on one instance but claimed after a later one's was refused even
 * with an interval of 0, and clocks that differ would stretch or shrink
 * the interval.)
 */
export async function issueDeviceToken(id: string): Promise<DeviceTokenResult> {
  const settings = env();
  const intervalSeconds = settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS;
  const [claim] = await database().query<{ at: Date }>(
    `UPDATE devices SET last_token_at = statement_timestamp()
      WHERE id = $1 AND (last_token_at IS NULL OR last_token_at <= statement_timestamp() - make_interval(secs => $2))
      RETURNING last_token_at AS at`,
    [id, intervalSeconds],
  );
  if (!claim) {
    // A statement of its own: one in the same statement as the UPDATE would read the snapshot from before a claim
    // that it waited for (another instance's, just committed), and answer "not registered" or a wrong wait.
    const [device] = await database().query<{ wait: number }>(
      `SELECT extract(epoch FROM coalesce(last_token_at, statement_timestamp()) + make_interval(secs => $2) - statement_timestamp())::float8 AS wait
         FROM devices WHERE id = $1`,
      [id, intervalSeconds],
    );
    if (!device) return { kind: "unknown" };
    return { kind: "limited", retryAfterSeconds: Math.max(1, Math.ceil(device.wait)) };
  }
  const now = claim.at;
  try {
    const device = await db().device.findUniqueOrThrow({ where: { id }, select: { role: true } });
    const exp = Math.floor(now.getTime() / 1000) + settings.TESSERA_DEVICE_TOKEN_SECONDS;
    // Names are unique and at most 30 characters: "dev:" + the id's start + a random suffix.
    const name = `dev:${id.slice(0, 17)}:${randomBytes(4).toString("hex")}`;
    const { token } = await createToken(
      { label: `device:${id}`, via: "mqtt", address: null },
      { name, role: device.role, validUntil: new Date(exp * 1000) },
      now,
      { issuer: deviceIssuer(settings), subject: id, deviceId: id },
    );
    // Housekeeping, not part of the issue: the device's expired tokens go (a failure here costs nothing).
    await db()
      .applicationToken.deleteMany({ where: { deviceId: id, validUntil: { lte: now } } })
      .catch((error: unknown) => log.warn(`removing device ${id}'s expired tokens failed`, error));
    return { kind: "token", token };
  } catch (error) {
    // No token after all: give the claim back so the device may ask again at once.
    await db()
      .device.updateMany({ where: { id, lastTokenAt: now }, data: { lastTokenAt: null } })
      .catch(() => {});
    throw error;
  }
}
