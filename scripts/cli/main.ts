import nextEnv from "@next/env";
import { EnvError } from "../../lib/env.ts";
import { DataDirBusyError } from "../../lib/embedded/lock.ts";
import { MigrationError } from "../../lib/db/migrate.ts";
import { openShortLived } from "../../lib/db.ts";
import { devicesCommand, DEVICES_USAGE } from "./devices.ts";
import { keysCommand, KEYS_USAGE } from "./keys.ts";
import { migrateCommand } from "./migrate.ts";
import { startCommand } from "./start.ts";
import { tokensCommand, TOKENS_USAGE } from "./tokens.ts";
import { usersCommand, USERS_USAGE } from "./users.ts";
import { workerCommand, WORKER_USAGE } from "./worker.ts";

const USAGE = `Usage: tessera <command>

Commands:
  start      migrate (embedded database), build if needed, and serve on PORT (default 3000)
  migrate    apply pending migrations from prisma/migrations to the configured database
${TOKENS_USAGE}
${USERS_USAGE}
${DEVICES_USAGE}
${WORKER_USAGE}
${KEYS_USAGE}

Configuration comes from the environment and .env files (see README, Configuration).`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: startCommand,
  migrate: migrateCommand,
  tokens: tokensCommand,
  users: usersCommand,
  devices: devicesCommand,
  worker: workerCommand,
  keys: keysCommand,
  "mqtt-responder": workerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`tessera: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (command !== workerCommand) openShortLived(); // start too: its supervisor opens the database only on PostgreSQL
  // The same .env files Next.js reads, so the CLI and the server agree.
  nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
  try {
    return await command(args);
  } catch (error) {
    if (error instanceof EnvError || error instanceof DataDirBusyError || error instanceof MigrationError) {
      console.error(`tessera: ${error.message}`);
      return 1;
    }
    // node:util parseArgs refusing the command line (an unknown option, a missing value): its sentence, no stack.
    if (String((error as { code?: unknown })?.code).startsWith("ERR_PARSE_ARGS_")) {
      console.error(`tessera: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
