import "server-only";
import { cookies } from "next/headers";
import { cache } from "react";
import { env } from "../env.ts";
import { sessionUser } from "../users/sessions.ts";
import type { SignedInUser } from "../users/sign-in.ts";
import { readSession } from "./session-token.ts";

/**
 * The signed-in user of a page request, with their current role from the
 * database; null when signed out or the session has ended. The cookie is
 * read exactly as the API reads it (lib/auth/session-token.ts), and once per
 * request (React cache): the layouts and the page of one render share the
 * answer.
 */
export const currentSessionUser = cache(async (): Promise<SignedInUser | null> => {
  const settings = env();
  const session = await readSession(await cookies(), settings.NEXTAUTH_SECRET, settings.NEXTAUTH_URL);
  return session ? sessionUser(session.userId, session.sessionId) : null;
});
