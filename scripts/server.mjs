// The server process `tessera start` runs: Next.js's documented custom
// server (next() + getRequestHandler, nextjs.org/docs/app/guides/custom-server)
// instead of `next start`, because Tessera must see each connection before
// Next.js does, and `next start` offers no hook for that:
// - the client address: Next.js passes a client-sent X-Forwarded-For through
//   unchanged, so the TCP peer address is stamped on every request here
//   (lib/auth/client-address.ts), overwriting whatever the client sent;
// - request bodies over the limit, unknown methods and protocol upgrades are
//   refused before Next.js buffers or mishandles them (lib/server-startup.ts).
// The rules themselves are TypeScript in lib/server-startup.ts; instrumentation
// runs them in this process during app.prepare() and hands this file the guard.
// Plain JavaScript on purpose: it runs Next.js itself, without a TypeScript loader.
import http from "node:http";
import next from "next";

process.env.NODE_ENV = "production";
process.title = "next-server (tessera)";

const port = Number(process.env.PORT ?? 3000);
const hostname = undefined; // every interface, as next start
const app = next({ dev: false, dir: process.cwd(), port, hostname });
const handle = app.getRequestHandler();
// instrumentation.ts settles this when its start-up is done (the configuration checked, the request guard
// installed, the embedded database migrated, the worker started). app.prepare() does not wait for it: Next.js
// fires its own preparation and awaits it only in the first request. So the port opens after it, and a start
// that fails is one sentence and exit 1, never a listening server that answers 500 (or a "ready" before the schema).
/** @type {{ resolve(): void; reject(error: unknown): void }} */
let startup = { resolve() {}, reject() {} };
const started = new Promise((resolve, reject) => (startup = { resolve, reject }));
globalThis[Symbol.for("tessera.startup")] = startup;
await app.prepare();
try {
  await started;
} catch (error) {
  console.error(`tessera: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

/** @type {{ intercept(req: http.IncomingMessage, res: http.ServerResponse): boolean; refuseUpgrade(socket: import("node:net").Socket): void } | undefined} */
const guard = globalThis[Symbol.for("tessera.requestGuard")];
if (!guard) {
  console.error("[tessera] error: the request guard was not installed (instrumentation did not run); not serving");
  process.exit(1);
}

const server = http.createServer((req, res) => {
  if (guard.intercept(req, res)) return;
  handle(req, res).catch((error) => {
    console.error(`[tessera] error: failed to handle ${req.method} ${req.url?.split("?")[0]}`, error);
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Internal server error");
  });
});
server.on("upgrade", (_req, socket) => guard.refuseUpgrade(socket));
server.on("error", (error) => {
  const reason = error.code === "EADDRINUSE" ? `port ${port} is already in use; set PORT to another` : error.message;
  console.error(`[tessera] error: the server could not listen: ${reason}`);
  process.exit(1);
});
server.listen(port, hostname, () => console.log(`[tessera] ready on port ${port}`));

// As next start does: stop accepting, let the requests under way finish, close Next.js, exit 128+signal.
// Unlike next start, the drain is bounded: a client that never finishes its request cannot hold a stop for ever.
const DRAIN_MS = 10_000;
let stopping = false;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
    server.close(() => {
      // What the app keeps in memory to write in batches (lib/usage/usage-counter.ts) is written before it stops.
      const hooks = [...(globalThis.tesseraShutdownHooks ?? [])];
      Promise.allSettled(hooks.map((hook) => hook()))
        .then(() => app.close())
        .catch((error) => console.error(error))
        .finally(() => process.exit(code));
    });
  });
}
