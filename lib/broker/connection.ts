import "server-only";
import { ApiError } from "../api/errors.ts";
import { MESSAGES } from "../api/error-codes.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { wildcard } from "../mqtt/broker-model.ts";
import {
  BROKER_SILENT,
  dynsec,
  type BrokerUnavailableError,
  DynsecCommandError,
  type Dynsec,
  type DynsecCommand,
  type DynsecResponse,
} from "../mqtt/dynsec.ts";

// The generic dynamic security API's one way to the broker: the process's
// dynsec connection, and the broker's refusals turned into 400/404/409 with
// a sentence. The broker is the store for clients, roles and groups here;
// Tessera keeps no copy of them.

/** What the broker services need: the connection, and who Tessera's own admin client is. */
export interface BrokerContext {
  dynsec: Dynsec;
  adminUsername: string;
  /** Topics a feature of Tessera's owns, and the 409's sentence: no generic ACL may allow reaching them. */
  guardedTopics: { topics: string[]; refusal: string }[];
}

type Settings = Pick<
  Env,
  | "TESSERA_MQTT_URL"
  | "TESSERA_MQTT_ADMIN_USERNAME"
  | "TESSERA_MQTT_ADMIN_PASSWORD"
  | "TESSERA_MQTT_TIMEOUT_SECONDS"
  | "TESSERA_DEVICE_REQUEST_TOPIC"
  | "TESSERA_DEVICE_RESPONSE_TOPIC"
  | "TESSERA_MQTT_TOPIC_PREFIX"
>;

/** The context for this process's broker; 404 with how to configure one when there is none. */
export function brokerContext(settings: Settings = env()): BrokerContext {
  const connection = dynsec(settings);
  if (!connection) throw new ApiError("not_found", MESSAGES.brokerNotConfigured);
  return {
    dynsec: connection,
    adminUsername: settings.TESSERA_MQTT_ADMIN_USERNAME ?? "",
    guardedTopics: guardedTopics(settings),
  };
}

function guardedTopics(settings: Settings): BrokerContext["guardedTopics"] {
  const devices = [wildcard(settings.TESSERA_DEVICE_REQUEST_TOPIC), wildcard(settings.TESSERA_DEVICE_RESPONSE_TOPIC)];
  const credentials = `${settings.TESSERA_MQTT_TOPIC_PREFIX}/#`;
  return [
    {
      topics: devices,
      refusal:
        `This ACL reaches the device token topics (${devices.join(", ")}), which belong to devices ` +
        "(managed by Tessera): they carry each device's REST token; choose topics outside them",
    },
    {
      topics: [credentials],
      refusal:
        `This ACL reaches the MQTT credentials' topics (${credentials}), which belong to their users ` +
        "(managed by Tessera): each user's tree is theirs alone; choose topics outside them",
    },
  ];
}

/** The broker's own error texts (Mosquitto 2.0.11) and what the API answers for each. */
const KNOWN: [RegExp, ApiError["code"], string][] = [
  [/^Client (not found|does not exist)$/i, "not_found", "Broker client not found"],
  [/^Role (not found|does not exist)$/i, "not_found", "Broker role not found"],
  [/^Group (not found|does not exist)$/i, "not_found", "Broker group not found"],
  [/^ACL not found$/i, "not_found", "The role has no ACL of this acltype for this topic"],
  [/^Client already exists$/i, "conflict", "A broker client with this username already exists"],
  [/^Role already exists$/i, "conflict", "A broker role with this rolename already exists"],
  [/^Group already exists$/i, "conflict", "A broker group with this groupname already exists"],
  [/^ACL with this topic already exists$/i, "conflict", "The role already has an ACL of this acltype for this topic"],
];

/** The broker refused a command: its own words, mapped to a status and a sentence (the raw text goes to the log). */
export function refusal(error: DynsecCommandError): ApiError {
  const known = KNOWN.find(([pattern]) => pattern.test(error.brokerError));
  if (known) return new ApiError(known[1], known[2]);
  log.warn(error.message);
  // Plain words only: anything else (an address, a path) stays in the log.
  const words = /^[A-Za-z][A-Za-z /,'()-]{0,120}$/.test(error.brokerError) ? `: ${error.brokerError}` : "";
  return new ApiError("bad_request", `The broker refused ${error.command}${words}`);
}

/** Runs the commands in one message; the first refusal becomes its ApiError (errors in `tolerate` excepted). */
export async function run(
  context: BrokerContext,
  commands: DynsecCommand[],
  tolerate: RegExp[] = [],
): Promise<DynsecResponse[]> {
  try {
    return await context.dynsec.run(commands, tolerate);
  } catch (error) {
    if (error instanceof DynsecCommandError) throw refusal(error);
    // By its field, not instanceof: the process's one connection may come from another bundled copy of dynsec.ts.
    const changes = commands.some(({ command }) => !/^(get|list)/.test(command));
    if (changes && error instanceof ApiError && (error as Partial<BrokerUnavailableError>).sent === true)
      throw new ApiError("unavailable", BROKER_SILENT, { "Retry-After": "5" });
    throw error;
  }
}

/** One command's data, or null when the broker answered the tolerated "not found". */
export function dataOf<T>(response: DynsecResponse | undefined, key: string): T | null {
  if (!response || response.error) return null;
  return (response.data?.[key] as T | undefined) ?? null;
}
