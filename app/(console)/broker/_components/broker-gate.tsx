import "server-only";
import type { ReactNode } from "react";
import { MESSAGES } from "@/lib/api/error-codes.ts";
import { requirePermission } from "@/lib/auth/require-permission.ts";
import { env } from "@/lib/env.ts";
import type { SignedInUser } from "@/lib/users/sign-in.ts";
import { BROKER_VIEWS, type BrokerViewName } from "./broker-views.ts";

/**
 * A Broker view's page opens with this (as the Tokens views do with openView): the 403 page unless the role may use
 * the view, the login page when signed out; the user, and whether a broker is configured (TESSERA_MQTT_URL).
 */
export async function openBrokerView(name: BrokerViewName): Promise<{ user: SignedInUser; configured: boolean }> {
  const user = await requirePermission(BROKER_VIEWS[name].permission);
  return { user, configured: Boolean(env().TESSERA_MQTT_URL) };
}

/** A Broker view's layout: the same guard above its loading.tsx, so that a refusal is a 403 before anything streams. */
export function brokerViewLayout(name: BrokerViewName) {
  return async function BrokerViewLayout({ children }: { children: ReactNode }) {
    await requirePermission(BROKER_VIEWS[name].permission);
    return children;
  };
}

/** What a Broker view says when the server has no broker: the API's own sentence, which says how to configure one. */
export function NoBroker({ title }: { title?: string }) {
  return (
    <>
      {title ? <h1 className="mb-2 text-2xl font-semibold tracking-tight">{title}</h1> : null}
      <p data-testid="no-broker" className="text-slate-600">
        {`${MESSAGES.brokerNotConfigured}.`}
      </p>
    </>
  );
}
