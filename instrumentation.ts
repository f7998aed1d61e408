// Runs once when a server process starts, before it answers any request.
type Startup = { resolve(): void; reject(error: unknown): void };

export async function register() {
  // The imports stay below this line and in this function: the bundler drops them from the edge build only so.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // scripts/server.mjs (`tessera start`) opens its port when this settles, and exits 1 with the error's sentence
  // when it fails; elsewhere (Vercel's functions) there is no such signal and a failure is Next.js's to report.
  const startup = (globalThis as { [key: symbol]: Startup | undefined })[Symbol.for("tessera.startup")];
  try {
    const { checkServerEnvironment } = await import("./lib/server-startup.ts");
    await checkServerEnvironment();
    // Vercel puts this file's bundle into every function. TESSERA_BUILD_TARGET is fixed when the app is built
    // (next.config.mjs): in a Vercel build this branch is dead and the worker (and with it mqtt.js and PGlite) is
    // left out of the bundle; its functions start nothing long-lived (README, Deploying). On a Node host the
    // server process runs the worker itself (lib/worker/start-worker.ts), so `npm start` alone does everything.
    if (process.env.TESSERA_BUILD_TARGET !== "vercel") {
      // The embedded database is prepared here, in the one process that opens it (lib/db/prepare.ts).
      if (process.env.TESSERA_PREPARE_IN_SERVER === "1") await (await import("./lib/db/prepare.ts")).prepareInServer();
      const { startWorkerInServer } = await import("./lib/worker/start-worker.ts");
      startWorkerInServer();
    }
  } catch (error) {
    if (!startup) throw error;
    startup.reject(error);
    return;
  }
  startup?.resolve();
}
