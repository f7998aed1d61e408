import { readdirSync } from "node:fs";
import path from "node:path";

/** Every route file under app/api and app/v2, as its URL pattern (/api/tokens/[hash]), sorted. */
export function routeFiles(): string[] {
  return readdirSync("app", { recursive: true })
    .map(String)
    .filter(
      (file) =>
        file.endsWith(`${path.sep}route.ts`) && (file.startsWith(`api${path.sep}`) || file.startsWith(`v2${path.sep}`)),
    )
    .map((file) => `/${path.dirname(file).split(path.sep).join("/")}`)
    .sort();
}
