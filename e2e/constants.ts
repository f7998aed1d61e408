import { chooseE2ePorts } from "./ports.ts";

// Shared by playwright.config.ts and the specs. The ports: e2e/ports.ts.
chooseE2ePorts();
export const E2E_PORT = Number(process.env.E2E_PORT);
export const E2E = {
  baseURL: `http://127.0.0.1:${E2E_PORT}`,
  oidcPort: Number(process.env.E2E_OIDC_PORT),
  brokerPort: Number(process.env.E2E_BROKER_PORT),
  brokerAdmin: { username: "tessera-e2e-admin", password: "e2e-broker-admin-password" },
  adminPassword: "e2e-admin-password-0123",
  ssoName: "Test IdP",
  adminState: "test-results/.auth/admin.json",
};
