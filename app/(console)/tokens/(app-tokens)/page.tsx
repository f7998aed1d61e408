import { ROLES } from "@/lib/auth/permissions.ts";
import { listTokens } from "@/lib/tokens/list-tokens.ts";
import { openView, SwitchedOff } from "../../_components/view-gate.tsx";
import { TokensView } from "./_components/tokens-view.tsx";

export const metadata = { title: "App Tokens · Tessera" };

// GET /tokens - the application tokens view (admin)
export default async function TokensPage() {
  const settings = await openView("tokens");
  if (!settings) return <SwitchedOff view="tokens" />;
  return <TokensView initialTokens={await listTokens()} roles={[...ROLES]} maxDays={settings.TESSERA_TOKEN_MAX_DAYS} />;
}
