import "server-only";
import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import mqtt, { type MqttClient } from "mqtt";
import { ApiError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { log } from "../log.ts";
import { BROKER_UNAVAILABLE } from "./broker-messages.ts";

// Tessera's connection to Mosquitto's dynamic security plugin: commands are
// published to $CONTROL/dynamic-security/v1 and answered on .../response,
// matched by correlationData. Every caller waits for the answer to its own
// commands, so an API answer never claims what the broker did not do.
// Hand-written: no maintained Node client for the dynsec control API exists
// (the Management Center's is not published); the protocol is small.
//
// One deadline per call: connecting and answering together take at most
// TESSERA_MQTT_TIMEOUT_SECONDS. What went wrong (it names the broker's
// address) goes to the log, at most once a minute; callers and their HTTP
// answers get a sentence without it.

const CONTROL = "$CONTROL/dynamic-security/v1";
const RESPONSE = `${CONTROL}/response`;

export type DynsecCommand = { command: string } & Record<string, unknown>;
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
}

export { BROKER_SILENT, BROKER_UNAVAILABLE } from "./broker-messages.ts";

/**
 * The broker could not be reached, or did not answer in time: the API answers 503. `sent`: the commands went out
 * (or wait in the connection's queue) and no answer came, so the broker may carry them out (an attack paused
 * it, and a create answered 503 was there after). MQTT credentials and devices keep the first sentence: the
 * database is their record, and the reconcile takes from the broker what it does not hold; the broker API,
 * whose only record is the broker, says BROKER_SILENT then (lib/broker/connection.ts).
 */
export class BrokerUnavailableError extends ApiError {
  constructor(
    readonly detail: string,
    readonly sent = false,
  ) {
    super("unavailable", BROKER_UNAVAILABLE, { "Retry-After": "5" });
  }
}

/** The broker refused a command (its own error text is kept for the log, not the caller). */
const COMMAND_ERROR = Symbol.for("tessera.DynsecCommandError");

export class DynsecCommandError extends Error {
  readonly [COMMAND_ERROR] = true;
  // Branded like ApiError (lib/api/errors.ts says why).
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[COMMAND_ERROR] === true;
  }
  constructor(
    readonly command: string,
    readonly brokerError: string,
  ) {
    super(`dynamic security ${command} failed: ${brokerError}`);
  }
}

type Settings = Pick<
  Env,
  "TESSERA_MQTT_URL" | "TESSERA_MQTT_ADMIN_USERNAME" | "TESSERA_MQTT_ADMIN_PASSWORD" | "TESSERA_MQTT_TIMEOUT_SECONDS"
>;

/** Logs a line at most once a minute per key (a broker outage or a device's flood must not flood the log); bounded like every throttle. */
const logged = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
export function logOncePerMinute(key: string, message: string, detail?: unknown): void {
  if (logged.has(key)) return;
  logged.set(key, true);
  log.warn(message, detail);
}

export class Dynsec {
  private client: MqttClient | undefined;
  private ready = false;
  private readonly waiters = new Set<() => void>();
  private readonly connectedListeners = new Set<() => void>();
  private readonly pending = new Map<
    string,
    { resolve: (responses: DynsecResponse[]) => void; count: number; got: DynsecResponse[] }
  >();
  private lastError = "";

  constructor(private readonly settings: Settings) {}

  get timeoutMs() {
    return this.settings.TESSERA_MQTT_TIMEOUT_SECONDS * 1000;
  }

  /** Connected and subscribed to the plugin's answers right now. */
  get connected(): boolean {
    return this.ready;
  }

  /** What last went wrong with the connection (for the log and health, never an HTTP answer). */
  get problem(): string {
    return this.lastError;
  }

  /** Calls fn every time the connection is (re)established; starts connecting. Returns an unsubscribe function. */
  onConnected(fn: () => void): () => void {
    this.connectedListeners.add(fn);
    this.connect();
    if (this.ready) queueMicrotask(fn);
    return () => this.connectedListeners.delete(fn);
  }

