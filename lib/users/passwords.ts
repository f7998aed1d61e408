import "server-only";
import bcrypt from "bcryptjs";

const COST = 12;
/**
 * Compared against when the user does not exist, so both answers take as long: a bcrypt hash at COST of random
 * bytes nobody kept. A literal, not hashed at import: that was 1.1 s of CPU that every CLI command and every
 * `tessera start` paid (measured with --cpu-prof), though almost none checks a password. Whatever it matches,
 * an unknown user's answer is false.
 */
const DUMMY_HASH = "$2b$12$b3U9ttJ5aKJr5zw2KQd.tOkcCen8qWblGYZ7CKvuNQN2WjAqXEG7i";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/** Constant-effort check: an unknown user (hash null) costs the same as a wrong password. */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return ok && !!hash;
}
