import { EMBEDDED_ON_VERCEL } from "../env.ts";

// What a Vercel build puts in place of PGlite and its Prisma adapter
// (next.config.mjs, turbopack.resolveAlias), so that no function bundle
// carries them: on Vercel the embedded database cannot work (lib/env.ts
// refuses it before anything opens a database), and PGlite alone would add
// tens of megabytes to every function. Should anything reach it anyway, it
// says why instead of failing on a missing file.

class EmbeddedDatabaseNotBuilt {
  constructor() {
    throw new Error(`This build has no embedded database: ${EMBEDDED_ON_VERCEL}`);
  }
}

export const PGlite = EmbeddedDatabaseNotBuilt;
export const PrismaPGlite = EmbeddedDatabaseNotBuilt;
