/** The cookies a response sets, as "name=value" pairs for a Cookie header. */
function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!);
}

/** Signs in with a local account over HTTP the way the login page does (next-auth credentials). */
export async function signIn(
  baseUrl: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookiePairs(csrf).join("; ");
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: `${baseUrl}/tokens` }),
  });
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((cookie) => /next-auth\.session-token=/.test(cookie));
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? new URL(body.url).searchParams.get("error") : null;
  return { session, cookie: session?.split(";")[0], error, status: response.status };
}

/** Signs out the way the console's Sign out button does (next-auth's POST /api/auth/signout with its CSRF token). */
export async function signOut(baseUrl: string, cookie: string) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = [cookie, ...cookiePairs(csrf)].join("; ");
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, json: "true", callbackUrl: `${baseUrl}/login` }),
  });
  return {
    status: response.status,
    cleared: response.headers.getSetCookie().some((c) => /next-auth\.session-token=;/.test(c)),
  };
}
