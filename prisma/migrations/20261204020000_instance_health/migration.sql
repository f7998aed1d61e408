-- What a reader of mqtt_instances needs to judge the cluster's MQTT side
-- without a broker connection of its own (a Vercel function's /api/health,
-- lib/mqtt/cluster-health.ts): each worker's broker connection and responder,
-- written with its heartbeat (lib/mqtt/service.ts). The defaults are the
-- states of a worker that has not said otherwise (a row of an older version,
-- during a rolling upgrade), so such a row never counts as working.
ALTER TABLE "mqtt_instances" ADD COLUMN "broker_state" VARCHAR(16) NOT NULL DEFAULT 'unavailable',
ADD COLUMN "responder_state" VARCHAR(16) NOT NULL DEFAULT 'starting';
