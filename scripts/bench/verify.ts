import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { newSigningKey } from "../../lib/embedded/secrets.ts";
import { signAppToken, verifyAppToken } from "../../lib/tokens/app-token.ts";
import type { TokenAlg } from "../../lib/tokens/signing-keys.ts";

/**
 * What one application token costs to sign and to verify, per algorithm, in
 * this process (no server, no database): the figure the HTTP bench (npm run
 * bench, scenario B) hides, because a token that verified once is remembered
 * until its exp (lib/verified-cache.ts) and B sends 1,000 tokens round robin.
 * Each token here is new, so each verification is a real one (jose, Web
 * Crypto), as for the first request of a token on each instance; then the
 * same tokens again, from the cache.
 *
 *   node --import ./scripts/register.mjs scripts/bench/verify.ts [count]
 */
const count = Number(process.argv[2]) || 3000;
const issuer = "tessera";
const hmac = `kbench:${randomBytes(32).toString("base64url")}`;
const signing = JSON.stringify([newSigningKey("EdDSA"), newSigningKey("ES256")]);

async function measure(alg: TokenAlg) {
  const settings = { keys: hmac, signingKeys: signing, alg, issuer };
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  // Warm-up: JIT and the imported keys.
  for (let i = 0; i < 200; i++) {
    const { token } = await signAppToken(settings, { role: "viewer", jti: randomUUID(), iat: now, exp: now + 3600 });
    await verifyAppToken(settings, token);
  }
  let started = performance.now();
  for (let i = 0; i < count; i++) {
    const { token } = await signAppToken(settings, { role: "viewer", jti: randomUUID(), iat: now, exp: now + 3600 });
    tokens.push(token);
  }
  const sign = ((performance.now() - started) * 1000) / count;
  started = performance.now();
  for (const token of tokens) if (!(await verifyAppToken(settings, token))) throw new Error(`${alg}: did not verify`);
  const verify = ((performance.now() - started) * 1000) / count;
  started = performance.now();
  for (const token of tokens) await verifyAppToken(settings, token);
  const cached = ((performance.now() - started) * 1000) / count;
  return { alg, sign, verify, cached, length: tokens[0]!.length };
}

const rows = [];
for (const alg of ["HS256", "EdDSA", "ES256"] as const) rows.push(await measure(alg));
console.log(`${count} tokens per algorithm, Node ${process.version}, one process:\n`);
console.log("| alg | sign µs | verify µs (first time) | verify µs (cached) | token length |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows)
  console.log(
    `| ${row.alg} | ${row.sign.toFixed(0)} | ${row.verify.toFixed(0)} | ${row.cached.toFixed(1)} | ${row.length} |`,
  );
