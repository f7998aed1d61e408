import "server-only";
import type http from "node:http";
import type { Duplex } from "node:stream";
import { MAX_BODY_BYTES } from "./api/read-body.ts";
import { CLIENT_ADDRESS_HEADER } from "./auth/client-address.ts";
import { assertSecrets, env, EnvError } from "./env.ts";

/**
 * Runs once per server process before it answers a request:
 * - refuses to serve with a broken configuration (exit 1 with a clear
 *   sentence) instead of failing on the first request;
 * - gives the process's HTTP server (scripts/server.mjs, Next.js's custom
 *   server) the request guard it runs before Next.js sees a request: it
 *   stamps each request with its TCP peer address (see
 *   lib/auth/client-address.ts), overwriting any client-sent value, and
 *   refuses a request body larger than MAX_BODY_BYTES before anything reads
 *   it, a method nothing here serves, and protocol upgrades (requestRefusal,
 *   refuseUpgrade).
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
  publishRequestGuard();
}

/**
 * Why a request is refused before Next.js sees it, or null. With a
 * middleware, Next.js buffers every request body (up to 10 MB) before the
 * middleware runs, credentials or not: 30 parallel 9.9 MB POSTs took a
 * server from 580 MB to over 1 GB. No route takes more than MAX_BODY_BYTES
 * (JSON bodies, next-auth's forms), so a larger declared length is refused
 * here with 413, and a body of unknown length (chunked) with 411: nothing
 * of it is kept.
 */
export function requestRefusal(
  headers: http.IncomingHttpHeaders,
  method = "GET",
): { status: number; text: string } | null {
  // Next.js answers a method outside these (TRACE, PROPFIND, QUERY...) with a 500 and a stack trace in the log.
  if (!KNOWN_METHODS.has(method)) return { status: 501, text: `Method ${method.slice(0, 20)} is not supported` };
  if (headers["transfer-encoding"] !== undefined) {
    return {
      status: 411,
      text: `Length Required: send the body with a Content-Length header (at most ${MAX_BODY_BYTES} bytes)`,
    };
  }
  const length = headers["content-length"];
  if (length !== undefined && !(/^\d+$/.test(length) && Number(length) <= MAX_BODY_BYTES)) {
    return { status: 413, text: `Request body too large (at most ${MAX_BODY_BYTES} bytes)` };
  }
  return null;
}

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Nothing here speaks another protocol: an Upgrade request (a WebSocket) is answered and closed, never left open. */
const UPGRADE_REFUSAL = "Upgrade is not supported here\n";

/** Stamps the TCP peer address and answers a refused request itself; true when it did (Next.js must not see it). */
function intercept(request: http.IncomingMessage, response: http.ServerResponse): boolean {
  request.headers[CLIENT_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "unknown";
  const refusal = requestRefusal(request.headers, request.method);
  if (!refusal) return false;
  response.writeHead(refusal.status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(refusal.text),
    "Cache-Control": "no-store",
  });
  // What the client is still sending is read and dropped, never kept, so it gets to read this answer
  // (closing at once would reset the connection and lose it); a body that is still coming 10 s later
  // loses its connection.
  request.resume();
  const cutOff = setTimeout(() => request.socket?.destroy(), 10_000).unref();
  request.on("end", () => clearTimeout(cutOff));
  response.end(refusal.text);
  return true;
}

/** Left to Next.js, an Upgrade request was never answered, never closed, and kept the server from shutting down. */
function refuseUpgrade(socket: Duplex): void {
  socket.end(
    `HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(UPGRADE_REFUSAL)}\r\nConnection: close\r\n\r\n${UPGRADE_REFUSAL}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Hands the guard to scripts/server.mjs, the HTTP server of this process, which runs it before Next.js sees a request. */
function publishRequestGuard() {
  (globalThis as Record<symbol, unknown>)[Symbol.for("tessera.requestGuard")] = { intercept, refuseUpgrade };
}
