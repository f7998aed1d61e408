import "server-only";
import type { ReactNode } from "react";
import { requirePermission } from "@/lib/auth/require-permission.ts";
import { env, type Env } from "@/lib/env.ts";
import { VIEWS, type ViewName } from "./views.ts";

/**
 * A view's page opens with this: the 403 page unless the role may use the view (the login page when signed out), and
 * the settings, or null when the server has the feature off (the page then shows `<SwitchedOff>`).
 */
export async function openView(name: ViewName): Promise<Env | null> {
  await requirePermission(VIEWS[name].permission);
  const settings = env();
  return VIEWS[name].enabled(settings) ? settings : null;
}

/**
 * A view's layout: the same guard, above the view's loading.tsx (which wraps the page, not the layout), so that a
 * refusal is answered 403 before anything streams (lib/auth/require-permission.ts says why the page guards too).
 */
export function viewLayout(name: ViewName) {
  return async function ViewLayout({ children }: { children: ReactNode }) {
    await requirePermission(VIEWS[name].permission);
    return children;
  };
}

/** What a view says when the server has its feature off. */
export function SwitchedOff({ view }: { view: ViewName }) {
  return <p className="text-slate-600">{VIEWS[view].off}</p>;
}
