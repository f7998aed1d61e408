import "server-only";
import { getServerSession } from "next-auth";
import { sessionUser } from "../users/sessions.ts";
import type { SignedInUser } from "../users/sign-in.ts";
import { authOptions } from "./auth-options.ts";

/** The signed-in user of a page request, with their current role from the database; null when signed out or the session has ended. */
export async function currentSessionUser(): Promise<SignedInUser | null> {
  const session = await getServerSession(authOptions());
  const { id, sid } = (session?.user ?? {}) as { id?: string; sid?: string };
  return id && sid ? sessionUser(id, sid) : null;
}
