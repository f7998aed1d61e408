// Shared by playwright.config.ts and the specs.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E = {
  baseURL: `http://127.0.0.1:${E2E_PORT}`,
  oidcPort: E2E_PORT + 1,
  brokerPort: E2E_PORT + 2,
  brokerAdmin: { username: "tessera-e2e-admin", password: "e2e-broker-admin-password" },
  adminPassword: "e2e-admin-password-0123",
  ssoName: "Test IdP",
  adminState: "test-results/.auth/admin.json",
};
