// The address of the client that sent a request, for throttling and the
// token's "last used from". Edge-safe.
//
// Next.js keeps a client-sent X-Forwarded-For as it is, so by default it
// cannot be trusted: instead, the server (scripts/server.mjs, with the guard
// from lib/server-startup.ts) stamps every incoming
// request with the TCP peer address in CLIENT_ADDRESS_HEADER, overwriting
// whatever the client sent. Behind a reverse proxy (or on Vercel) set
// TESSERA_TRUST_PROXY=true to use the LAST X-Forwarded-For entry instead:
// the one the proxy in front of Tessera added (nginx's
// $proxy_add_x_forwarded_for, AWS ALB and Traefik append to what the client
// sent, so the first entry is whatever the client chose; Vercel overwrites
// the header with the one address it saw).

export const CLIENT_ADDRESS_HEADER = "x-tessera-client-address";

export function clientAddress(request: Request, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return unmapped(forwarded).slice(0, 64);
  }
  return unmapped(request.headers.get(CLIENT_ADDRESS_HEADER) ?? "").slice(0, 64) || "unknown";
}

/** An IPv4-mapped IPv6 address as its IPv4 address (Node's dual-stack server reports IPv4 peers so). */
const MAPPED = /^(?:::|(?:0{1,4}:){5})ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

function unmapped(address: string): string {
  return MAPPED.exec(address)?.[1] ?? address;
}
