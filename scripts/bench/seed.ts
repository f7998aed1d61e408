import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";

// The bench's data, written before the server starts (the embedded database
// is one process's): SEED tokens in all, of which IN_USE are real tokens the
// load sends (B draws from them, and they are in use while E reads the list),
// the admin and a revoked token, and IN_USE console sessions of the local
// admin with their cookies, made as a sign-in makes them (a row in
// user_sessions, next-auth's own encode), so C draws from IN_USE sessions
// without IN_USE bcrypt checks.

export interface BenchData {
  admin: string;
  revoked: string;
  inUse: string[];
  cookies: string[];
}

export async function seed(options: {
  total: number;
  inUse: number;
  adminPassword: string;
  secret: string;
  validUntil: Date;
  log: (line: string) => void;
}): Promise<BenchData> {
  const { withDatabase } = await import("../cli/database.ts");
  const { db } = await import("../../lib/db.ts");
  const { createToken } = await import("../../lib/tokens/create-token.ts");
  const { nameSkeleton } = await import("../../lib/tokens/name-skeleton.ts");
  const { revokeToken } = await import("../../lib/tokens/revoke-token.ts");
  const { ROLES } = await import("../../lib/auth/permissions.ts");
  const BENCH = { label: "bench", via: "cli", address: null } as const;
  const { ensureFirstAdmin } = await import("../../lib/users/manage-users.ts");
  const { startSession } = await import("../../lib/users/sessions.ts");
  const { validUntil } = options;
  const plain = Math.max(0, options.total - options.inUse);
  const { value } = await withDatabase("bench seed", async () => {
    for (let start = 0; start < plain; start += 1000) {
      await db().applicationToken.createMany({
        data: Array.from({ length: Math.min(1000, plain - start) }, (_, i) => ({
          hash: randomBytes(32).toString("hex"),
          name: `seed-${start + i}`,
          nameSkeleton: nameSkeleton(`seed-${start + i}`),
          role: ROLES[(start + i) % ROLES.length]!,
          kid: "bench",
          jti: randomUUID(),
          requestedBy: "bench",
          validUntil,
        })),
      });
    }
    options.log(`${plain} tokens written; minting ${options.inUse} tokens to use`);
    const inUse: string[] = [];
    for (let i = 0; i < options.inUse; i++) {
      const role = ROLES[i % ROLES.length]!;
      inUse.push((await createToken(BENCH, { name: `bench-use-${i}`, role, validUntil })).token);
    }
    const admin = await createToken(BENCH, { name: "bench-admin", role: "admin", validUntil });
    const revoked = await createToken(BENCH, { name: "bench-revoked", role: "admin", validUntil });
    await revokeToken(revoked.hash, BENCH);

    await ensureFirstAdmin(options.adminPassword);
    const user = await db().user.findFirstOrThrow({ where: { username: "admin", provider: "local" } });
    const maxAge = 8 * 3600;
    const cookies: string[] = [];
    for (let i = 0; i < options.inUse; i++) {
      const sid = await startSession(user.id, user.sessionGeneration, maxAge, "192.0.2.1", {
        username: user.username,
        method: "local",
      });
      const token = { sub: user.id, sid, username: user.username, role: user.role ?? undefined };
      cookies.push(`next-auth.session-token=${await encode({ token, secret: options.secret, maxAge })}`);
    }
    return { admin: admin.token, revoked: revoked.token, inUse, cookies };
  });
  return value;
}
