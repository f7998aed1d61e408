import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { freePort } from "./server.ts";
import { sleep } from "./wait.ts";

// A real Mosquitto (Debian's package) of the test's own: a free port, a fresh
// config and a fresh dynamic security file with one admin client.

export const DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

export interface Broker {
  url: string;
  port: number;
  adminUsername: string;
  adminPassword: string;
  /** The env that points Tessera at this broker. */
  env: Record<string, string>;
  /** Everything mosquitto logged so far. */
  output(): string;
  /** Sends mosquitto a signal (SIGSTOP and SIGCONT: a broker that is there but does not answer). */
  signal(signal: NodeJS.Signals): void;
  /** Stops mosquitto and starts it again on the same port with the same state. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`mosquitto did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Where the broker listens and who its admin client is; by default a free port and a random password. */
export interface BrokerOptions {
  port?: number;
  adminUsername?: string;
  adminPassword?: string;
  /** Mosquitto's sys_interval (how often it publishes $SYS); unset: its default, 10 s. */
  sysInterval?: number;
}

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-mosquitto-"));
  // Started as root, mosquitto drops to its own user, which must still read and save the dynamic security file.
  chmodSync(dir, 0o777);
  const port = options.port ?? (await freePort());
  const adminUsername = options.adminUsername ?? "tessera-admin";
  const adminPassword = options.adminPassword ?? randomBytes(18).toString("base64url");
  const dynsecFile = path.join(dir, "dynamic-security.json");
  execFileSync("mosquitto_ctrl", ["dynsec", "init", dynsecFile, adminUsername, adminPassword], { stdio: "ignore" });
  chmodSync(dynsecFile, 0o666);
  const config = path.join(dir, "mosquitto.conf");
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous false",
      `plugin ${DYNSEC_PLUGIN}`,
      `plugin_opt_config_file ${dynsecFile}`,
      "persistence false",
      ...(options.sysInterval === undefined ? [] : [`sys_interval ${options.sysInterval}`]),
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "",
    ].join("\n"),
  );

  let output = "";
  let child: ChildProcess;
  const launch = async () => {
    child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    await waitForPort(port, 10_000);
  };
  const halt = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  await launch();
  const url = `mqtt://127.0.0.1:${port}`;
  return {
    url,
    port,
    adminUsername,
    adminPassword,
    env: {
      TESSERA_MQTT_URL: url,
      TESSERA_MQTT_ADMIN_USERNAME: adminUsername,
      TESSERA_MQTT_ADMIN_PASSWORD: adminPassword,
    },
    output: () => output,
    signal: (signal) => void child.kill(signal),
    async restart(whileDown) {
      await halt();
      await whileDown?.();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An MQTT client connected with these credentials, or the broker's refusal as an Error. */
export async function connectAs(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  return new Promise((resolve, reject) => {
    client.once("connect", () => resolve(client));
    client.once("error", (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** Subscribes and resolves with the granted QoS (128: refused). */
export function subscribe(client: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.subscribe(topic, { qos: 1 }, (error, granted) => {
      // mqtt.js reports a refused subscription (SUBACK 128) as an error carrying the packet.
      if (error && "packet" in error) return resolve(128);
      if (error) return reject(error);
      resolve(granted![0]!.qos);
    });
  });
}

/** The next message on topic within timeoutMs, or null. */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 2_000): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off("message", onMessage);
      resolve(null);
    }, timeoutMs);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.off("message", onMessage);
      resolve(payload.toString());
    };
    client.on("message", onMessage);
  });
}

/** Resolves when the client's connection is closed by the broker (true), or false after timeoutMs. */
export function closedWithin(client: MqttClient, timeoutMs: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A device's own Mosquitto: anonymous on loopback for local programs, with the given config appended. */
export async function startLocalBroker(extra: string): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-local-broker-"));
  const port = await freePort();
  const config = path.join(dir, "mosquitto.conf");
  writeFileSync(
    config,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n${extra}`,
  );
  const child = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr!.on("data", (chunk) => (output += chunk));
  for (let i = 0; i < 100; i++) {
    if (
      await connectAs(`mqtt://127.0.0.1:${port}`, {}).then(
        (client) => (client.end(true), true),
        () => false,
      )
    )
      break;
    if (child.exitCode !== null) throw new Error(`the device-side mosquitto exited:\n${output}`);
    await sleep(50);
  }
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
