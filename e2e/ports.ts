import { execFileSync } from "node:child_process";

// The e2e suite's three ports (app, OIDC provider, broker), chosen once per
// run. playwright.config.ts and e2e/constants.ts are evaluated in the runner
// and again in every worker process, so the first evaluation (the runner's)
// writes its choice into process.env, which the web servers and the workers
// inherit; every later evaluation finds it there. E2E_PORT set by hand pins
// the app there with the OIDC provider on +1 and the broker on +2 (or on
// E2E_OIDC_PORT and E2E_BROKER_PORT); unset, all three are free ports.

/** Three ports free on loopback right now, found by a child process (config evaluation is synchronous). */
function freePorts(count: number): number[] {
  const script = `
    const net = require("node:net");
    const servers = Array.from({ length: ${count} }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((ok, fail) => s.once("error", fail).listen(0, "127.0.0.1", ok)))).then(() => {
      process.stdout.write(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    });`;
  return execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim().split(" ").map(Number);
}

export function chooseE2ePorts(): void {
  if (!process.env.E2E_PORT) {
    const [app, oidc, broker] = freePorts(3);
    Object.assign(process.env, { E2E_PORT: String(app), E2E_OIDC_PORT: String(oidc), E2E_BROKER_PORT: String(broker) });
  }
  const app = Number(process.env.E2E_PORT);
  process.env.E2E_OIDC_PORT ??= String(app + 1);
  process.env.E2E_BROKER_PORT ??= String(app + 2);
}
