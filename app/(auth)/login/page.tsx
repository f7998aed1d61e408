import { redirect } from "next/navigation";
import { signInOptions } from "@/lib/auth/auth-options.ts";
import { safeCallbackPath } from "@/lib/auth/safe-redirect.ts";
import { currentSessionUser } from "@/lib/auth/current-session.ts";
import { LoginForm } from "./_components/login-form.tsx";

export const metadata = { title: "Sign in · Tessera" };

// No prototype: ?error=constructor or __proto__ must not find Object's members (the page answered 500).
const ERRORS: Record<string, string> = Object.assign(Object.create(null), {
  AccessDenied: "Your account has no access to Tessera.",
  AccountConflict:
    "This sign-in was refused: its email is already the username of another Tessera account. Ask an administrator.",
  OAuthCallback: "Sign-in with the identity provider failed. Try again.",
  OAuthSignin: "Could not reach the identity provider.",
  SessionRequired: "Please sign in.",
  SignInFailed: "Sign-in failed on the server. Try again later; if it keeps failing, tell an administrator.",
});

// GET /login - local and SSO sign-in
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(Array.isArray(params.callbackUrl) ? params.callbackUrl[0] : params.callbackUrl);
  if (await currentSessionUser()) redirect(callbackUrl);
  const options = signInOptions();
  const error = typeof params.error === "string" ? (ERRORS[params.error] ?? "Sign-in failed. Try again.") : undefined;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to Tessera</h1>
        <p className="mt-1 text-sm text-slate-600">Manage the tokens machines use to reach your APIs.</p>
        <LoginForm callbackUrl={callbackUrl} local={options.local} sso={options.sso} initialError={error} />
      </div>
    </main>
  );
}
