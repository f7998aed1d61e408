import { parseArgs } from "node:util";
import { ApiError } from "../../lib/api/errors.ts";
import { isRole, ROLES } from "../../lib/auth/permissions.ts";
import {
  createLocalUser,
  generatePassword,
  setLocalPassword,
  setUserRole,
  signOutUser,
} from "../../lib/users/manage-users.ts";
import { withDatabase } from "./database.ts";

export const USERS_USAGE = `  users create USERNAME --role ROLE    create a local account; prints its generated password once
  users set-password USERNAME          give a local account a new generated password (prints it once); ends its sessions
  users set-role USERNAME ROLE|none    change a user's role; none takes access away and ends the user's sessions
  users sign-out USERNAME              end every session of a user (sign out everywhere)`;

export async function usersCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    const { positionals, values } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { role: { type: "string" } },
    });
    const username = positionals[0];
    const expected = sub === "set-role" ? 2 : 1;
    if (!username || positionals.length !== expected) throw new ApiError("bad_request", `usage:\n${USERS_USAGE}`);
    if (sub === "set-role") {
      const role = positionals[1]!;
      if (role !== "none" && !isRole(role))
        throw new ApiError("bad_request", `ROLE must be one of ${ROLES.join(", ")}, or none`);
      await withDatabase("tessera users set-role", () => setUserRole(username, role === "none" ? null : role));
      console.error(
        role === "none"
          ? `${username} has no access now; their sessions have ended.`
          : `${username} is ${role} now, at once.`,
      );
      return 0;
    }
    if (sub === "sign-out") {
      const { value: ended } = await withDatabase("tessera users sign-out", () => signOutUser(username));
      console.error(`Ended ${ended} session${ended === 1 ? "" : "s"} of ${username}.`);
      return 0;
    }
    const password = generatePassword();
    if (sub === "create") {
      if (!isRole(values.role)) throw new ApiError("bad_request", `--role must be one of ${ROLES.join(", ")}`);
      await withDatabase("tessera users create", () =>
        createLocalUser(username, values.role as (typeof ROLES)[number], password),
      );
    } else if (sub === "set-password") {
      await withDatabase("tessera users set-password", () => setLocalPassword(username, password));
    } else throw new ApiError("bad_request", `unknown subcommand "${sub ?? ""}"\n\n${USERS_USAGE}`);
    console.log(password);
    console.error(
      `Password of ${username} set. It is shown only now.${sub === "set-password" ? " Their sessions have ended." : ""}`,
    );
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
