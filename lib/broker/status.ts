import "server-only";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { ApiError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { logOncePerMinute } from "../mqtt/dynsec.ts";
import { brokerStatusResponse, type BrokerStatusResponse } from "../schemas/broker-status.ts";

// The broker's $SYS tree, kept current by one subscription per process
// (GET /api/broker/status). Mosquitto publishes $SYS/# every sys_interval
// seconds (default 10) as retained messages, so a new subscription gets the
// whole tree at once: the connection is therefore lazy, opened by the first
// status request (which then waits at most TESSERA_MQTT_TIMEOUT_SECONDS), and
// processes that are never asked (the CLI, `tessera worker`, a server
// nobody monitors) cost the broker nothing. Once open it stays open,
// reconnects on its own and subscribes again on every (re)connect. Its own
// connection, with the admin client's credentials (the dynsec admin role of
// `mosquitto_ctrl dynsec init` may subscribe to $SYS/#), so that a flood of
// $SYS messages never delays a dynamic security answer.
//
// While the broker is down the last snapshot is still answered, with
// connected: false and its growing age.

const SYS = "$SYS/broker/";

type Settings = Pick<
  Env,
  "TESSERA_MQTT_URL" | "TESSERA_MQTT_ADMIN_USERNAME" | "TESSERA_MQTT_ADMIN_PASSWORD" | "TESSERA_MQTT_TIMEOUT_SECONDS"
>;

export const STATUS_NOT_YET =
  "The broker's status ($SYS) has not arrived yet: the broker is unreachable or does not publish $SYS; try again later";

/** A whole number as Mosquitto writes one ("42"); anything else null. */
export function parseCount(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** A load average as Mosquitto writes one ("12.34"); anything else null. */
export function parseRate(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,15}(\.\d{1,15})?$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** $SYS/broker/uptime: "123 seconds". */
export function parseUptime(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d{1,15}) seconds?$/.exec(value.trim());
  return match ? Number(match[1]) : null;
}

const perSecond = (perMinute: number | null) =>
  perMinute === null ? null : Math.round((perMinute / 60) * 1000) / 1000;

/** The answer for these $SYS values (topic below $SYS/broker/ → payload text), the newest received at receivedAt. */
export function snapshotOf(
  values: ReadonlyMap<string, string>,
  receivedAt: Date,
  connected: boolean,
  now = new Date(),
): BrokerStatusResponse {
  const n = (topic: string) => parseCount(values.get(topic));
  const averages = (topic: string) => ({
    "1min": parseRate(values.get(`load/${topic}/1min`)),
    "5min": parseRate(values.get(`load/${topic}/5min`)),
    "15min": parseRate(values.get(`load/${topic}/15min`)),
  });
  const load = {
    messages: { received: averages("messages/received"), sent: averages("messages/sent") },
    bytes: { received: averages("bytes/received"), sent: averages("bytes/sent") },
    publish: {
      received: averages("publish/received"),
      sent: averages("publish/sent"),
      dropped: averages("publish/dropped"),
    },
    connections: averages("connections"),
    sockets: averages("sockets"),
  };
  const version = values.get("version")?.trim();
  return brokerStatusResponse.parse({
    connected,
    received_at: receivedAt.toISOString(),
    age_seconds: Math.max(0, Math.round((now.getTime() - receivedAt.getTime()) / 100) / 10),
    version: version && !/[\p{Cc}]/u.test(version) ? version.slice(0, 200) : null,
    uptime_seconds: parseUptime(values.get("uptime")),
    clients: {
      connected: n("clients/connected"),
      disconnected: n("clients/disconnected"),
      total: n("clients/total"),
      maximum: n("clients/maximum"),
      expired: n("clients/expired"),
    },
    subscriptions: n("subscriptions/count"),
    retained: n("retained messages/count"),
    messages: { received: n("messages/received"), sent: n("messages/sent"), stored: n("messages/stored") },
    bytes: { received: n("bytes/received"), sent: n("bytes/sent") },
    per_second: {
      messages_received: perSecond(load.messages.received["1min"]),
      messages_sent: perSecond(load.messages.sent["1min"]),
      bytes_received: perSecond(load.bytes.received["1min"]),
      bytes_sent: perSecond(load.bytes.sent["1min"]),
    },
    load,
    heap: { current: n("heap/current"), maximum: n("heap/maximum") },
  });
}

export class BrokerStatus {
  private client: MqttClient | undefined;
  private subscribed = false;
  private readonly values = new Map<string, string>();
  private receivedAt: Date | undefined;
  /** Set on every (re)subscription: its first message starts a new tree (a restarted broker may not publish all the old topics). */
  private fresh = false;
  private readonly waiters = new Set<() => void>();
  /** The first snapshot's wait is over (it had values). */
  private waited = false;

  constructor(private readonly settings: Settings) {}

  /** Subscribed to $SYS/# right now. */
  get connected(): boolean {
    return this.subscribed && this.client?.connected === true;
  }

  private connect(): void {
    if (this.client) return;
    const client = mqtt.connect(this.settings.TESSERA_MQTT_URL!, {
      username: this.settings.TESSERA_MQTT_ADMIN_USERNAME,
      password: this.settings.TESSERA_MQTT_ADMIN_PASSWORD,
      clientId: `tessera-status-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      reconnectOnConnackError: true,
      connectTimeout: this.settings.TESSERA_MQTT_TIMEOUT_SECONDS * 1000,
      clean: true,
      // Subscribed again by hand on every connect, below.
      resubscribe: false,
    });
    client.on("error", (error) =>
      logOncePerMinute("status-connection", `mqtt: the $SYS subscription cannot reach the broker: ${error.message}`),
    );
    client.on("close", () => (this.subscribed = false));
    client.on("connect", () => {
      // Before subscribing, not in its callback: mqtt.js may run the callback after the first retained values of
      // the burst (the version among them) have arrived, and the clear on the next value then lost the version
      // for good (the broker publishes it once, retained). CI saw version null for a whole test under load.
      this.fresh = true;
      client.subscribe(`${SYS}#`, { qos: 0 }, (error, granted) => {
        if (error || granted?.[0]?.qos === 128) {
          logOncePerMinute(
            "status-subscribe",
            `mqtt: the admin client may not subscribe to ${SYS}#: its role needs subscribePattern and publishClientReceive on $SYS/#`,
          );
          return;
        }
        this.subscribed = true;
      });
    });
    client.on("message", (topic, payload) => {
      if (!topic.startsWith(SYS) || payload.length > 1024) return;
      if (this.fresh) {
        this.values.clear();
        this.fresh = false;
      }
      this.values.set(topic.slice(SYS.length), payload.toString("utf8"));
      this.receivedAt = new Date();
      // The first snapshot waits for the version (retained, in the burst the broker sends on subscribing), not
      // for the first value of that burst: CI saw a first answer with every figure but the version null.
      if (!this.values.has("version")) return;
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    });
    this.client = client;
  }

  /** The latest snapshot; with none yet, waits for the first $SYS values up to the timeout, then a 503. */
  async snapshot(): Promise<BrokerStatusResponse> {
    this.connect();
    // Once per process: a broker that never publishes a version is not waited for on every request.
    if (!this.values.has("version") && !this.waited) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          resolve();
        }, this.settings.TESSERA_MQTT_TIMEOUT_SECONDS * 1000);
        this.waiters.add(wake);
      });
      if (this.receivedAt) {
        this.waited = true;
        await this.quiet();
      }
    }
    if (!this.receivedAt) throw new ApiError("unavailable", STATUS_NOT_YET, { "Retry-After": "5" });
    return snapshotOf(this.values, this.receivedAt, this.connected);
  }

  /** Until the burst of retained values has arrived: 50 ms without a new value (at most 1 s). */
  private async quiet(): Promise<void> {
    const until = Date.now() + 1000;
    while (Date.now() < until && Date.now() - (this.receivedAt?.getTime() ?? 0) < 50) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    if (client) await client.endAsync(true).catch(() => undefined);
  }
}

const globalForStatus = globalThis as unknown as { tesseraBrokerStatus?: { key: string; status: BrokerStatus } };

/** This process's $SYS subscription (null when no broker is configured). */
export function brokerStatus(settings: Settings): BrokerStatus | null {
  if (!settings.TESSERA_MQTT_URL) return null;
  const key = `${settings.TESSERA_MQTT_URL} ${settings.TESSERA_MQTT_ADMIN_USERNAME}`;
  if (globalForStatus.tesseraBrokerStatus?.key !== key) {
    void globalForStatus.tesseraBrokerStatus?.status.close();
    globalForStatus.tesseraBrokerStatus = { key, status: new BrokerStatus(settings) };
  }
  return globalForStatus.tesseraBrokerStatus.status;
}
