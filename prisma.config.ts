import { defineConfig } from "prisma/config";

// The Prisma CLI reads this file. Tessera itself never runs the Prisma CLI at
// run time: migrations are applied by the project's offline migrator,
// lib/db/migrate.ts (README, Migrations).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/tessera" },
});
