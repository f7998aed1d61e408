import { parseArgs } from "node:util";
import { ApiError } from "../../lib/api/errors.ts";
import { isRole, ROLES } from "../../lib/auth/permissions.ts";
import { createLocalUser, generatePassword, setLocalPassword } from "../../lib/users/manage-users.ts";
import { withDatabase } from "./database.ts";

export const USERS_USAGE = `  users create USERNAME --role ROLE    create a local account; prints its generated password once
  users set-password USERNAME          give a local account a new generated password; prints it once`;

export async function usersCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { role: { type: "string" } } });
    const username = positionals[0];
    if (!username || positionals.length !== 1) throw new ApiError("bad_request", `usage:\n${USERS_USAGE}`);
    const password = generatePassword();
    if (sub === "create") {
      if (!isRole(values.role)) throw new ApiError("bad_request", `--role must be one of ${ROLES.join(", ")}`);
      await withDatabase("tessera users create", () => createLocalUser(username, values.role as (typeof ROLES)[number], password));
    } else if (sub === "set-password") {
      await withDatabase("tessera users set-password", () => setLocalPassword(username, password));
    } else throw new ApiError("bad_request", `unknown subcommand "${sub ?? ""}"\n\n${USERS_USAGE}`);
    console.log(password);
    console.error(`Password of ${username} set. It is shown only now.`);
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      console.error(`tessera users: ${error.message}`);
      return error.code === "bad_request" ? 2 : 1;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`tessera users: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
