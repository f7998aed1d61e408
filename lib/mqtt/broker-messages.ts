// The broker's 503 sentences, apart from the connection (dynsec.ts) so that
// what only names them (the OpenAPI document, the console's API page) does
// not bring mqtt.js into its bundle (README, Deploying: the token path of a
// Vercel build carries no mqtt.js).

export const BROKER_UNAVAILABLE = "The MQTT broker is unavailable; nothing was changed, try again later";

export const BROKER_SILENT =
  "The MQTT broker did not answer in time; a change may have been made: read it back before you try again";
