import { spawn, type ChildProcess } from "node:child_process";
import { call, createInstance, type Instance } from "./instance.ts";
import { freePort } from "./server.ts";
import { cli } from "./users.ts";

/**
 * The e2e suite's OpenID Connect provider (e2e/oidc-server.mjs, a real
 * `oidc-provider`), and a browser's walk through an SSO sign-in over plain
 * HTTP: every redirect is followed by hand, so a test sees each Location
 * header and the page the walk ends on.
 */
export interface OidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** Starts e2e/oidc-server.mjs on port, with its one client's redirect URI on appUrl. */
export async function startOidcProvider(port: number, appUrl: string): Promise<OidcProvider> {
  const child: ChildProcess = spawn(process.execPath, ["e2e/oidc-server.mjs"], {
    env: { ...process.env, OIDC_PORT: String(port), APP_URL: appUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const issuer = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${issuer}/.well-known/openid-configuration`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 100 || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the OIDC provider did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    issuer,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** One hop of the walk: where the browser was sent and what came back. */
export interface Hop {
  method: string;
  url: string;
  status: number;
  location: string | null;
}

export interface SsoWalk {
  hops: Hop[];
  /** The last hop: the page the browser ends on. */
  final: Hop & { body: string };
  /** The app's session cookie, when the sign-in succeeded. */
  session?: string;
}

/** A cookie jar by host and name (paths ignored: both servers here are one test's own). */
class Jar {
  private cookies = new Map<string, Map<string, string>>();
  header(url: string): string {
    return [...(this.cookies.get(new URL(url).host)?.entries() ?? [])]
      .map(([name, value]) => `${name}=${value}`)
      .join("; ");
  }
  store(url: string, response: Response) {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(";")[0] ?? "";
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(host, jar);
  }
  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }
}

/**
 * Signs in as `login` at the provider, the way a browser does from the login
 * page's SSO button: next-auth's sign-in endpoint, the provider's login and
 * consent forms, and every redirect after them until a page answers (at most
 * 20 hops). Any password is accepted by the provider. baseUrl must be the
 * server's NEXTAUTH_URL: next-auth's state and PKCE cookies live on that host.
 */
export async function walkSsoSignIn(baseUrl: string, login: string): Promise<SsoWalk> {
  const jar = new Jar();
  const hops: Hop[] = [];
  const send = async (method: string, url: string, form?: Record<string, string>) => {
    const response = await fetch(url, {
      method,
      redirect: "manual",
      headers: { cookie: jar.header(url), ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
    });
    jar.store(url, response);
    const location = response.headers.get("location");
    hops.push({ method, url, status: response.status, location });
    return { response, location: location ? new URL(location, url).toString() : null };
  };

  const csrf = await send("GET", `${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.response.json()) as { csrfToken: string };
  const start = await send("POST", `${baseUrl}/api/auth/signin/oidc`, {
    csrfToken,
    callbackUrl: `${baseUrl}/tokens`,
    json: "true",
  });
  let next: string | null = ((await start.response.json()) as { url: string }).url;
  let method = "GET";
  let form: Record<string, string> | undefined;
  for (let hop = 0; next && hop < 20; hop++) {
    const { response, location } = await send(method, next, form);
    [method, form] = ["GET", undefined];
    if (location) {
      await response.body?.cancel();
      next = location;
      continue;
    }
    const body = await response.text();
    // The provider's own pages: a login form, then a consent form, each posting back to it.
    const action = /<form[^>]*action="([^"]+)"/.exec(body)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(body)?.[1];
    if (response.status === 200 && action && prompt && new URL(next).origin !== new URL(baseUrl).origin) {
      next = new URL(action.replace(/&amp;/g, "&"), next).toString();
      method = "POST";
      form = prompt === "login" ? { prompt, login, password: "any-password" } : { prompt };
      continue;
    }
    return { hops, final: { ...hops.at(-1)!, body }, session: jar.get(baseUrl, "next-auth.session-token") };
  }
  throw new Error(
    `the SSO walk did not end on a page:\n${hops.map((h) => `${h.method} ${h.url} -> ${h.status} ${h.location ?? ""}`).join("\n")}`,
  );
}

/** The e2e suite's SSO settings' admin emails (e2e/oidc-server.mjs has users with these emails). */
export const SSO_ADMIN_EMAILS = "dave@example.test,erin@example.test,frank@example.test";

/**
 * A Tessera of its own with SSO through e2e/oidc-server.mjs (groups claim,
 * tessera-admins mapped to admin, default viewer, SSO_ADMIN_EMAILS), the
 * local accounts given created first, and the provider on a free port.
 * app is the server's NEXTAUTH_URL (tessera start's default,
 * http://localhost:PORT): next-auth's cookies live on that host.
 */
export async function startSsoInstance(localUsers: [username: string, role: string][] = []) {
  const oidcPort = await freePort();
  const tessera: Instance = await createInstance({
    TESSERA_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
    TESSERA_OIDC_CLIENT_ID: "tessera",
    TESSERA_OIDC_CLIENT_SECRET: "tessera-e2e-secret",
    TESSERA_OIDC_ROLE_CLAIM: "groups",
    TESSERA_OIDC_ROLE_MAP: "tessera-admins=admin",
    TESSERA_OIDC_DEFAULT_ROLE: "viewer",
    TESSERA_ADMIN_EMAILS: SSO_ADMIN_EMAILS,
  });
  // The CLI needs the embedded data dir for itself: on the embedded database the accounts are made while the server is down.
  if (localUsers.length > 0)
    await cli(tessera, ...localUsers.map(([username, role]) => ["users", "create", username, "--role", role]));
  const app = tessera.url.replace("127.0.0.1", "localhost");
  const oidc = await startOidcProvider(oidcPort, app);
  return { tessera, oidc, app };
}

/** Where the walk ended: "200 /login?error=X" or "302 /tokens (signed in)". */
export function landing(walk: SsoWalk): string {
  const url = new URL(walk.final.url);
  return `${walk.final.status} ${url.pathname}${url.search}${walk.session ? " (signed in)" : ""}`;
}

/** The alert sentence the login page shows, if any. */
export function alertOf(body: string): string | undefined {
  return /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];
}

/** Hops of the walk that answered 5xx or redirected to multi-line text, as "status url", or "none". */
export function badHops(walk: SsoWalk): string {
  const bad = walk.hops.filter((hop) => hop.status >= 500 || /[\r\n]/.test(decodeURIComponent(hop.location ?? "")));
  return bad.map((hop) => `${hop.status} ${hop.url}`).join(", ") || "none";
}

/** What the walk's session may do: its role, or why there is none. */
export async function roleOf(app: string, walk: SsoWalk): Promise<string> {
  if (!walk.session) return `not signed in (${landing(walk)})`;
  const me = await call(`${app}/api/me`, { headers: { cookie: `next-auth.session-token=${walk.session}` } });
  return me.status === 200 ? String((me.body as { role: string }).role) : `GET /api/me ${me.status}`;
}
