// Where a browser may be sent after sign-in: only a path on this site. Edge-safe.
//
// Checking that a string "starts with / but not //" is not enough: browsers
// strip tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example"
// is followed to //evil.example, and "\r\n" in a Location header makes the
// response itself fail. The value is parsed the way a browser parses it,
// and anything with control characters or backslashes is refused outright.

const PROBE = "http://tessera.invalid";

/** The request header in which the middleware names the console page asked for (path and query), for the sign-in redirect. */
export const PAGE_PATH_HEADER = "x-tessera-page";

/** A same-site path ("/tokens?x=1"), or fallback when value is anything else. */
export function safeCallbackPath(value: unknown, fallback = "/tokens"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PROBE);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? fallback : path;
}

/** next-auth's redirect callback: a path or an absolute URL on baseUrl's origin, as an absolute URL; baseUrl otherwise. */
export function safeRedirect(url: string, baseUrl: string): string {
  let path: unknown = url;
  if (!url.startsWith("/")) {
    try {
      const absolute = new URL(url);
      path =
        absolute.origin === new URL(baseUrl).origin
          ? `${absolute.pathname}${absolute.search}${absolute.hash}`
          : undefined;
    } catch {
      path = undefined;
    }
  }
  const safe = safeCallbackPath(path, "");
  return safe ? `${baseUrl.replace(/\/$/, "")}${safe}` : baseUrl;
}
