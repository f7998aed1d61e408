#!/usr/bin/env node
// Run after `npm install` changes package-lock.json.
//
// The npm registry mirror our machines use serves only some platforms'
// prebuilt binaries (e.g. no @next/swc-darwin-arm64), so `npm install` here
// writes a lock without those optional entries, and `npm ci` then refuses the
// lock as out of sync. This adds the missing optional platform packages the
// way a full registry would have recorded them (version, os, cpu, optional):
// npm ci skips them on other platforms without fetching, and a machine of
// that platform fetches them by version from its registry.
import { readFileSync, writeFileSync } from "node:fs";

const file = "package-lock.json";
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const base = name.split("/").pop();
  const os = ["darwin", "win32", "linux", "freebsd", "android", "openbsd", "netbsd", "sunos", "aix"].find((o) =>
    base.includes(`-${o}-`),
  );
  const cpu = ["arm64", "x64", "ia32", "arm", "wasm32", "ppc64", "s390x", "riscv64", "loong64"].find((c) =>
    new RegExp(`-${c}(-|$)`).test(base),
  );
  return { os, cpu };
}

let added = 0;
for (const [where, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${where ? `${where}/` : ""}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`${name}: expected an exact version, got ${version}`);
    const { os, cpu } = platformOf(name);
    if (!cpu) throw new Error(`${name}: cannot tell its platform from its name`);
    packages[`node_modules/${name}`] = { version, optional: true, ...(os ? { os: [os] } : {}), cpu: [cpu] };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} optional platform entr${added === 1 ? "y" : "ies"}`);
