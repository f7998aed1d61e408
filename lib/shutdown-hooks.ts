// Work to finish before the server process exits on SIGTERM or SIGINT: scripts/server.mjs awaits every hook
// registered here (on globalThis, which it shares with the app) after the last request and before it closes.

type ShutdownHooks = Set<() => Promise<void>>;
const holder = globalThis as unknown as { tesseraShutdownHooks?: ShutdownHooks };

export function onShutdown(hook: () => Promise<void>): void {
  holder.tesseraShutdownHooks ??= new Set();
  holder.tesseraShutdownHooks.add(hook);
}
