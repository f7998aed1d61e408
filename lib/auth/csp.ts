// The pages' Content-Security-Policy. Edge-safe. Scripts run only with this
// response's nonce (Next.js puts it on its own scripts; 'strict-dynamic'
// lets them load their chunks), so an injected <script> or inline handler
// does not run; styles only from this origin or with the nonce; no plugins,
// no <base>, no framing, forms post only here. Development adds
// 'unsafe-eval', which React's dev tooling needs.

export function contentSecurityPolicy(development = false): { nonce: string; header: string } {
  const nonce = btoa(crypto.randomUUID());
  const header = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { nonce, header };
}
