// Vercel sets VERCEL=1 in its builds. A Vercel build leaves out what its functions never run (README, Deploying):
// the worker (instrumentation.ts reads TESSERA_BUILD_TARGET, fixed here at build time, so its branch is dead code)
// and the embedded database (on Vercel lib/env.ts refuses to start without DATABASE_URL; PGlite and its adapter are
// replaced by lib/db/no-embedded.ts, so no function bundle carries them). tests/vercel-build.test.ts checks the
// function traces of such a build.
const vercelBuild = process.env.VERCEL === "1";
const NO_EMBEDDED = "./lib/db/no-embedded.ts";

/** @type {import('next').NextConfig} */
const nextConfig = {
  env: { TESSERA_BUILD_TARGET: vercelBuild ? "vercel" : "node" },
  // Where the build goes: .next unless TESSERA_DIST_DIR says otherwise (tests/vercel-build.test.ts builds the Vercel
  // way into a dir of its own beside the .next the other suites serve). Read by `next build` and `next start` alike.
  distDir: process.env.TESSERA_DIST_DIR || ".next",
  // PGlite loads its WebAssembly and data files from its own package folder at
  // run time, so it must stay a plain Node module instead of being bundled.
  // mqtt.js (the broker connection) keeps its sockets and timers in plain Node modules too.
  serverExternalPackages: vercelBuild ? ["mqtt"] : ["@electric-sql/pglite", "pglite-prisma-adapter", "mqtt"],
  turbopack: vercelBuild
    ? { resolveAlias: { "@electric-sql/pglite": NO_EMBEDDED, "pglite-prisma-adapter": NO_EMBEDDED } }
    : {},
  // The type check (17 s of a 40 s build here) belongs to the build CI serves and `npm run typecheck`; the second,
  // Vercel-style build of tests/vercel-build.test.ts (same sources) sets TESSERA_SKIP_TYPECHECK=1 to skip it.
  typescript: { ignoreBuildErrors: process.env.TESSERA_SKIP_TYPECHECK === "1" },
  poweredByHeader: false,
  // authInterrupts: forbidden() (lib/auth/require-permission.ts) answers a console page with a real 403.
  // The middleware's copy of a request body: never more than any route accepts (lib/api/read-body.ts). Where
  // Tessera serves through `tessera start`, larger bodies are refused before this (lib/server-startup.ts).
  experimental: { authInterrupts: true, proxyClientMaxBodySize: 16 * 1024 },
  reactStrictMode: true,
  // The JWKS at its well-known address: the App Router does not route folders whose names start with a dot.
  async rewrites() {
    return [{ source: "/.well-known/jwks.json", destination: "/api/well-known/jwks" }];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
