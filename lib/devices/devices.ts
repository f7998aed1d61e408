import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { ApiError } from "../api/errors.ts";
import { publicUrlOf, signAppToken } from "../auth/app-token.ts";
import type { Role } from "../auth/permissions.ts";
import { db } from "../db.ts";
import { prismaCode } from "../db/errors.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { broker } from "../mqtt/credentials.ts";
import type { DynsecCommand } from "../mqtt/dynsec.ts";
import { DEVICE_ID, type DeviceResponse, type RegisterDeviceInput, type RegisteredDevice } from "../schemas/device.ts";
import { hashToken } from "../tokens/hash-token.ts";

export { registerDeviceSchema } from "../schemas/device.ts";

// Devices that ask for REST tokens over MQTT (the Cumulocity flow). A device
// is a broker client (username and client id = its id) whose role allows
// exactly two topics: publishing to its request topic and receiving on its
// response topic. So no device can ask in another's name or read another's
// token.

type Topics = Pick<Env, "TESSERA_DEVICE_REQUEST_TOPIC" | "TESSERA_DEVICE_RESPONSE_TOPIC">;
export const requestTopic = (settings: Topics, id: string) => settings.TESSERA_DEVICE_REQUEST_TOPIC.replace("{id}", id);
export const responseTopic = (settings: Topics, id: string) => settings.TESSERA_DEVICE_RESPONSE_TOPIC.replace("{id}", id);
const roleName = (id: string) => `tessera-device:${id}`;
export const DEVICE_MARKER = "tessera device";

function toResponse(row: { id: string; role: Role; requestedBy: string; createdAt: Date; lastTokenAt: Date | null }, settings: Topics): DeviceResponse {
  return {
    id: row.id,
    role: row.role,
    requested_by: row.requestedBy,
    created_at: row.createdAt.toISOString(),
    last_token_at: row.lastTokenAt?.toISOString() ?? null,
    request_topic: requestTopic(settings, row.id),
    response_topic: responseTopic(settings, row.id),
  };
}

function deviceCommands(settings: Topics, id: string, password: string): DynsecCommand[] {
  return [
    {
      command: "createRole",
      rolename: roleName(id),
      textname: DEVICE_MARKER,
      acls: [
        { acltype: "publishClientSend", topic: requestTopic(settings, id), priority: 0, allow: true },
        { acltype: "subscribeLiteral", topic: responseTopic(settings, id), priority: 0, allow: true },
        { acltype: "publishClientReceive", topic: responseTopic(settings, id), priority: 0, allow: true },
      ],
    },
    { command: "createClient", username: id, clientid: id, password, textname: DEVICE_MARKER, roles: [{ rolename: roleName(id), priority: 0 }] },
  ];
}

/** Registers a device: the row first (its id is unique), then its broker client; a broker failure removes the row again. */
export async function registerDevice(requestedBy: string, input: RegisterDeviceInput): Promise<RegisteredDevice> {
  const settings = env();
  const connection = broker(settings);
  const role = input.role ?? settings.TESSERA_DEVICE_ROLE;
  let row;
  try {
    row = await db().device.create({ data: { id: input.id, role, requestedBy } });
  } catch (error) {
    if (prismaCode(error) === "P2002") throw new ApiError("conflict", "A device with this id is already registered");
    throw error;
  }
  const password = randomBytes(24).toString("base64url");
  try {
    await connection.run(deviceCommands(settings, input.id, password));
  } catch (error) {
    await db().device.deleteMany({ where: { id: input.id } });
    if (error instanceof ApiError) throw error;
    await connection.send([{ command: "deleteRole", rolename: roleName(input.id) }]).catch(() => {});
    log.warn(`registering device ${input.id} on the broker failed`, error);
    throw new ApiError("conflict", `The broker refused device ${input.id} (${(error as Error).message}); is a broker client with this username already there?`);
  }
  return { ...toResponse(row, settings), mqtt: { username: input.id, client_id: input.id, password } };
}

export async function listDevices(): Promise<DeviceResponse[]> {
  const settings = env();
  const rows = await db().device.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map((row) => toResponse(row, settings));
}

/** Removes the device's broker client (dropping its connection), then the device and, with it, every token it was issued. */
export async function removeDevice(id: string): Promise<boolean> {
  if (!DEVICE_ID.test(id)) throw new ApiError("bad_request", "Malformed device id");
  const row = await db().device.findUnique({ where: { id } });
  if (!row) return false;
  await broker().run(
    [
      { command: "deleteClient", username: id },
      { command: "deleteRole", rolename: roleName(id) },
    ],
    [/not found/i],
  );
  await db().device.deleteMany({ where: { id } });
  return true;
}

/**
 * A REST token for a registered device: an app token with sub = device id,
 * the device's role, iss = Tessera's public URL, stored (hash only) like any
 * other and listed with requestedBy "device:<id>". Expired tokens of the
 * device are pruned on the way. Null for an unknown device.
 */
export async function issueDeviceToken(id: string, now = new Date()): Promise<string | null> {
  const settings = env();
  const device = await db().device.findUnique({ where: { id } });
  if (!device) return null;
  const issuer = publicUrlOf(settings) ?? settings.TESSERA_ISSUER;
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.TESSERA_DEVICE_TOKEN_SECONDS;
  const jti = randomUUID();
  const { token, kid } = await signAppToken({ keys: settings.TESSERA_TOKEN_KEYS, issuer }, { role: device.role, jti, iat, exp, sub: id });
  // Names are unique and at most 30 characters: "dev:" + the id's start + a random suffix.
  const name = `dev:${id.slice(0, 17)}:${randomBytes(4).toString("hex")}`;
  await db().$transaction([
    db().applicationToken.deleteMany({ where: { deviceId: id, validUntil: { lte: now } } }),
    db().applicationToken.create({
      data: { hash: hashToken(token), name, role: device.role, kid, jti, requestedBy: `device:${id}`, issueDate: now, validUntil: new Date(exp * 1000), deviceId: id },
    }),
    db().device.update({ where: { id }, data: { lastTokenAt: now } }),
  ]);
  return token;
}
