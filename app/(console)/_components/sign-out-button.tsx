"use client";

import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button.tsx";

/**
 * Ends the session (on the server too: lib/auth/auth-options.ts, events) and
 * goes to /login on the address in use: next-auth's own redirect would go to
 * NEXTAUTH_URL's host, another machine for someone who opened the console at
 * a LAN address.
 */
export async function signOutHere() {
  await signOut({ redirect: false });
  // A full load, not router.push: nothing of the signed-in client state (router cache, React state) survives.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/login");
}

export function SignOutButton() {
  return (
    <Button variant="ghost" onClick={signOutHere}>
      Sign out
    </Button>
  );
}
