/** Signs in with a local account over HTTP the way the login page does (next-auth credentials). */
export async function signIn(baseUrl: string, username: string, password: string) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: `${baseUrl}/tokens` }),
  });
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((cookie) => /next-auth\.session-token=/.test(cookie));
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? new URL(body.url).searchParams.get("error") : null;
  return { session, cookie: session?.split(";")[0], error };
}
