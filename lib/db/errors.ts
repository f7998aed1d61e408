// Recognising database errors by what they mean, whichever engine and layer
// (Prisma, driver adapter, pg) raised them.

const UNAVAILABLE_CODES = new Set([
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "57P01",
  "57P03",
  "53300",
]);
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "DatabaseDoesNotExist",
]);

function chain(error: unknown): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  let current = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    links.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return links;
}

/** True when error means the database cannot be reached or is refusing connections. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return chain(error).some((link) => {
    const code = link.code ?? link.originalCode;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof link.kind === "string" && UNAVAILABLE_KINDS.has(link.kind)) return true;
    const message = typeof link.message === "string" ? link.message : "";
    return /ECONNREFUSED|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|terminating connection|not currently accepting connections|PGlite is closed/i.test(
      message,
    );
  });
}

/** The Prisma error code (P2002, P2025...) of error, if it has one. */
export function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}
