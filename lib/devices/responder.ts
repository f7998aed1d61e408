import "server-only";
import { createHmac, randomUUID } from "node:crypto";
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { keyRing } from "../auth/keys.ts";
import { env, type Env } from "../env.ts";
import { log } from "../log.ts";
import { broker } from "../mqtt/credentials.ts";
import { WindowCounter } from "../window-counter.ts";
import { issueDeviceToken, responseTopic } from "./devices.ts";

// The device token responder: subscribed to every device's request topic,
// it answers an (empty) request with "71,<JWT>" on the device's response
// topic. A device can publish only to its own request topic (broker ACLs), so
// the topic names the device that asked. MQTT v5 requests may carry a
// response topic and correlation data (mosquitto_rr sends them): the answer
// goes there when it is the device's own response topic, with the same
// correlation data. Requests over the rate get no answer.

export const RESPONDER_USERNAME = "tessera-responder";
const ROLE = "tessera-responder";

type Settings = Env;

/** The responder's broker password, the same in every Tessera process with the same signing key. */
function responderPassword(settings: Settings): string {
  return createHmac("sha256", keyRing(settings.TESSERA_TOKEN_KEYS).signer.secret).update("tessera mqtt responder").digest("base64url");
}

function pattern(template: string): { subscription: string; match: (topic: string) => string | null } {
  const [before, after] = template.split("{id}") as [string, string];
  return {
    subscription: `${before}+${after}`,
    match: (topic) => {
      if (!topic.startsWith(before) || !topic.endsWith(after)) return null;
      const id = topic.slice(before.length, topic.length - after.length);
      return id.length > 0 && !id.includes("/") ? id : null;
    },
  };
}

export class Responder {
  private client: MqttClient | undefined;
  private readonly requests: WindowCounter;
  private readonly floodLogged = new WindowCounter(60_000);
  /** Requests answered and ignored (tests and /api/metrics read these). */
  readonly counts = { answered: 0, limited: 0, unknown: 0, failed: 0 };

  constructor(private readonly settings: Settings = env()) {
    this.requests = new WindowCounter(Math.max(1, settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS * 1000));
  }

  /** Makes sure the responder's broker client exists with the right ACLs and password (idempotent, via dynamic security). */
  private async provision(): Promise<void> {
    const request = pattern(this.settings.TESSERA_DEVICE_REQUEST_TOPIC).subscription;
    const response = pattern(this.settings.TESSERA_DEVICE_RESPONSE_TOPIC).subscription;
    const exists = [/already exists/i];
    await broker(this.settings).run(
      [
        { command: "createRole", rolename: ROLE, textname: "tessera device token responder" },
        { command: "addRoleACL", rolename: ROLE, acltype: "subscribePattern", topic: request, priority: 0, allow: true },
        { command: "addRoleACL", rolename: ROLE, acltype: "publishClientReceive", topic: request, priority: 0, allow: true },
        { command: "addRoleACL", rolename: ROLE, acltype: "publishClientSend", topic: response, priority: 0, allow: true },
        { command: "createClient", username: RESPONDER_USERNAME, password: responderPassword(this.settings), textname: "tessera device token responder" },
        // An existing client may have been made with another signing key.
        { command: "setClientPassword", username: RESPONDER_USERNAME, password: responderPassword(this.settings) },
        { command: "addClientRole", username: RESPONDER_USERNAME, rolename: ROLE, priority: 0 },
      ],
      exists,
    );
  }

  /** Connects (retrying provisioning and connection until the broker is there) and keeps answering; resolves once subscribed. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.provision();
        break;
      } catch (error) {
        if (attempt === 1) log.warn(`mqtt responder: cannot provision its broker client yet (${(error as Error).message}); retrying every 2 s`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    const request = pattern(this.settings.TESSERA_DEVICE_REQUEST_TOPIC);
    const client = mqtt.connect(this.settings.TESSERA_MQTT_URL!, {
      username: RESPONDER_USERNAME,
      password: responderPassword(this.settings),
      clientId: `tessera-responder-${randomUUID().slice(0, 8)}`,
      protocolVersion: 5,
      reconnectPeriod: 1000,
      clean: true,
    });
    this.client = client;
    let reported = "";
    client.on("error", (error) => {
      if (error.message !== reported) log.warn(`mqtt responder: ${error.message}`);
      reported = error.message;
    });
    client.on("connect", () => {
      if (reported) log.info("mqtt responder: connected again");
      reported = "";
      client.subscribe(request.subscription, { qos: 1 }, (error) => {
        if (error) log.warn(`mqtt responder: cannot subscribe to ${request.subscription}`, error);
      });
    });
    client.on("message", (topic, _payload, packet) => {
      const id = request.match(topic);
      if (id) void this.answer(id, packet);
    });
    await new Promise<void>((resolve) => {
      const ready = () => client.subscribe(request.subscription, { qos: 1 }, () => resolve());
      if (client.connected) ready();
      else client.once("connect", ready);
    });
    log.info(`mqtt responder: answering device token requests on ${request.subscription}`);
  }

  private async answer(id: string, packet: IPublishPacket): Promise<void> {
    const now = Date.now();
    if (this.requests.count(id, now) >= 1) {
      this.counts.limited++;
      // A flood is logged once a minute per device, and gets no answers.
      if (this.floodLogged.count(id, now) === 0) log.warn(`mqtt responder: device ${id} asks for tokens faster than one per ${this.settings.TESSERA_DEVICE_TOKEN_INTERVAL_SECONDS} s; not answering`);
      this.floodLogged.add(id, now);
      return;
    }
    this.requests.add(id, now);
    try {
      const token = await issueDeviceToken(id);
      if (!token) {
        this.counts.unknown++;
        log.warn(`mqtt responder: a token request on the topic of unregistered device ${id}; not answering`);
        return;
      }
      const own = responseTopic(this.settings, id);
      const asked = packet.properties?.responseTopic;
      const correlationData = packet.properties?.correlationData;
      // Only ever the device's own response topic: a request cannot make Tessera publish anywhere else.
      const topic = own;
      if (asked !== undefined && asked !== own) log.warn(`mqtt responder: device ${id} asked for an answer on ${asked}; answering on ${own}`);
      this.client!.publish(topic, `71,${token}`, { qos: 1, properties: correlationData ? { correlationData } : undefined });
      this.counts.answered++;
    } catch (error) {
      this.counts.failed++;
      log.warn(`mqtt responder: could not issue a token for device ${id}`, error);
    }
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = undefined;
  }
}

const globalForResponder = globalThis as unknown as { tesseraResponder?: Responder };

/** Starts this process's responder once (the server does, unless TESSERA_MQTT_RESPONDER=false). */
export function startResponder(settings: Settings = env()): void {
  if (!settings.TESSERA_MQTT_URL || !settings.TESSERA_MQTT_RESPONDER || globalForResponder.tesseraResponder) return;
  const responder = new Responder(settings);
  globalForResponder.tesseraResponder = responder;
  responder.start().catch((error: unknown) => log.error("mqtt responder failed to start", error));
}
