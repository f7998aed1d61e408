import { forbidden } from "next/navigation";
import { can, ROLES } from "@/lib/auth/permissions.ts";
import { currentSessionUser } from "@/lib/auth/current-session.ts";
import { env } from "@/lib/env.ts";
import { listTokens } from "@/lib/tokens/list-tokens.ts";
import { TokensView } from "./_components/tokens-view.tsx";

export const metadata = { title: "App Tokens · Tessera" };

// GET /tokens - the application tokens view (admin)
export default async function TokensPage() {
  const user = await currentSessionUser();
  if (!user || !can(user.role, "tokens:manage")) forbidden();
  const settings = env();
  if (!settings.TESSERA_APP_TOKENS_ENABLED) {
    return (
      <p className="text-slate-600">
        Application tokens are switched off on this server (TESSERA_APP_TOKENS_ENABLED=false).
      </p>
    );
  }
  return <TokensView initialTokens={await listTokens()} roles={[...ROLES]} maxDays={settings.TESSERA_TOKEN_MAX_DAYS} />;
}
