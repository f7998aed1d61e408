import os from "node:os";
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { ApiError } from "../../lib/api/errors.ts";
import { cliActor } from "../../lib/audit/record.ts";
import { createTokenSchema } from "../../lib/schemas/token.ts";
import { createToken } from "../../lib/tokens/create-token.ts";
import { assertTokenHash } from "../../lib/tokens/get-token-or-throw.ts";
import { listTokens } from "../../lib/tokens/list-tokens.ts";
import { revokeToken } from "../../lib/tokens/revoke-token.ts";
import { listCommand, withDatabase } from "./database.ts";

export const TOKENS_USAGE = `  tokens create --name NAME --role ROLE --valid-until ISO [--json]
             sign a new application token and print it (once); --json prints what POST /api/tokens answers
  tokens list [--json]
  tokens revoke HASH`;

function fail(message: string): number {
  console.error(`tessera tokens: ${message}`);
  return 2;
}

/** The same service the REST API calls, with the same validation and the same errors. */
export async function tokensCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === "create") {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: "string" },
          role: { type: "string" },
          "valid-until": { type: "string" },
          json: { type: "boolean" },
        },
      });
      const input = createTokenSchema.parse({
        name: values.name,
        role: values.role,
        validUntil: values["valid-until"],
      });
      const who = cliActor(os.userInfo().username);
      const { value } = await withDatabase("tessera tokens create", () => createToken(who, input));
      if (values.json) console.log(JSON.stringify(value, null, 2));
      else {
        console.log(value.token);
        console.error(
          `Created token "${value.name}" (${value.role}, valid until ${value.validUntil}), hash ${value.hash}. It is shown only now.`,
        );
      }
      return 0;
    }
    if (sub === "list") {
      return listCommand("tessera tokens list", rest, listTokens, "No application tokens.", (tokens) => {
        const rows = tokens.map((t) => [
          t.name,
          t.role,
          // A rotated-out token says so, and until when it still works.
          t.replacedBy && t.status !== "Invalid" ? `Replaced (until ${t.revokeAt})` : t.status,
          t.validUntil,
          t.lastUsed ?? "never",
          t.requestedBy,
          t.hash,
        ]);
        const header = ["NAME", "ROLE", "STATUS", "VALID UNTIL", "LAST USED", "REQUESTED BY", "HASH"];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const row of [header, ...rows])
          console.log(
            row
              .map((cell, i) => cell.padEnd(widths[i]!))
              .join("  ")
              .trimEnd(),
          );
      });
    }
    if (sub === "revoke") {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) return fail("usage: tokens revoke HASH");
      assertTokenHash(positionals[0]!); // a typo deserves a sentence here; the API does nothing, as the seed says
      const { value: deleted } = await withDatabase("tessera tokens revoke", () =>
        revokeToken(positionals[0]!, cliActor(os.userInfo().username)),
      );
      console.log(deleted ? `Revoked ${positionals[0]}.` : `No token with hash ${positionals[0]}; nothing to revoke.`);
      return 0;
    }
    return fail(`unknown subcommand "${sub ?? ""}"\n\n${TOKENS_USAGE}`);
  } catch (error) {
    if (error instanceof ZodError) return fail(error.issues[0]!.message);
    if (error instanceof ApiError) {
      console.error(`tessera tokens: ${error.message}`);
      return 1;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
      return fail(error.message);
    throw error;
  }
}
