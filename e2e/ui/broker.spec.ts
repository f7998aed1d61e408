import { expect, test, type Page } from "@playwright/test";
import { brokerAccepts } from "../broker-accepts.ts";
import { E2E } from "../constants.ts";

// The Broker tab as an admin, against the e2e Mosquitto (e2e/broker.ts): a role with an ACL, a client with a
// generated password that really connects, disabled and enabled again, a group with both as members, then all of it
// deleted. Every step is checked in the page and, where it matters, on the broker itself.
test.use({ storageState: E2E.adminState });

const row = (page: Page, kind: "client" | "role" | "group", name: string) =>
  page.locator(`[data-testid="${kind}-row"][data-${kind === "client" ? "username" : `${kind}name`}="${name}"]`);

test("an admin creates a role with an ACL, a client with a generated password, a group, and deletes them", async ({
  page,
}, testInfo) => {
  const id = Date.now().toString(36);
  const [rolename, username, groupname, topic] = [
    `e2e-role-${id}`,
    `e2e-client-${id}`,
    `e2e-group-${id}`,
    `e2e/${id}/#`,
  ];

  // The menu leads to the Broker tab; its tabs are the four views.
  await page.goto("/tokens");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Broker" }).click();
  await expect(page).toHaveURL(/\/broker$/);
  const tabs = page.getByRole("navigation", { name: "Broker views" }).getByRole("link");
  await expect(tabs).toHaveText(["Status", "Clients", "Roles", "Groups"]);

  // A role, then an ACL on it; the form refuses what the API's schema refuses before any request.
  await tabs.filter({ hasText: "Roles" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Broker roles" })).toBeVisible();
  await page.getByRole("button", { name: "New role" }).click();
  let dialog = page.getByRole("dialog", { name: "New role" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByLabel("Role name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText("rolename must not be empty")).toBeVisible();
  await dialog.getByLabel("Role name").fill(rolename);
  await dialog.getByLabel("Text name").fill("Sensors reader");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, "role", rolename)).toContainText("Sensors reader");
  await expect(row(page, "role", rolename)).toContainText("no ACLs");

  await row(page, "role", rolename)
    .getByRole("button", { name: `ACLs ${rolename}` })
    .click();
  dialog = page.getByRole("dialog", { name: `ACLs of ${rolename}` });
  await dialog.getByLabel("ACL type").selectOption("subscribePattern");
  await dialog.getByLabel("Topic").fill(topic);
  await dialog.getByLabel("Priority").fill("1.5");
  await dialog.getByRole("button", { name: "Add ACL" }).click();
  await expect(dialog.getByText("priority must be a whole number")).toBeVisible();
  await dialog.getByLabel("Priority").fill("5");
  await dialog.getByRole("button", { name: "Add ACL" }).click();
  await expect(dialog.getByTestId("acl")).toHaveText([`allow subscribePattern ${topic} priority 5 Remove`]);
  // A second one, a deny, listed first by its higher priority; then removed again.
  await dialog.getByLabel("ACL type").selectOption("publishClientSend");
  await dialog.getByLabel("Topic").fill(`e2e/${id}/secret`);
  await dialog.getByLabel("Priority").fill("9");
  await dialog.getByLabel("Allow (unchecked: deny)").uncheck();
  await dialog.getByRole("button", { name: "Add ACL" }).click();
  await expect(dialog.getByTestId("acl")).toHaveText([
    `deny publishClientSend e2e/${id}/secret priority 9 Remove`,
    `allow subscribePattern ${topic} priority 5 Remove`,
  ]);
  await dialog.getByRole("button", { name: `Remove publishClientSend e2e/${id}/secret` }).click();
  await expect(dialog.getByTestId("acl")).toHaveText([`allow subscribePattern ${topic} priority 5 Remove`]);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(row(page, "role", rolename).getByTestId("acl")).toHaveText([
    `allow subscribePattern ${topic} priority 5`,
  ]);

  // A client with that role and no password: Tessera generates one and shows it once; it connects.
  await tabs.filter({ hasText: "Clients" }).click();
  await page.getByRole("button", { name: "New client" }).click();
  dialog = page.getByRole("dialog", { name: "New client" });
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByLabel("Password").fill("short");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("password must be at least 8 characters")).toBeVisible();
  await expect(dialog.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Password").fill("");
  await dialog.getByRole("group", { name: "Roles" }).getByLabel(rolename).check();
  await dialog.getByRole("button", { name: "Create" }).click();
  const shown = page.getByRole("dialog", { name: "Password generated" });
  await expect(shown.getByText("It will never be shown again.")).toBeVisible();
  const password = (await shown.getByTestId("generated-password").textContent())!;
  expect(password.length).toBeGreaterThanOrEqual(16);
  await page.screenshot({ path: testInfo.outputPath("broker-password-shown-once.png"), fullPage: true });
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(row(page, "client", username)).toContainText(rolename);
  await expect(row(page, "client", username)).toContainText("enabled");
  await expect(page.getByText(password)).toHaveCount(0);
  expect(await brokerAccepts(username, password, username)).toBe(true);

  // The same username again: the server's refusal, shown in the dialog, which stays open.
  await page.getByRole("button", { name: "New client" }).click();
  dialog = page.getByRole("dialog", { name: "New client" });
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("A broker client with this username already exists");
  // A name the schema takes but the API refuses (Tessera's reserved prefix): its sentence, the dialog still open.
  await dialog.getByLabel("Username").fill(`tessera-${id}`);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByRole("alert")).toHaveText(
    "Usernames starting with tessera- are reserved for Tessera's own broker clients",
  );
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Disable (behind a confirmation): the broker refuses the password; enable: it accepts it again.
  await row(page, "client", username)
    .getByRole("button", { name: `Disable ${username}` })
    .click();
  await page.getByRole("dialog", { name: "Disable client" }).getByRole("button", { name: "Disable" }).click();
  await expect(row(page, "client", username)).toContainText("disabled");
  expect(await brokerAccepts(username, password, username)).toBe(false);
  await row(page, "client", username)
    .getByRole("button", { name: `Enable ${username}` })
    .click();
  await expect(row(page, "client", username)).toContainText("enabled");
  expect(await brokerAccepts(username, password, username)).toBe(true);

  // Edit: a text name and a client id the client is then pinned to; the dialog starts from the client as it is.
  await row(page, "client", username)
    .getByRole("button", { name: `Edit ${username}` })
    .click();
  dialog = page.getByRole("dialog", { name: `Edit client ${username}` });
  await expect(dialog.getByRole("group", { name: "Roles" }).getByLabel(rolename)).toBeChecked();
  await dialog.getByLabel("Text name").fill("Kitchen sensor");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, "client", username)).toContainText("Kitchen sensor");
  await expect(row(page, "client", username)).toContainText(rolename);

  // Set password, left empty: a new one generated and shown once; the broker takes it and refuses the old one.
  await row(page, "client", username)
    .getByRole("button", { name: `Set password ${username}` })
    .click();
  await page
    .getByRole("dialog", { name: `Set password of ${username}` })
    .getByRole("button", { name: "Set password" })
    .click();
  await expect(shown.getByText("It will never be shown again.")).toBeVisible();
  const renewed = (await shown.getByTestId("generated-password").textContent())!;
  expect(renewed).not.toBe(password);
  await shown.getByRole("button", { name: "Done" }).click();
  expect(await brokerAccepts(username, renewed, username)).toBe(true);
  expect(await brokerAccepts(username, password, username)).toBe(false);

  // Tessera's own admin client is listed, named as Tessera's, with no actions.
  const admin = row(page, "client", E2E.brokerAdmin.username);
  await expect(admin).toContainText("Managed by Tessera");
  await expect(admin.getByRole("button")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("broker-clients.png"), fullPage: true });

  // A group with the client and the role as members.
  await tabs.filter({ hasText: "Groups" }).click();
  await page.getByRole("button", { name: "New group" }).click();
  dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name").fill(groupname);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(row(page, "group", groupname)).toBeVisible();
  await row(page, "group", groupname)
    .getByRole("button", { name: `Members ${groupname}` })
    .click();
  dialog = page.getByRole("dialog", { name: `Members of ${groupname}` });
  await dialog.getByLabel("Choose from clients").selectOption(username);
  await dialog.getByRole("button", { name: "Add to clients" }).click();
  await expect(dialog.getByRole("list", { name: "Clients" })).toHaveText(`${username}Remove`);
  await dialog.getByLabel("Choose from roles").selectOption(rolename);
  await dialog.getByRole("button", { name: "Add to roles" }).click();
  await expect(dialog.getByRole("list", { name: "Roles" })).toHaveText(`${rolename}Remove`);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(row(page, "group", groupname).getByRole("cell").nth(2)).toHaveText(rolename);
  await expect(row(page, "group", groupname).getByRole("cell").nth(3)).toHaveText(username);
  // And the role out again.
  await row(page, "group", groupname)
    .getByRole("button", { name: `Members ${groupname}` })
    .click();
  await dialog
    .getByRole("list", { name: "Roles" })
    .getByRole("button", { name: `Remove ${rolename}` })
    .click();
  await expect(dialog.getByRole("list", { name: "Roles" }).getByRole("listitem")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(row(page, "group", groupname).getByRole("cell").nth(2)).toHaveText("–");
  await page.screenshot({ path: testInfo.outputPath("broker-groups.png"), fullPage: true });

  // Delete the group, the client (it can no longer connect) and the role; a reload shows none of them.
  await row(page, "group", groupname)
    .getByRole("button", { name: `Delete ${groupname}` })
    .click();
  await page.getByRole("dialog", { name: "Delete group" }).getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "group", groupname)).toHaveCount(0);
  await tabs.filter({ hasText: "Clients" }).click();
  await row(page, "client", username)
    .getByRole("button", { name: `Delete ${username}` })
    .click();
  await page.getByRole("dialog", { name: "Delete client" }).getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "client", username)).toHaveCount(0);
  expect(await brokerAccepts(username, renewed, username)).toBe(false);
  await tabs.filter({ hasText: "Roles" }).click();
  await row(page, "role", rolename)
    .getByRole("button", { name: `Delete ${rolename}` })
    .click();
  await page.getByRole("dialog", { name: "Delete role" }).getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "role", rolename)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Broker roles" })).toBeVisible();
  await expect(page.locator('[data-testid="role-row"]').first()).toBeVisible();
  await expect(row(page, "role", rolename)).toHaveCount(0);
});

test("an MQTT credential's broker client is shown as MQTT credentials' and offers no actions", async ({
  page,
  request,
}) => {
  const minted = await request.post("/api/mqtt/tokens", {
    data: { user_email: `e2e-broker-${Date.now().toString(36)}@example.com` },
    headers: { Origin: E2E.baseURL },
  });
  expect(minted.status()).toBe(200);
  const { mqtt_credentials } = (await minted.json()) as { mqtt_credentials: { username: string } };
  await page.goto("/broker/clients");
  const owned = row(page, "client", mqtt_credentials.username);
  await expect(owned).toContainText("Managed by MQTT credentials");
  await expect(owned.getByRole("button")).toHaveCount(0);
});
