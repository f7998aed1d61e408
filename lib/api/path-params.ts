import { textResponse } from "./errors.ts";

// Edge-safe. Next.js decodes each dynamic route segment with
// decodeURIComponent while matching the route, before any handler or
// withAuth runs, and answers an undecodable one (a lone "%", "%C0%AF", a cut
// "%E0%A4%A") with a bare 500. The middleware asks this first instead.

export const MALFORMED_PATH = "Malformed path: it is not valid percent-encoded UTF-8";

/** A 400 with a sentence when pathname (still percent-encoded, as in request.nextUrl) does not decode; null when it does. */
export function badPathEncoding(pathname: string): Response | null {
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    return textResponse(400, MALFORMED_PATH);
  }
}
