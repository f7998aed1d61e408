// The e2e suite's Mosquitto: the node:test suites' broker (Debian's
// mosquitto with the dynamic security plugin, a fresh config and admin
// client) on BROKER_PORT with the given admin. Runs until killed.
import { startBroker } from "../tests/helpers/broker.ts";

const broker = await startBroker({
  port: Number(process.env.BROKER_PORT),
  adminUsername: process.env.BROKER_ADMIN_USERNAME,
  adminPassword: process.env.BROKER_ADMIN_PASSWORD,
});
console.log(`e2e broker listening on ${broker.url}`);
const stop = () => void broker.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
