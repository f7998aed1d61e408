// The e2e suite's Mosquitto: Debian's broker with the dynamic security
// plugin, a fresh config and admin client, on BROKER_PORT. Runs until killed.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const port = Number(process.env.BROKER_PORT);
const dir = mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-mosquitto-"));
chmodSync(dir, 0o777); // mosquitto started as root drops to its own user
const dynsec = path.join(dir, "dynamic-security.json");
execFileSync(
  "mosquitto_ctrl",
  ["dynsec", "init", dynsec, process.env.BROKER_ADMIN_USERNAME, process.env.BROKER_ADMIN_PASSWORD],
  { stdio: "ignore" },
);
chmodSync(dynsec, 0o666);
const config = path.join(dir, "mosquitto.conf");
writeFileSync(
  config,
  [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous false",
    "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
    `plugin_opt_config_file ${dynsec}`,
    "persistence false",
    "",
  ].join("\n"),
);
const broker = spawn("mosquitto", ["-c", config], { stdio: "inherit" });
const stop = () => broker.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
broker.on("exit", (code) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
