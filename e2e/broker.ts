// The e2e suite's Mosquitto: the node:test suites' broker (Debian's
// mosquitto with the dynamic security plugin, a fresh config and admin
// client) on BROKER_PORT with the given admin, publishing $SYS every second.
// Runs until killed.
import { startBroker } from "../tests/helpers/broker.ts";

const broker = await startBroker({
  port: Number(process.env.BROKER_PORT),
  adminUsername: process.env.BROKER_ADMIN_USERNAME,
  adminPassword: process.env.BROKER_ADMIN_PASSWORD,
  // $SYS every second, so the console's status panel shows figures at once and they move while a spec runs.
  sysInterval: 1,
});
console.log(`e2e broker listening on ${broker.url}`);
const stop = () => void broker.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
