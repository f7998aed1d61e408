import "server-only";
import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import type { SignedInUser } from "../users/sign-in.ts";
import { currentSessionUser } from "./current-session.ts";
import { can, type Permission } from "./permissions.ts";
import { PAGE_PATH_HEADER, safeCallbackPath } from "./safe-redirect.ts";

// The console's one page guard. Signed out (or a session that has ended
// since its cookie was issued): to the login page, which brings the user back
// here. Signed in without the permission: the 403 page (app/forbidden.tsx).
//
// A guard that must decide the status has to run outside every Suspense
// boundary: a loading.tsx wraps its segment's page, so a page under one has
// already streamed a 200 when it calls forbidden(). A guarded view therefore
// calls it in its layout (above its loading.tsx) and again in its page,
// because Next.js renders a layout and its page in parallel and the page's
// data must not be read for a caller the layout refuses.

/** The signed-in user of this request, or a redirect to the login page. */
export async function requireUser(): Promise<SignedInUser> {
  const user = await currentSessionUser();
  if (user) return user;
  // The middleware names the page (a header it sets itself); a client's own value of it is overwritten there.
  const callbackUrl = safeCallbackPath((await headers()).get(PAGE_PATH_HEADER));
  redirect(`/login?${new URLSearchParams({ callbackUrl })}`);
}

/** The signed-in user if their current role has `permission`; the login page or the 403 page otherwise. */
export async function requirePermission(permission: Permission): Promise<SignedInUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) forbidden();
  return user;
}
