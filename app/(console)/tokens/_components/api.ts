// The console calls the same REST API as everyone else, with its session cookie.
export async function callApi<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ ok: true; data: T } | { ok: false; message: string }> {
  try {
    const response = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (response.ok) return { ok: true, data: (await response.json()) as T };
    return { ok: false, message: (await response.text()) || `The server answered ${response.status}` };
  } catch {
    return { ok: false, message: "Could not reach the server. Check your connection and try again." };
  }
}
