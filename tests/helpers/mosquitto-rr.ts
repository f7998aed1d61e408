// mosquitto_rr's arguments for a device's token request (the seed's topics),
// shared by the node:test suites and the e2e specs (so: no imports).

export function deviceRequestArgs(options: { port: number; id: string; password: string; waitSeconds: number }) {
  const { port, id, password, waitSeconds } = options;
  return [
    ["-h", "127.0.0.1", "-p", String(port)],
    ["-u", id, "-P", password, "-i", id],
    ["-t", `tessera/${id}/s/uat`, "-e", `tessera/${id}/s/dat`, "-m", ""],
    ["-W", String(waitSeconds)],
  ].flat();
}
