import "server-only";
import bcrypt from "bcryptjs";

const COST = 12;
/** Compared against when the user does not exist, so both answers take as long. */
const DUMMY_HASH = bcrypt.hashSync("tessera-dummy-password", COST);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/** Constant-effort check: an unknown user (hash null) costs the same as a wrong password. */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return ok && !!hash;
}
