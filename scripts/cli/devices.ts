import os from "node:os";
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { ApiError } from "../../lib/api/errors.ts";
import { cliActor } from "../../lib/audit/record.ts";
import { listDevices, registerDevice, registerDeviceSchema, removeDevice } from "../../lib/devices/devices.ts";
import { bridgeConfig } from "../../lib/devices/bridge-config.ts";
import { env } from "../../lib/env.ts";
import { dynsec } from "../../lib/mqtt/dynsec.ts";
import { DEVICE_ID } from "../../lib/schemas/device.ts";
import { listCommand, withDatabase } from "./database.ts";
import { withOptionValues } from "./option-values.ts";

export const DEVICES_USAGE = `  devices add ID [--role ROLE] [--json]
             register a device for tokens over MQTT; prints its MQTT password (once)
  devices list [--json]
  devices remove ID
  devices bridge-config ID [--address HOST:PORT] [--password PASSWORD] [--local-prefix c8y/]
             print the mosquitto.conf snippet that bridges the device's own broker to Tessera's
             (needs no database: it runs beside the embedded server)`;

function fail(message: string): number {
  console.error(`tessera devices: ${message}`);
  return 2;
}

/** Runs fn with the database and the broker connection, closing both after. */
async function withBroker<T>(purpose: string, fn: () => Promise<T>): Promise<T> {
  try {
    return (await withDatabase(purpose, fn)).value;
  } finally {
    await dynsec(env())?.close();
  }
}

export async function devicesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === "add") {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { role: { type: "string" }, json: { type: "boolean" } },
      });
      if (positionals.length !== 1) return fail("usage: devices add ID [--role ROLE]");
      const input = registerDeviceSchema.parse({ id: positionals[0], role: values.role });
      const device = await withBroker("tessera devices add", () =>
        registerDevice(cliActor(os.userInfo().username), input),
      );
      if (values.json) console.log(JSON.stringify(device, null, 2));
      else {
        console.log(device.mqtt.password);
        console.error(
          `Registered device "${device.id}" (${device.role}). Connect as username and client id "${device.id}" with the password above (shown only now); request tokens on ${device.request_topic}, answers on ${device.response_topic}.`,
        );
      }
      return 0;
    }
    if (sub === "list") {
      return listCommand("tessera devices list", rest, listDevices, "No devices.", (devices) => {
        for (const device of devices)
          console.log(`${device.id}  ${device.role}  last token ${device.last_token_at ?? "never"}`);
      });
    }
    if (sub === "remove") {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) return fail("usage: devices remove ID");
      const removed = await withBroker("tessera devices remove", () =>
        removeDevice(positionals[0]!, cliActor(os.userInfo().username)),
      );
      console.log(
        removed
          ? `Removed device ${positionals[0]} and its tokens.`
          : `No device ${positionals[0]}; nothing to remove.`,
      );
      return 0;
    }
    if (sub === "bridge-config") {
      const { values, positionals } = parseArgs({
        args: withOptionValues(rest, ["--address", "--password", "--local-prefix"]),
        allowPositionals: true,
        options: { address: { type: "string" }, password: { type: "string" }, "local-prefix": { type: "string" } },
      });
      if (positionals.length !== 1)
        return fail("usage: devices bridge-config ID [--address HOST:PORT] [--password PASSWORD]");
      if (!DEVICE_ID.test(positionals[0]!)) return fail("the device id must be 1-64 of A-Z a-z 0-9 _ . -");
      try {
        process.stdout.write(
          bridgeConfig(env(), positionals[0]!, {
            address: values.address,
            password: values.password,
            localPrefix: values["local-prefix"],
          }),
        );
      } catch (error) {
        return fail((error as Error).message);
      }
      return 0;
    }
    return fail(`unknown subcommand "${sub ?? ""}"\n\n${DEVICES_USAGE}`);
  } catch (error) {
    if (error instanceof ZodError) return fail(error.issues[0]!.message);
    if (error instanceof ApiError) return fail(error.message);
    throw error;
  }
}
