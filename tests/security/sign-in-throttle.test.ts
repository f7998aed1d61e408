import { after, before, describe, test } from "node:test";
import { createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";
import { signIn } from "../helpers/session.ts";
import { GLOBAL_FREE_FAILURES, MAX_FAILURES, SLOWDOWN_STEP_MS } from "../../lib/users/login-throttle.ts";

// Issue 14 (security round two): the sign-in throttle, behind a proxy so
// that each case can speak from addresses of its own.

const report = securityReport(import.meta.filename);
const ADMIN_PASSWORD = "admin-password-for-sessions-0123";

describe("the sign-in throttle", () => {
  let proxied: Instance;
  before(async () => {
    proxied = await createInstance({ TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD, TESSERA_TRUST_PROXY: "true" });
  });
  after(async () => {
    await proxied?.close();
  });
  const from = (address: string) => ({ "x-forwarded-for": address });

  test("wrong passwords from one address do not lock the owner out from another", async () => {
    const answers: string[] = [];
    for (let i = 0; i <= MAX_FAILURES; i++)
      answers.push(String((await signIn(proxied.url, "admin", `wrong-${i}`, from("203.0.113.9"))).error));
    report.check(
      "Sign-in throttle",
      `${MAX_FAILURES + 1} wrong passwords for admin from one address: the last answer`,
      "Too many failed sign-ins; try again in 15 minutes",
      answers.at(-1)!,
    );
    const right = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("203.0.113.9"));
    report.check(
      "Sign-in throttle",
      "the right password from that address",
      "Too many failed sign-ins; try again in 15 minutes",
      String(right.error),
    );
    const owner = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("198.51.100.7"));
    report.check(
      "Sign-in throttle",
      "the owner from another address",
      "signed in",
      owner.cookie ? "signed in" : String(owner.error),
    );
  });

  test("behind a proxy, the address is the entry the proxy added, not one the client chose", async () => {
    const answers: string[] = [];
    for (let i = 0; i <= MAX_FAILURES; i++) {
      // nginx's $proxy_add_x_forwarded_for appends the peer address to whatever the client sent.
      answers.push(
        String(
          (await signIn(proxied.url, "admin", `wrong-${i}`, { "x-forwarded-for": `10.9.${i}.1, 203.0.113.77` })).error,
        ),
      );
    }
    report.check(
      "Sign-in throttle",
      `${MAX_FAILURES + 1} wrong passwords, a new spoofed first X-Forwarded-For entry each time: the last answer`,
      "Too many failed sign-ins; try again in 15 minutes",
      answers.at(-1)!,
    );
  });

  test("a burst of concurrent attempts gets exactly the limit's password checks", async () => {
    const username = `burst-${process.pid}`;
    const results = await Promise.all(
      Array.from({ length: 3 * MAX_FAILURES }, () =>
        signIn(proxied.url, username, "wrong-password", from("203.0.113.50")),
      ),
    );
    const checked = results.filter((result) => result.error === "Invalid username or password").length;
    report.check(
      "Sign-in throttle",
      `${3 * MAX_FAILURES} concurrent wrong attempts from one address: answered "Invalid username or password"`,
      String(MAX_FAILURES),
      String(checked),
    );
  });

  test("many addresses against one username slow it down, but never lock the owner out", async () => {
    const spread = GLOBAL_FREE_FAILURES + 4;
    for (let i = 0; i < spread; i++) await signIn(proxied.url, "admin", `spray-${i}`, from(`192.0.2.${i + 1}`));
    const started = Date.now();
    const owner = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("198.51.100.8"));
    const took = Date.now() - started;
    report.check(
      "Sign-in throttle",
      `owner after ${spread} failures from ${spread} addresses`,
      "signed in",
      owner.cookie ? "signed in" : String(owner.error),
    );
    const slowest = (spread - GLOBAL_FREE_FAILURES + 1) * SLOWDOWN_STEP_MS;
    report.note(
      "Sign-in throttle",
      "the owner's sign-in was slowed down",
      `>= ${slowest} ms`,
      `${took} ms`,
      took >= slowest,
    );
  });
});
