import path from "node:path";
import { env } from "../../lib/env.ts";
import { withDatabase } from "./database.ts";
import { dataDirOf } from "../../lib/embedded/lock.ts";

// tessera migrate - apply pending migrations to the configured database
export async function migrateCommand(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(`tessera migrate: takes no arguments (got ${args.join(" ")})`);
    return 2;
  }
  const current = env();
  const result = await withDatabase("tessera migrate", async () => undefined);
  const where =
    current.engine === "postgres"
      ? "PostgreSQL (DATABASE_URL)"
      : `PGlite in ${path.relative(process.cwd(), dataDirOf(current)) || "."}`;
  console.log(
    result.migrations.applied.length > 0
      ? `Applied ${result.migrations.applied.length} migration(s) to ${where}: ${result.migrations.applied.join(", ")}`
      : `${where} is up to date (${result.migrations.alreadyApplied} migration(s) applied).`,
  );
  return 0;
}
