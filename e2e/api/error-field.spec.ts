import { expect, test, type APIResponse } from "@playwright/test";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

// A refusal names the request field it is about in X-Error-Field (forms put the sentence next to that field); the
// status and the text/plain body stay what they were.

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

async function refusal(response: APIResponse) {
  return {
    status: response.status(),
    type: response.headers()["content-type"],
    body: await response.text(),
    field: response.headers()["x-error-field"],
  };
}

test("POST /api/tokens: the field of a 400 and of a 409, and none when no one field is wrong", async ({ page }) => {
  const post = async (data: unknown) =>
    refusal(await page.request.post("/api/tokens", { headers: { Origin: E2E.baseURL }, data }));
  const text = "text/plain; charset=utf-8";

  expect(await post({ name: "  ", role: "viewer", validUntil: tomorrow() })).toEqual({
    status: 400,
    type: text,
    body: "name must not be empty",
    field: "name",
  });
  expect(await post({ name: unique("past"), role: "viewer", validUntil: "2020-01-01T00:00:00Z" })).toEqual({
    status: 400,
    type: text,
    body: "validUntil must be in the future",
    field: "validUntil",
  });
  expect(await post({ name: unique("role"), role: "root", validUntil: tomorrow() })).toMatchObject({
    status: 400,
    field: "role",
  });

  const name = unique("rt-admin");
  const created = await page.request.post("/api/tokens", {
    headers: { Origin: E2E.baseURL },
    data: { name, role: "viewer", validUntil: tomorrow() },
  });
  expect(created.status()).toBe(200);
  expect(await post({ name, role: "viewer", validUntil: tomorrow() })).toEqual({
    status: 409,
    type: text,
    body: "Token with the same name already exists",
    field: "name",
  });
  // A Cyrillic "а" in place of the Latin "a": a look-alike, refused on the name as well.
  expect(await post({ name: name.replace("a", "\u0430"), role: "viewer", validUntil: tomorrow() })).toEqual({
    status: 409,
    type: text,
    body: `Token name looks like the existing token ${JSON.stringify(name)}; choose another name`,
    field: "name",
  });

  expect(await post({ name: unique("extra"), role: "viewer", validUntil: tomorrow(), extra: 1 })).toEqual({
    status: 400,
    type: text,
    body: "Unknown field: extra",
    field: undefined,
  });
  expect(await post([])).toEqual({ status: 400, type: text, body: "The body must be a JSON object", field: undefined });
});

test("POST /api/devices: a taken id is a 409 about the id", async ({ page }) => {
  const id = unique("e2e-field");
  const register = () => page.request.post("/api/devices", { headers: { Origin: E2E.baseURL }, data: { id } });
  expect((await register()).status()).toBe(200);
  try {
    expect(await refusal(await register())).toEqual({
      status: 409,
      type: "text/plain; charset=utf-8",
      body: "A device with this id is already registered",
      field: "id",
    });
  } finally {
    // The Devices spec expects an empty list: leave no device behind.
    await page.request.delete(`/api/devices/${id}`, { headers: { Origin: E2E.baseURL } });
  }
});
