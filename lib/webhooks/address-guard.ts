import "server-only";
import dns from "node:dns";
import net from "node:net";

// Where a webhook may go (SSRF): not to this host, the LAN, link-local
// metadata services (169.254.169.254) or any other non-public address, unless
// TESSERA_WEBHOOK_ALLOW_PRIVATE=true. Checked twice: when an endpoint is
// registered or changed (a clear 400), and at every connection, on the very
// addresses the connection uses (the lookup handed to node:http), so a name
// that resolves to a public address at registration and to 127.0.0.1 later
// (DNS rebinding) is refused too. Redirects are never followed. The ranges
// are IANA's special-purpose registries (RFC 6890 and its updates), in
// node:net's BlockList.

const blocked = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255
] as const)
  blocked.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 96], // IPv4-compatible (deprecated) ::a.b.c.d, with :: and ::1
  ["::ffff:0:0:0", 96], // IPv4-translated (SIIT)
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001::", 23], // IETF protocol assignments (Teredo's 2001::/32 among them)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: carries any IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(network, prefix, "ipv6");

/** The IPv4 address an IPv6 one carries (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d), or null. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** True for any address a webhook may not reach by default (and for anything that is not an IP address). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = net.isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family !== 6) return true;
  const inner = embeddedIpv4(bare);
  return inner !== null ? blocked.check(inner, "ipv4") : blocked.check(bare, "ipv6");
}

export class AddressRefused extends Error {
  override name = "AddressRefused";
  readonly code = "EADDRREFUSED";
}

export const PRIVATE_REFUSAL =
  "must not point to a private, loopback, link-local or otherwise non-public address (set TESSERA_WEBHOOK_ALLOW_PRIVATE=true to allow)";

/** Every address a host name resolves to; an IP literal is itself. */
async function resolveAll(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(bare)) return [bare];
  const found = await dns.promises.lookup(bare, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/**
 * Why a URL may not receive webhooks, or null. Resolves the host: refused when any address it has is
 * non-public (an attacker's name can hold a public and a private one), or when it does not resolve.
 */
export async function urlRefusal(url: URL, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  let addresses: string[];
  try {
    addresses = await resolveAll(url.hostname);
  } catch {
    return `url's host ${url.hostname.slice(0, 100)} does not resolve`;
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) return `url ${PRIVATE_REFUSAL}`;
  return null;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * node:http's `lookup` option: resolves as dns.lookup does and refuses the connection when an address is
 * non-public. node:http skips lookup for an IP literal, so deliver() checks those itself (isPrivateAddress).
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address)))
      return callback(new AddressRefused(`${hostname} resolves to a non-public address`), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
