import { defineConfig } from "prisma/config";

// The Prisma CLI reads this file. Tessera itself never runs the Prisma CLI at
// run time: migrations are applied by scripts/lib/migrate (see README).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/tessera" },
});
