import "server-only";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { ApiError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { log } from "../log.ts";

// Tessera's connection to Mosquitto's dynamic security plugin: commands are
// published to $CONTROL/dynamic-security/v1 and answered on .../response,
// matched by correlationData. Every caller waits for the answer to its own
// commands, so an API answer never claims what the broker did not do.

const CONTROL = "$CONTROL/dynamic-security/v1";
const RESPONSE = `${CONTROL}/response`;

export type DynsecCommand = { command: string } & Record<string, unknown>;
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
}

/** The broker could not be reached, or did not answer in time: the API answers 503. */
export class BrokerUnavailableError extends ApiError {
  constructor(detail: string) {
    super("unavailable", `The MQTT broker is unavailable (${detail}); nothing was changed, try again later`, { "Retry-After": "5" });
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

type Settings = Pick<Env, "TESSERA_MQTT_URL" | "TESSERA_MQTT_ADMIN_USERNAME" | "TESSERA_MQTT_ADMIN_PASSWORD" | "TESSERA_MQTT_TIMEOUT_SECONDS">;

export class Dynsec {
  private client: MqttClient | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly pending = new Map<string, { resolve: (responses: DynsecResponse[]) => void; reject: (error: Error) => void; count: number; got: DynsecResponse[] }>();
  private lastError = "";

  constructor(private readonly settings: Settings) {}

  private get timeoutMs() {
    return this.settings.TESSERA_MQTT_TIMEOUT_SECONDS * 1000;
  }

  private connect(): MqttClient {
    if (this.client) return this.client;
    const client = mqtt.connect(this.settings.TESSERA_MQTT_URL!, {
      username: this.settings.TESSERA_MQTT_ADMIN_USERNAME,
      password: this.settings.TESSERA_MQTT_ADMIN_PASSWORD,
      clientId: `tessera-dynsec-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: this.timeoutMs,
      clean: true,
    });
    client.on("error", (error) => {
      this.lastError = error.message;
    });
    client.on("close", () => {
      this.subscribed = undefined;
    });
    client.on("message", (topic, payload) => {
      if (topic !== RESPONSE) return;
      this.onResponse(payload);
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

  /** Connected and subscribed to the response topic, or BrokerUnavailableError within the timeout. */
  private ready(): Promise<void> {
    const client = this.connect();
    if (client.connected && this.subscribed) return this.subscribed;
    const attempt = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new BrokerUnavailableError(this.lastError ? `cannot connect: ${this.lastError}` : "no connection within the timeout"));
      }, this.timeoutMs);
      const subscribe = () => {
        client.subscribe(RESPONSE, { qos: 1 }, (error, granted) => {
          cleanup();
          if (error || granted?.[0]?.qos === 128) {
            reject(new BrokerUnavailableError(`the admin client may not subscribe to ${RESPONSE}: is it the dynamic security admin?`));
          } else resolve();
        });
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off("connect", subscribe);
      };
      if (client.connected) subscribe();
      else client.once("connect", subscribe);
    });
    this.subscribed = attempt;
    attempt.catch(() => {
      if (this.subscribed === attempt) this.subscribed = undefined;
    });
    return attempt;
  }

  /**
   * Sends the commands in one message and resolves with one response per
   * command, in order. Rejects with BrokerUnavailableError when the broker
   * cannot be reached or does not answer within the timeout.
   */
  async send(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    await this.ready();
    const id = randomUUID();
    const tagged = commands.map((command, index) => ({ ...command, correlationData: `${id}:${index}` }));
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, count: commands.length, got: [] });
    });
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => {
        this.pending.delete(id);
        reject(new BrokerUnavailableError("no answer from the dynamic security plugin within the timeout"));
      }, this.timeoutMs).unref(),
    );
    this.client!.publish(CONTROL, JSON.stringify({ commands: tagged }), { qos: 1 });
    const responses = await Promise.race([answered, timer]);
    const byIndex = new Map(responses.map((response) => [Number((response as { correlationData?: string }).correlationData?.split(":")[1]), response]));
    return commands.map((command, index) => byIndex.get(index) ?? { command: command.command, error: "no response" });
  }

  /** Sends commands and throws DynsecCommandError for the first one the broker refused (errors in `tolerate` excepted). */
  async run(commands: DynsecCommand[], tolerate: RegExp[] = []): Promise<DynsecResponse[]> {
    const responses = await this.send(commands);
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
    this.subscribed = undefined;
    for (const [, waiting] of this.pending) waiting.reject(new BrokerUnavailableError("the connection was closed"));
    this.pending.clear();
    if (client) await client.endAsync(true).catch((error: unknown) => log.warn("closing the broker connection failed", error));
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
