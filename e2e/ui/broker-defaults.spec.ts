import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";

// The Broker tab's broker-wide settings as an admin: the anonymous group (Groups) and the default ACL access (Roles).
test.use({ storageState: E2E.adminState });

const row = (page: Page, name: string) => page.locator(`[data-testid="group-row"][data-groupname="${name}"]`);

test("the anonymous group is marked and can be set; the default ACL access is shown and saved", async ({
  page,
  request,
}, testInfo) => {
  const groupname = `e2e-guests-${Date.now().toString(36)}`;
  await page.goto("/broker/groups");
  await page.getByRole("button", { name: "New group" }).click();
  const dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name").fill(groupname);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(row(page, groupname).getByText("anonymous", { exact: true })).toHaveCount(0);
  await row(page, groupname)
    .getByRole("button", { name: `Make anonymous ${groupname}` })
    .click();
  await page
    .getByRole("dialog", { name: "Make anonymous group" })
    .getByRole("button", { name: "Make anonymous" })
    .click();
  await expect(row(page, groupname).getByText("anonymous", { exact: true })).toBeVisible();
  await expect(row(page, groupname).getByRole("button", { name: `Make anonymous ${groupname}` })).toHaveCount(0);
  const anonymous = await request.get("/api/broker/anonymous-group");
  expect(await anonymous.json()).toEqual({ groupname });
  // No Delete on the anonymous group: Mosquitto 2.0.11 stops when it is deleted (this spec's broker did, through the
  // API). It stays behind as the e2e broker's anonymous group; allow_anonymous is off there.
  await expect(row(page, groupname).getByRole("button")).toHaveText(["Edit", "Members"]);
  await page.screenshot({ path: testInfo.outputPath("broker-anonymous-group.png"), fullPage: true });

  // Default ACL access, under the roles. Allowing subscribe by default is the API's refusal, shown as it says it.
  await page.goto("/broker/roles");
  const panel = page.getByRole("form", { name: "Default ACL access" });
  const subscribe = panel.getByLabel("subscribe", { exact: true });
  await expect(subscribe).not.toBeChecked();
  await subscribe.check();
  await panel.getByRole("button", { name: "Save default access" }).click();
  await expect(panel.getByRole("alert")).toHaveText(
    "Allowing subscribe by default is refused: every client could then reach $CONTROL and the device token topics",
  );
  await subscribe.uncheck();
  // publishClientReceive off, saved, still so after a reload; then as it was.
  const receive = panel.getByLabel("publishClientReceive", { exact: true });
  const before = await receive.isChecked();
  await receive.setChecked(!before);
  await panel.getByRole("button", { name: "Save default access" }).click();
  await expect(panel.getByRole("status")).toHaveText("Saved.");
  await expect(panel.getByRole("alert")).toHaveCount(0);
  const saved = (await (await request.get("/api/broker/default-acl")).json()) as {
    acls: { acltype: string; allow: boolean }[];
  };
  expect(saved.acls.find((acl) => acl.acltype === "publishClientReceive")?.allow).toBe(!before);
  expect(saved.acls.find((acl) => acl.acltype === "subscribe")?.allow).toBe(false);
  await page.reload();
  await expect(receive).toBeChecked({ checked: !before });
  await receive.setChecked(before);
  await panel.getByRole("button", { name: "Save default access" }).click();
  await expect(panel.getByRole("status")).toHaveText("Saved.");
});
