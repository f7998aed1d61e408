import "server-only";
import { getServerSession } from "next-auth";
import { currentUser, type SignedInUser } from "../users/sign-in.ts";
import { authOptions } from "./auth-options.ts";

/** The signed-in user of a page request, with their current role from the database; null when signed out. */
export async function currentSessionUser(): Promise<SignedInUser | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  return id ? currentUser(id) : null;
}
