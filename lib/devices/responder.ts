import "server-only";
import { createHmac } from "node:crypto";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { LRUCache } from "lru-cache";
import { keyRing } from "../tokens/keys.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { responderClient, responderRole, responderSubscription, responseTopic } from "../mqtt/broker-model.ts";
import { dynsec, logOncePerMinute, type Dynsec } from "../mqtt/dynsec.ts";
import { clientCommands, roleCommands, type BrokerClient } from "../mqtt/reconcile.ts";
import { issueDeviceToken } from "./devices.ts";

// The device token responder: answers a device's (empty) request with
// "71,<JWT>" on the device's response topic. A device can publish only to its
// own request topic (broker ACLs), so the topic names the device that asked.
//
// Every Tessera process runs one, as a broker client of its own
// (tessera-responder-<instance id>, pinned to that client id) in one MQTT
// shared subscription group, so the broker hands each request to exactly one
// process. The rate limit per device is a conditional UPDATE in the database,
// so it holds across processes. Every request gets exactly one answer, never
// silence (a device's `mosquitto_rr` without -W would wait forever):
//   71,<JWT>                              a token
//   42,429,<sentence with the seconds>    asked again within TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS
//   42,404,<sentence>                     the device is not registered (any more)
//   50,503,<sentence>                     Tessera could not issue a token now
// (SmartREST's error lines: 4x the request, 5x the server.)

type Settings = Env;

export const ANSWER = {
  limited: (seconds: number) => `42,429,Too many token requests: ask again in ${seconds} s`,
  unknown: "42,404,This device is not registered",
  failed: "50,503,Tessera could not issue a token now; ask again later",
};

/** The responder's broker password, derived from the signing key: the same in any process that knows the instance id. */
function responderPassword(settings: Settings, instanceId: string): string {
  return createHmac("sha256", keyRing(settings.TESSERA_TOKEN_KEYS).signer.secret)
    .update(`tessera mqtt responder ${instanceId}`)
    .digest("base64url");
}

function matcher(template: string): (topic: string) => string | null {
  const [before, after] = template.split("{id}") as [string, string];
  return (topic) => {
    if (!topic.startsWith(before) || !topic.endsWith(after)) return null;
    const id = topic.slice(before.length, topic.length - after.length);
    return id.length > 0 && !id.includes("/") ? id : null;
  };
}

export type ResponderState = "starting" | "ok" | "reconnecting" | "stopped";

export class Responder {
  private client: MqttClient | undefined;
  private stopped = false;
  private provisioned = false;
  private subscribed = false;
  /** Requests answered and refused (tests and /api/metrics read these). */
  readonly counts = { answered: 0, limited: 0, unknown: 0, failed: 0 };
  /**
   * Devices this process gave a token within the interval: a flood from one of
   * them is answered 42,429 without a database query. The database's claim
   * stays the authority (other processes gave tokens this one does not know of).
   */
  private readonly issued: LRUCache<string, true>;

  constructor(
    private readonly instanceId: string,
    private readonly settings: Settings = env(),
  ) {
    this.issued = new LRUCache({
      max: 100_000,
      ttl: Math.max(1, settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS * 1000),
    });
  }

  get state(): ResponderState {
    if (this.stopped) return "stopped";
    if (this.client?.connected && this.subscribed) return "ok";
    return this.client ? "reconnecting" : "starting";
  }

  private get connection(): Dynsec {
    return dynsec(this.settings)!;
  }

  /** Makes sure the shared responder role and this process's own client are right (only the commands a difference calls for). */
  private async provision(resetPassword: boolean): Promise<void> {
    const role = responderRole(this.settings);
    const client = responderClient(this.instanceId);
    const [gotRole, gotClient] = await this.connection.send([
      { command: "getRole", rolename: role.rolename },
      { command: "getClient", username: client.username },
    ]);
    const haveRole = gotRole?.error ? undefined : (gotRole?.data?.role as Parameters<typeof roleCommands>[1]);
    const haveClient = gotClient?.error ? undefined : (gotClient?.data?.client as BrokerClient | undefined);
    if (haveClient && haveClient.textname !== client.textname)
      throw new Error(`a broker client named ${client.username} exists that is not this responder's; not touching it`);
    const password = responderPassword(this.settings, this.instanceId);
    const fixClient = clientCommands(client, haveClient, password);
    const commands = [...roleCommands(role, haveRole), ...(fixClient === "unrestorable" ? [] : fixClient)];
    if (haveClient && resetPassword)
      commands.push({ command: "setClientPassword", username: client.username, password });
    // "already exists": another process made the shared role in the meantime, which is what we want.
    if (commands.length > 0) await this.connection.run(commands, [/already exists/i]);
    this.provisioned = true;
  }

