// Where a request carries an application token: `Authorization: Bearer <t>`
// (scheme case-insensitive) or `?token=<t>`. Edge-safe; the one place that
// parses them, for middleware.ts and withAuth alike.

export type Credentials =
  | { kind: "none" }
  | { kind: "token"; token: string }
  /** Both header and query carry a token and they differ, or the header is not Bearer. */
  | { kind: "invalid"; reason: string };

export function readCredentials(request: Request): Credentials {
  const header = request.headers.get("authorization");
  let fromHeader: string | undefined;
  if (header !== null) {
    const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      if (/^bearer\b/i.test(header))
        return { kind: "invalid", reason: "Malformed Authorization header: expected Bearer <token>" };
      return { kind: "invalid", reason: "Unsupported Authorization scheme: use Bearer <token>" };
    }
    fromHeader = match[1];
  }
  const fromQuery = new URL(request.url).searchParams.getAll("token");
  if (fromQuery.length > 1) return { kind: "invalid", reason: "More than one token query parameter" };
  const query = fromQuery[0];
  if (fromHeader !== undefined && query !== undefined && fromHeader !== query) {
    return { kind: "invalid", reason: "Different tokens in the Authorization header and the token query parameter" };
  }
  const token = fromHeader ?? query;
  return token === undefined ? { kind: "none" } : { kind: "token", token };
}
