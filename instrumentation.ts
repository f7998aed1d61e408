// Runs once when a server process starts, before it answers any request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkServerEnvironment } = await import("./lib/server-startup.ts");
  await checkServerEnvironment();
  // Expired MQTT credentials are disabled and deleted from the database's state, so a restart resumes the work.
  const { startSweeper } = await import("./lib/mqtt/credentials.ts");
  startSweeper();
  // Devices ask for REST tokens over MQTT; the responder answers them (unless TESSERA_MQTT_RESPONDER=false).
  const { startResponder } = await import("./lib/devices/responder.ts");
  startResponder();
}