  /** Provisions (retrying until the broker is there) and connects; resolves once subscribed. */
  async start(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        await this.provision(false);
        break;
      } catch (error) {
        logOncePerMinute(
          "responder-provision",
          `mqtt responder: cannot provision its broker client yet (${(error as Error).message}); retrying every 2 s`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    const spec = responderClient(this.instanceId);
    const subscription = responderSubscription(this.settings);
    const match = matcher(this.settings.TESSERA_DEVICE_REQUEST_TOPIC);
    const client = mqtt.connect(this.settings.TESSERA_MQTT_URL!, {
      username: spec.username,
      password: responderPassword(this.settings, this.instanceId),
      clientId: spec.clientid,
      protocolVersion: 5,
      reconnectPeriod: 1000,
      // mqtt.js stops reconnecting after a refused CONNACK unless told otherwise; the refusal is healed below and the next try must come.
      reconnectOnConnackError: true,
      clean: true,
    });
    this.client = client;
    let reported = "";
    client.on("error", (error) => {
      if (error.message !== reported)
        logOncePerMinute(`responder-${error.message}`, `mqtt responder: ${error.message}`);
      reported = error.message;
      // Refused: its client was deleted or changed by hand. Put it back; the next reconnect uses it.
      if (/not authori[sz]ed|bad user ?name or password/i.test(error.message)) {
        this.provisioned = false;
        void this.provision(true).catch(() => {});
      }
    });
    client.on("close", () => {
      this.subscribed = false;
    });
    client.on("message", (topic, _payload, packet) => {
      const id = match(topic);
      if (id) void this.answer(id, packet);
    });
    await new Promise<void>((resolve) => {
      client.on("connect", () => {
        if (reported) log.info("mqtt responder: connected again");
        reported = "";
        client.subscribe(subscription, { qos: 1 }, (error, granted) => {
          const refused = error || (granted?.[0]?.qos ?? 0) >= 128;
          if (refused) {
            logOncePerMinute(
              "responder-subscribe",
              `mqtt responder: the broker refused the subscription ${subscription}`,
            );
            return;
          }
          this.subscribed = true;
          resolve();
        });
      });
    });
    log.info(`mqtt responder: answering device token requests on ${subscription} as ${spec.username}`);
  }

  private async answer(id: string, packet: IPublishPacket): Promise<void> {
    let line: string;
    try {
      const known = this.settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS > 0 ? this.issued.getRemainingTTL(id) : 0;
      const result =
        known > 0
          ? ({ kind: "limited", retryAfterSeconds: Math.max(1, Math.ceil(known / 1000)) } as const)
          : await issueDeviceToken(id);
      if (result.kind === "token") this.issued.set(id, true);
      if (result.kind === "token") {
        line = `71,${result.token}`;
        this.counts.answered++;
      } else if (result.kind === "limited") {
        line = ANSWER.limited(result.retryAfterSeconds);
        this.counts.limited++;
        logOncePerMinute(
          `responder-flood-${id}`,
          `mqtt responder: device ${id} asks for tokens faster than one per ${this.settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS} s; answering ${line.slice(0, 6)}`,
        );
      } else {
        line = ANSWER.unknown;
        this.counts.unknown++;
        logOncePerMinute(
          `responder-unknown-${id}`,
          `mqtt responder: a token request on the topic of unregistered device ${id}`,
        );
      }
    } catch (error) {
      line = ANSWER.failed;
      this.counts.failed++;
      logOncePerMinute("responder-failed", `mqtt responder: could not issue a token for device ${id}`, error);
    }
    const own = responseTopic(this.settings, id);
    const asked = packet.properties?.responseTopic;
    const correlationData = packet.properties?.correlationData;
    // Only ever the device's own response topic: a request cannot make Tessera publish anywhere else.
    if (asked !== undefined && asked !== own)
      logOncePerMinute(
        `responder-topic-${id}`,
        `mqtt responder: device ${id} asked for an answer on ${asked}; answering on ${own}`,
      );
    this.client?.publish(own, line, { qos: 1, properties: correlationData ? { correlationData } : undefined });
  }

  /** Disconnects and removes this process's broker client (the reconcile would, a minute later). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.endAsync(true).catch(() => {});
    this.client = undefined;
    if (this.provisioned) {
      await this.connection
        .send([{ command: "deleteClient", username: responderClient(this.instanceId).username }], Date.now() + 2_000)
        .catch(() => {});
    }
  }
}
