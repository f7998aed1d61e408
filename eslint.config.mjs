// ESLint: Next.js's recommended rules (core web vitals, TypeScript) with
// Prettier deciding all formatting (eslint-config-prettier turns the
// stylistic rules off). `npm run lint` runs this and `prettier --check`.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  prettier,
  {
    rules: {
      // A leading underscore marks a value taken apart on purpose to leave it out (`const { token: _token, ...rest }`).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  globalIgnores([
    ".next/**",
    ".next-*/**",
    "lib/generated/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    "bench/results/**",
    ".data/**",
    "next-env.d.ts",
  ]),
]);
