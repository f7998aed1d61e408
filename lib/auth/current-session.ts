import "server-only";
import { getServerSession } from "next-auth";
import { cache } from "react";
import { sessionUser } from "../users/sessions.ts";
import type { SignedInUser } from "../users/sign-in.ts";
import { authOptions } from "./auth-options.ts";

/**
 * The signed-in user of a page request, with their current role from the
 * database; null when signed out or the session has ended. Once per request
 * (React cache): the layouts and the page of one render share the answer.
 */
export const currentSessionUser = cache(async (): Promise<SignedInUser | null> => {
  const session = await getServerSession(authOptions());
  const { id, sid } = (session?.user ?? {}) as { id?: string; sid?: string };
  return id && sid ? sessionUser(id, sid) : null;
});
