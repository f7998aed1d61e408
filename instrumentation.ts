// Runs once when a server process starts, before it answers any request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkServerEnvironment } = await import("./lib/server-startup.ts");
  await checkServerEnvironment();
  // The MQTT side (lib/mqtt/service.ts): the device token responder, and the reconcile, exact expiry and sweep
  // while this process leads the cluster. Not awaited: a broker or database outage must not keep the server from serving.
  const { startMqttService } = await import("./lib/mqtt/service.ts");
  startMqttService().catch((error: unknown) =>
    console.error("[tessera] error: the MQTT service failed to start", error),
  );
}