  private connect(): MqttClient {
    if (this.client) return this.client;
    const client = mqtt.connect(this.settings.TESSERA_MQTT_URL!, {
      username: this.settings.TESSERA_MQTT_ADMIN_USERNAME,
      password: this.settings.TESSERA_MQTT_ADMIN_PASSWORD,
      clientId: `tessera-dynsec-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      reconnectOnConnackError: true,
      connectTimeout: this.timeoutMs,
      clean: true,
    });
    client.on("error", (error) => {
      this.lastError = error.message;
      logOncePerMinute(
        "dynsec-connection",
        `mqtt: cannot reach the broker's dynamic security plugin: ${error.message}`,
      );
    });
    client.on("close", () => {
      this.ready = false;
    });
    client.on("connect", () => {
      client.subscribe(RESPONSE, { qos: 1 }, (error, granted) => {
        if (error || granted?.[0]?.qos === 128) {
          this.lastError = `the admin client may not subscribe to ${RESPONSE}: is it the dynamic security admin?`;
          logOncePerMinute("dynsec-subscribe", `mqtt: ${this.lastError}`);
          return;
        }
        this.ready = true;
        this.lastError = "";
        for (const wake of this.waiters) wake();
        this.waiters.clear();
        for (const listener of this.connectedListeners) listener();
      });
    });
    client.on("message", (topic, payload) => {
      if (topic === RESPONSE) this.onResponse(payload);
    });
    this.client = client;
    return client;
  }

  private onResponse(payload: Buffer) {
    let responses: (DynsecResponse & { correlationData?: string })[];
    try {
      responses = (JSON.parse(payload.toString("utf8")) as { responses?: typeof responses }).responses ?? [];
    } catch {
      return;
    }
    for (const response of responses) {
      const id = response.correlationData?.split(":")[0];
      const waiting = id ? this.pending.get(id) : undefined;
      if (!waiting) continue;
      waiting.got.push(response);
      if (waiting.got.length === waiting.count) {
        this.pending.delete(id!);
        waiting.resolve(waiting.got);
      }
    }
  }

  private unavailable(detail: string, sent = false): BrokerUnavailableError {
    logOncePerMinute("dynsec-unavailable", `mqtt: the broker is unavailable (${detail})`);
    return new BrokerUnavailableError(detail, sent);
  }

  /** Resolves once connected and subscribed, or rejects with BrokerUnavailableError at the deadline. */
  private waitReady(deadline: number): Promise<void> {
    this.connect();
    if (this.ready) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          this.waiters.delete(wake);
          reject(
            this.unavailable(this.lastError ? `cannot connect: ${this.lastError}` : "no connection within the timeout"),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiters.add(wake);
    });
  }

  /**
   * Resolves once connected, or rejects with BrokerUnavailableError at the deadline (default: the timeout from
   * now). A change that writes its row before the broker waits for this first, so a broker that cannot be reached
   * costs no row, no audit row and no undoing of them.
   */
  whenConnected(deadline = Date.now() + this.timeoutMs): Promise<void> {
    return this.waitReady(deadline);
  }

  /**
   * Sends the commands in one message and resolves with one response per
   * command, in order. Rejects with BrokerUnavailableError when the broker
   * cannot be reached or has not answered by the deadline (default: the
   * timeout from now).
   */
  async send(commands: DynsecCommand[], deadline = Date.now() + this.timeoutMs): Promise<DynsecResponse[]> {
    await this.waitReady(deadline);
    const id = randomUUID();
    const tagged = commands.map((command, index) => ({ ...command, correlationData: `${id}:${index}` }));
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<DynsecResponse[]>((resolve) => {
      this.pending.set(id, { resolve, count: commands.length, got: [] });
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          this.pending.delete(id);
          reject(this.unavailable("no answer from the dynamic security plugin within the timeout", true));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    this.client!.publish(CONTROL, JSON.stringify({ commands: tagged }), { qos: 1 });
    try {
      const responses = await Promise.race([answered, late]);
      const byIndex = new Map(
        responses.map((response) => [
          Number((response as { correlationData?: string }).correlationData?.split(":")[1]),
          response,
        ]),
      );
      return commands.map((command, index) => byIndex.get(index) ?? { command: command.command, error: "no response" });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends commands and throws DynsecCommandError for the first one the broker refused (errors in `tolerate` excepted). */
  async run(commands: DynsecCommand[], tolerate: RegExp[] = [], deadline?: number): Promise<DynsecResponse[]> {
    const responses = await this.send(commands, deadline);
    for (const response of responses) {
      if (response.error && !tolerate.some((pattern) => pattern.test(response.error!))) {
        throw new DynsecCommandError(response.command, response.error);
      }
    }
    return responses;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.ready = false;
    this.pending.clear();
    this.connectedListeners.clear();
    if (client)
      await client.endAsync(true).catch((error: unknown) => log.warn("closing the broker connection failed", error));
  }
}

const globalForDynsec = globalThis as unknown as { tesseraDynsec?: { key: string; dynsec: Dynsec } };

/** This process's connection to the broker (null when MQTT is not configured). */
export function dynsec(settings: Settings & Pick<Env, "TESSERA_MQTT_URL">): Dynsec | null {
  if (!settings.TESSERA_MQTT_URL) return null;
  const key = `${settings.TESSERA_MQTT_URL} ${settings.TESSERA_MQTT_ADMIN_USERNAME}`;
  if (globalForDynsec.tesseraDynsec?.key !== key) globalForDynsec.tesseraDynsec = { key, dynsec: new Dynsec(settings) };
  return globalForDynsec.tesseraDynsec.dynsec;
}
