#!/usr/bin/env node
// npm run bench - see scripts/bench/main.ts.
import "./register.mjs";

await import("./bench/main.ts");
