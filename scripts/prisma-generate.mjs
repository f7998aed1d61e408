// postinstall: generates the Prisma client into lib/generated/prisma.
// `prisma generate` insists on locating a schema-engine binary (it never runs
// it) and otherwise tries to download one, which fails on machines without
// that download host. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing
// file (this script) satisfies it; a value you set yourself is kept.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || fileURLToPath(import.meta.url),
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync(process.execPath, [require.resolve("prisma/build/index.js"), "generate"], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
