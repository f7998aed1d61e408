import { after, before } from "node:test";
import { call, createInstance, type CallOptions, type Instance } from "./instance.ts";
import { send } from "./raw-http.ts";

// One Tessera instance for a whole test file, and the calls its tests make
// against it. setUpFileInstance() registers the file's before and after hooks;
// `tessera` is then the running instance (a live binding: importers see it
// once before has run, and after every restart, which updates it in place).
// One per file is all there can be, and all there needs to be: node:test
// runs each file in its own process.

export let tessera: Instance;

/** Starts the file's instance (createInstance with extra) before its tests, closes it after them. */
export function setUpFileInstance(extra: Record<string, string> = {}): void {
  before(async () => {
    tessera = await createInstance(extra);
  });
  after(async () => {
    await tessera?.close();
  });
}

/** A call without credentials unless options carry them. */
export const api = (path: string, options: CallOptions = {}) => call(`${tessera.url}${path}`, options);
/** A call as the instance's admin token. */
export const admin = (path: string, options: CallOptions = {}) => api(path, { token: tessera.adminToken, ...options });

/** A request as the admin (token null: without credentials), the path sent byte for byte. */
export const sendAsAdmin = (method: string, path: string, options: { token?: string | null; body?: unknown } = {}) =>
  send(tessera.url, method, path, {
    ...options,
    token: options.token === undefined ? tessera.adminToken : options.token,
  });

/** The names of every token, as the admin lists them. */
export const tokenNames = async () =>
  ((await admin("/api/tokens")).body as { name: string }[]).map((token) => token.name);
