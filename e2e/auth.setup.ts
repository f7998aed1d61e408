import { expect, test as setup } from "@playwright/test";
import { E2E } from "./constants.ts";

// Signs in once with the first local admin (created on first start from TESSERA_ADMIN_PASSWORD) and saves the session.
setup("sign in as the local admin", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(E2E.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/tokens$/);
  await expect(page.getByTestId("signed-in-user")).toContainText("admin");
  await page.context().storageState({ path: E2E.adminState });
});
