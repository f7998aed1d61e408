import { databaseIsUp } from "@/lib/db.ts";

export const dynamic = "force-dynamic";

// GET /api/health - 200 {"status":"ok"} when the database answers, 503 otherwise (no auth)
export async function GET() {
  const up = await databaseIsUp();
  return Response.json(
    { status: up ? "ok" : "unavailable" },
    { status: up ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
