import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "../env.ts";
import { log } from "../log.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { beginLoginAttempt } from "../users/login-throttle.ts";
import { loginWindows } from "../users/login-windows.ts";
import { endSession, startSession } from "../users/sessions.ts";
import { recordSignInFailure, upsertSsoUser, verifyLocalLogin } from "../users/sign-in.ts";
import { clientAddress } from "./client-address.ts";
import { isRole } from "./permissions.ts";
import { safeRedirect } from "./safe-redirect.ts";
import { ssoRole } from "./sso-roles.ts";

/** The message for a wrong password and for an unknown user alike. */
export const BAD_LOGIN = "Invalid username or password";
/** The right password for an account whose role was taken away (tessera users set-role NAME none). */
export const NO_ACCESS = "Your account has no access to Tessera";
/** Whatever else went wrong (the detail goes to the log, never to the page). */
export const SIGN_IN_UNAVAILABLE = "Sign-in is not available right now; try again shortly";

/** What a username may contain to be looked up at all (control characters, NUL among them, never reach the database). */
const PLAUSIBLE_USERNAME = /^[^\u0000-\u001f\u007f]{1,200}$/;
export const OIDC_PROVIDER_ID = "oidc";

/** What the login page may show: whether local login is on, and the SSO button's name. */
export function signInOptions() {
  const settings = env();
  return {
    local: settings.TESSERA_LOCAL_LOGIN,
    sso: settings.TESSERA_OIDC_ISSUER ? { id: OIDC_PROVIDER_ID, name: settings.TESSERA_OIDC_NAME } : null,
  };
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
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, request) {
          const username = String(credentials?.username ?? "").trim();
          const password = String(credentials?.password ?? "").slice(0, 1024);
          const headers = new Headers(request?.headers as Record<string, string> | undefined);
          const address = clientAddress(new Request("http://local/", { headers }), settings.TESSERA_TRUST_PROXY);
          const attempt = await beginLoginAttempt(username.slice(0, 200), address, Date.now(), loginWindows()).catch(
            (error: unknown) => {
              // Not expected (a database outage falls back to counting in memory): its text must not reach the page.
              log.error("sign-in throttle failed", error);
              throw new Error(SIGN_IN_UNAVAILABLE);
            },
          );
          if (attempt.blocked)
            throw new Error(
              `Too many failed sign-ins; try again in ${attempt.minutes} minute${attempt.minutes > 1 ? "s" : ""}`,
            );
          if (attempt.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, attempt.delayMs));
          if (!PLAUSIBLE_USERNAME.test(username) || !password) throw new Error(BAD_LOGIN);
          let user: Awaited<ReturnType<typeof verifyLocalLogin>>;
          try {
            user = await verifyLocalLogin(username, password);
          } catch (error) {
            await attempt.abandoned();
            log.error(
              `sign-in failed for a local account (${isDatabaseUnavailable(error) ? "database unavailable" : "unexpected error"})`,
              error,
            );
            throw new Error(SIGN_IN_UNAVAILABLE);
          }
          if (!user) {
            await recordSignInFailure(username, address, "local", "wrong username or password");
            throw new Error(BAD_LOGIN);
          }
          await attempt.succeeded();
          if (!user.role) {
            await recordSignInFailure(username, address, "local", "the account has no role");
            throw new Error(NO_ACCESS);
          }
          return {
            id: user.id,
            name: user.name ?? user.username,
            username: user.username,
            role: user.role,
            generation: user.sessionGeneration,
            address,
          };
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
        return {
          id: String(profile.sub),
          name: typeof profile.name === "string" ? profile.name : undefined,
          email: typeof profile.email === "string" ? profile.email : undefined,
        };
      },
    });
  }

  cached = {
    secret: settings.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: Math.round(settings.TESSERA_SESSION_MAX_AGE_HOURS * 3600) },
    pages: { signIn: "/login", error: "/login" },
    logger: {
      error: (code, metadata) =>
        log.error(`next-auth ${code}`, metadata instanceof Error ? metadata.message : undefined),
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
          if (!role) {
            await recordSignInFailure(String(claims.sub ?? user.id), null, "oidc", "no role from the issuer's claims");
            return "/login?error=AccessDenied";
          }
          const outcome = await upsertSsoUser({
            subject: String(claims.sub ?? user.id),
            email: typeof claims.email === "string" ? claims.email : undefined,
            emailVerified: claims.email_verified === true,
            name: typeof claims.name === "string" ? claims.name : undefined,
            role,
          });
          if (!outcome.ok) {
            log.warn(`SSO sign-in refused: ${outcome.refused}`);
            await recordSignInFailure(String(claims.sub ?? user.id), null, "oidc", "account conflict");
            return "/login?error=AccountConflict";
          }
          const stored = outcome.user;
          Object.assign(user, {
            id: stored.id,
            username: stored.username,
            role: stored.role,
            name: stored.name ?? stored.username,
            generation: stored.sessionGeneration,
          });
          return true;
        } catch (error) {
          log.error("SSO sign-in failed", error);
          return "/login?error=SignInFailed";
        }
      },
      async jwt({ token, user }) {
        if (user) {
          // A sign-in: the session gets its row (lib/users/sessions.ts) and the cookie its id.
          const signedIn = user as {
            id: string;
            username?: string;
            role?: string;
            name?: string | null;
            address?: string;
            generation?: number;
          };
          token.sub = signedIn.id;
          token.username = signedIn.username;
          if (isRole(signedIn.role)) token.role = signedIn.role;
          try {
            token.sid = await startSession(
              signedIn.id,
              signedIn.generation ?? -1,
              Math.round(settings.TESSERA_SESSION_MAX_AGE_HOURS * 3600),
              signedIn.address,
              { username: signedIn.username ?? signedIn.id, method: signedIn.address === undefined ? "oidc" : "local" },
            );
          } catch (error) {
            log.error("sign-in failed: could not record the session", error);
            throw new Error(SIGN_IN_UNAVAILABLE);
          }
        }
        return token;
      },
      async session({ session, token }) {
        session.user = {
          ...session.user,
          id: token.sub,
          sid: token.sid,
          name: token.name ?? undefined,
          username: token.username as string | undefined,
          role: token.role as string | undefined,
        } as typeof session.user;
        return session;
      },
      async redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl);
      },
    },
    events: {
      // Signing out ends the session on the server too, not just the cookie in this browser.
      async signOut({ token }) {
        if (typeof token?.sid === "string") await endSession(token.sid);
      },
    },
  };
  return cached;
}
