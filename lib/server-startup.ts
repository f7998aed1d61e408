import "server-only";
import http from "node:http";
import { CLIENT_ADDRESS_HEADER } from "./auth/client-address.ts";
import { assertSecrets, env, EnvError } from "./env.ts";

/**
 * Runs once per server process before it answers a request:
 * - refuses to serve with a broken configuration (exit 1 with a clear
 *   sentence) instead of failing on the first request;
 * - stamps each incoming request with its TCP peer address (see
 *   lib/auth/client-address.ts), overwriting any client-sent value.
 *
 * No shutdown hook closes the database: next start drains its connections on
 * SIGTERM and exits, and both engines are crash-safe for committed data
 * (PGlite runs with synchronous_commit on; a reopen replays its WAL), so a
 * close racing the last requests would do more harm than good.
 */
export async function checkServerEnvironment(): Promise<void> {
  try {
    assertSecrets(env());
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`[tessera] ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  stampClientAddress();
}

function stampClientAddress() {
  const marker = Symbol.for("tessera.clientAddressStamp");
  const proto = http.Server.prototype as http.Server & { [marker]?: boolean };
  if (proto[marker]) return;
  proto[marker] = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[CLIENT_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "unknown";
    }
    return (emit as (...all: unknown[]) => boolean).call(this, event, ...args);
  } as typeof proto.emit;
}
