import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENT_ADDRESS_HEADER, clientAddress } from "../../lib/auth/client-address.ts";

// The client address of a request (throttle keys, the audit log's "From", a token's last-used addresses). Node's
// dual-stack server reports an IPv4 peer as an IPv4-mapped IPv6 address (::ffff:127.0.0.1: seen in the Audit tab's
// screenshot), while a proxy's X-Forwarded-For names the same client 127.0.0.1: one client, one address.

const request = (headers: Record<string, string>) => new Request("http://tessera.test/api/me", { headers });

test("an IPv4-mapped IPv6 peer is its IPv4 address, from the stamped peer and from the proxy's entry alike", () => {
  for (const mapped of ["::ffff:127.0.0.1", "::FFFF:192.0.2.7", "0:0:0:0:0:ffff:192.0.2.7"]) {
    const ipv4 = mapped.split(":").at(-1)!;
    assert.equal(clientAddress(request({ [CLIENT_ADDRESS_HEADER]: mapped }), false), ipv4, mapped);
    assert.equal(clientAddress(request({ "x-forwarded-for": `203.0.113.9, ${mapped}` }), true), ipv4, mapped);
  }
});

test("other addresses stay as they are; what is not an address is kept, cut to 64 characters", () => {
  for (const address of ["127.0.0.1", "::1", "2001:db8::ffff:1.2.3.4", "::ffff:7f00:1", "fe80::1%eth0", "unknown"])
    assert.equal(clientAddress(request({ [CLIENT_ADDRESS_HEADER]: address }), false), address);
  assert.equal(clientAddress(request({}), false), "unknown");
  assert.equal(clientAddress(request({ "x-forwarded-for": `1.2.3.4, ${"x".repeat(100)}` }), true), "x".repeat(64));
  assert.equal(clientAddress(request({ "x-forwarded-for": "::ffff:1.2.3.4.5" }), true), "::ffff:1.2.3.4.5");
});
