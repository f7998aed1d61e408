import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { E2E, E2E_PORT } from "./e2e/constants.ts";

// Debian's Chromium when present (Playwright's own browser download needs a
// network this project does not assume); otherwise Playwright's browser.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));
// E2E (e2e/constants.ts) holds this run's ports: E2E_PORT, or free ports chosen once in the runner (e2e/ports.ts).
const { baseURL, oidcPort, brokerPort, brokerAdmin } = E2E;
const port = E2E_PORT;
const dataDir = path.join(os.tmpdir(), `tessera-e2e-${port}`);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-report.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: systemChromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/, use: { ...devices["Desktop Chrome"] } },
    {
      name: "chromium",
      dependencies: ["setup"],
      testIgnore: /auth\.setup\.ts/,
      use: { ...devices["Desktop Chrome"], permissions: ["clipboard-read", "clipboard-write"] },
    },
  ],
  webServer: [
    {
      command: "node e2e/oidc-server.mjs",
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      env: { OIDC_PORT: String(oidcPort), APP_URL: baseURL },
      stdout: "pipe",
    },
    {
      command: "node --import ./scripts/register.mjs e2e/broker.ts",
      port: brokerPort,
      reuseExistingServer: false,
      env: {
        BROKER_PORT: String(brokerPort),
        BROKER_ADMIN_USERNAME: brokerAdmin.username,
        BROKER_ADMIN_PASSWORD: brokerAdmin.password,
      },
      stdout: "pipe",
    },
    {
      // The production build, started the way the README starts it, on a fresh embedded database.
      command: `rm -rf ${JSON.stringify(dataDir)} && node scripts/tessera.mjs start`,
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 180_000,
      env: {
        PORT: String(port),
        TESSERA_DATA_DIR: dataDir,
        DATABASE_URL: "",
        NEXT_TELEMETRY_DISABLED: "1",
        NEXTAUTH_URL: baseURL,
        TESSERA_ADMIN_PASSWORD: E2E.adminPassword,
        TESSERA_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        TESSERA_OIDC_CLIENT_ID: "tessera",
        TESSERA_OIDC_CLIENT_SECRET: "tessera-e2e-secret",
        TESSERA_OIDC_NAME: E2E.ssoName,
        TESSERA_OIDC_ROLE_CLAIM: "groups",
        TESSERA_OIDC_ROLE_MAP:
          "tessera-admins=admin,tessera-editors=editor,tessera-connections=connectionManager,tessera-monitoring=monitoringViewer",
        TESSERA_OIDC_DEFAULT_ROLE: "viewer",
        TESSERA_ADMIN_EMAILS: "dave@example.test,erin@example.test,frank@example.test",
        TESSERA_MQTT_URL: `mqtt://127.0.0.1:${brokerPort}`,
        TESSERA_MQTT_ADMIN_USERNAME: brokerAdmin.username,
        TESSERA_MQTT_ADMIN_PASSWORD: brokerAdmin.password,
        // e2e/ui/webhooks.spec.ts's receiver listens on 127.0.0.1, which is refused by default (SSRF); and its test
        // event should go within a second, not the default 10 s poll.
        TESSERA_WEBHOOK_ALLOW_PRIVATE: "true",
        TESSERA_WEBHOOK_POLL_SECONDS: "1",
      },
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
