// Runs once when a server process starts, before it answers any request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkServerEnvironment } = await import("./lib/server-startup.ts");
  await checkServerEnvironment();
}
