/** @type {import('next').NextConfig} */
const nextConfig = {
  // Where the build goes: .next unless TESSERA_DIST_DIR says otherwise (tests/vercel-build.test.ts builds the Vercel
  // way into a dir of its own beside the .next the other suites serve). Read by `next build` and `next start` alike.
  distDir: process.env.TESSERA_DIST_DIR || ".next",
  // PGlite loads its WebAssembly and data files from its own package folder at
  // run time, so it must stay a plain Node module instead of being bundled.
  // mqtt.js (the broker connection) keeps its sockets and timers in plain Node modules too.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "mqtt"],
  poweredByHeader: false,
  // authInterrupts: forbidden() (lib/auth/require-permission.ts) answers a console page with a real 403.
  // The middleware's copy of a request body: never more than any route accepts (lib/api/read-body.ts). Where
  // Tessera serves through `tessera start`, larger bodies are refused before this (lib/server-startup.ts).
  experimental: { authInterrupts: true, proxyClientMaxBodySize: 16 * 1024 },
  reactStrictMode: true,
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
