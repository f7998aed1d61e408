#!/usr/bin/env node
// Tessera's command line: `npm run tessera -- <command>`, or `tessera <command>` as a bin.
import "./register.mjs";

await import("./cli/main.ts");
