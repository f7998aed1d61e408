import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "../env.ts";
import { log } from "../log.ts";
import { clearLoginFailures, loginBlockedFor, recordLoginFailure } from "../users/login-throttle.ts";
import { upsertSsoUser, verifyLocalLogin } from "../users/sign-in.ts";
import { clientAddress } from "./client-address.ts";
import { isRole } from "./permissions.ts";
import { ssoRole } from "./sso-roles.ts";

/** The message for a wrong password and for an unknown user alike. */
export const BAD_LOGIN = "Invalid username or password";
export const OIDC_PROVIDER_ID = "oidc";

/** What the login page may show: whether local login is on, and the SSO button's name. */
export function signInOptions() {
  const settings = env();
  return {
    local: settings.TESSERA_LOCAL_LOGIN,
    sso: settings.TESSERA_OIDC_ISSUER ? { id: OIDC_PROVIDER_ID, name: settings.TESSERA_OIDC_NAME } : null,
  };
}

/** Only same-origin targets: a relative path ("/x", never "//host") or an absolute URL on baseUrl's origin. */
export function safeRedirect(url: string, baseUrl: string): string {
  if (url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\")) return `${baseUrl}${url}`;
  try {
    if (new URL(url).origin === new URL(baseUrl).origin) return url;
  } catch {
    // not a URL: fall through
  }
  return baseUrl;
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const settings = env();
  const providers: NextAuthOptions["providers"] = [];
  if (settings.TESSERA_LOCAL_LOGIN) {
    providers.push(
      CredentialsProvider({
        id: "credentials",
        name: "Local account",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const username = String(credentials?.username ?? "").trim().slice(0, 200);
          const password = String(credentials?.password ?? "").slice(0, 1024);
          const headers = new Headers(request?.headers as Record<string, string> | undefined);
          const address = clientAddress(new Request("http://local/", { headers }), settings.TESSERA_TRUST_PROXY);
          const blocked = loginBlockedFor(username, address);
          if (blocked > 0) throw new Error(`Too many failed sign-ins; try again in ${blocked} minute${blocked > 1 ? "s" : ""}`);
          const user = username && password ? await verifyLocalLogin(username, password) : null;
          if (!user) {
            recordLoginFailure(username, address);
            throw new Error(BAD_LOGIN);
          }
          clearLoginFailures(username);
          return { id: user.id, name: user.name ?? user.username, username: user.username, role: user.role };
        },
      }),
    );
  }
  if (settings.TESSERA_OIDC_ISSUER) {
    providers.push({
      id: OIDC_PROVIDER_ID,
      name: settings.TESSERA_OIDC_NAME,
      type: "oauth",
      wellKnown: `${settings.TESSERA_OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: settings.TESSERA_OIDC_CLIENT_ID,
      clientSecret: settings.TESSERA_OIDC_CLIENT_SECRET,
      authorization: { params: { scope: `openid email profile ${settings.TESSERA_OIDC_ROLE_CLAIM.split(".")[0]}` } },
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      profile(profile: Record<string, unknown>) {
        return { id: String(profile.sub), name: typeof profile.name === "string" ? profile.name : undefined, email: typeof profile.email === "string" ? profile.email : undefined };
      },
    });
  }

  cached = {
    secret: settings.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: Math.round(settings.TESSERA_SESSION_MAX_AGE_HOURS * 3600) },
    pages: { signIn: "/login", error: "/login" },
    logger: {
      error: (code, metadata) => log.error(`next-auth ${code}`, metadata instanceof Error ? metadata.message : undefined),
      warn: (code) => log.warn(`next-auth ${code}`),
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        // Nothing may escape: next-auth would put the error's text into a redirect (Prisma's is
        // multi-line, and Next then answers 500). The login page gets a code, the log the detail.
        try {
          const claims = (profile ?? {}) as Record<string, unknown>;
          const role = ssoRole(claims, settings);
          if (!role) return "/login?error=AccessDenied";
          const outcome = await upsertSsoUser({
            subject: String(claims.sub ?? user.id),
            email: typeof claims.email === "string" ? claims.email : undefined,
            name: typeof claims.name === "string" ? claims.name : undefined,
            role,
          });
          if (!outcome.ok) {
            log.warn(`SSO sign-in refused: ${outcome.refused}`);
            return "/login?error=AccountConflict";
          }
          const stored = outcome.user;
          Object.assign(user, { id: stored.id, username: stored.username, role: stored.role, name: stored.name ?? stored.username });
          return true;
        } catch (error) {
          log.error("SSO sign-in failed", error);
          return "/login?error=SignInFailed";
        }
      },
      async jwt({ token, user }) {
        if (user) {
          const signedIn = user as { id: string; username?: string; role?: string; name?: string | null };
          token.sub = signedIn.id;
          token.username = signedIn.username;
          if (isRole(signedIn.role)) token.role = signedIn.role;
        }
        return token;
      },
      async session({ session, token }) {
        session.user = { ...session.user, id: token.sub, name: token.name ?? undefined, username: token.username as string | undefined, role: token.role as string | undefined } as typeof session.user;
        return session;
      },
      async redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl);
      },
    },
  };
  return cached;
}
