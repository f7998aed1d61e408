import { after, before, describe, test } from "node:test";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";

// The server process (scripts/server.mjs) stamps each request with its TCP
// peer address before Next.js sees it; the throttles and "last used from"
// read only that stamp. A client that sends the stamp's header itself, or
// X-Forwarded-For without TESSERA_TRUST_PROXY, must not choose its address:
// here every bad token claims another address, and all of them still count
// against the one they came from.

const report = securityReport(import.meta.filename);
let tessera: Instance;

before(async () => {
  tessera = await createInstance({ TESSERA_AUTH_FAILURES_PER_MINUTE: "3" });
});
after(async () => {
  await tessera?.close();
});

describe("client address", () => {
  test("a client-sent address header never changes whose failures count", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const forged = { "x-tessera-client-address": `198.51.100.${i}`, "x-forwarded-for": `203.0.113.${i}` };
      statuses.push((await call(`${tessera.url}/api/me`, { token: `forged.${i}`, headers: forged })).status);
    }
    report.check(
      "Transport",
      "5 bad tokens, each claiming another address (x-tessera-client-address, X-Forwarded-For)",
      "403 403 403 429 429",
      statuses.join(" "),
    );
    const valid = await call(`${tessera.url}/api/me`, { token: tessera.adminToken });
    report.check("Transport", "a valid token from that address meanwhile", "200", String(valid.status));
  });
});
