import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engine } from "../helpers/database.ts";
import { inProcessDatabase } from "../helpers/in-process-database.ts";

// One contract for a token's answer: GET /api/tokens/{hash} and POST parse the
// row through the response schema, while the list's SQL writes the JSON
// itself. These must agree byte for byte, including for names that JSON must
// escape, a token never used, one used, and one expired; and nothing but the
// schema's fields may leave, whatever the row holds.

await inProcessDatabase("contract");
const { db } = await import("../../lib/db.ts");
const { createToken } = await import("../../lib/tokens/create-token.ts");
const { getTokenOrThrow } = await import("../../lib/tokens/get-token-or-throw.ts");
const { tokenListJson } = await import("../../lib/tokens/token-list-cache.ts");
const { toTokenResponse } = await import("../../lib/tokens/token-response.ts");

describe(`token response contract on ${engine}`, () => {
  test("the list's SQL writes exactly what the response schema makes of each row", async () => {
    const inOneDay = new Date(Date.now() + 86_400_000);
    const created = [];
    for (const name of ['quote " and \\ back', "ünïcödé ✓ 🚀 </script>"]) {
      created.push(
        await createToken({ label: "contract <test>", via: "cli" }, { name, role: "viewer", validUntil: inOneDay }),
      );
    }
    // One used, one expired (written directly: createToken refuses the past).
    await db().applicationToken.update({
      where: { hash: created[0]!.hash },
      data: { lastUsed: new Date("2026-01-02T03:04:05.678Z"), lastUsedFrom: "192.0.2.1" },
    });
    await db().applicationToken.update({
      where: { hash: created[1]!.hash },
      data: { validUntil: new Date(Date.now() - 1000) },
    });

    const list = new TextDecoder().decode(await tokenListJson());
    const one = await Promise.all(created.map((token) => getTokenOrThrow(token.hash)));
    assert.equal(list, JSON.stringify(one));
    assert.deepEqual(
      one.map((token) => [token.status, token.lastUsed]),
      [
        ["Valid", "2026-01-02T03:04:05.678Z"],
        ["Invalid", null],
      ],
    );
  });

  test("nothing of the row leaves but the schema's fields", () => {
    const row = {
      name: "n",
      hash: "a".repeat(64),
      validUntil: new Date("2030-01-01T00:00:00Z"),
      role: "admin" as const,
      requestedBy: "someone",
      issueDate: new Date("2029-01-01T00:00:00Z"),
      lastUsed: null,
      disabledAt: null,
      revokeAt: null,
      replacedBy: null,
      // Columns a full row carries that must never be answered:
      kid: "k1",
      jti: "6b0d7a8e-5b7e-4c3a-9a53-0f4f0f7f8f9f",
      nameSkeleton: "n",
      lastUsedFrom: "198.51.100.7",
      deviceId: "dev-1",
    };
    assert.deepEqual(Object.keys(toTokenResponse(row, Date.parse("2029-06-01T00:00:00Z"))), [
      "name",
      "hash",
      "validUntil",
      "role",
      "requestedBy",
      "issueDate",
      "lastUsed",
      "status",
      "replacedBy",
      "revokeAt",
    ]);
  });
});
