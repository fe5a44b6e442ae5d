-- An alerting continuous query: a host whose average CPU over its last 5 samples is above
-- 80% raises an alert to a webhook. The alert policy of the output (runtime/sink/README.md)
-- keys alerts by host; dedup_quiet suppresses a key seen again within 30 s (each sighting
-- restarts the quiet period, so a flapping host alerts once per episode) and rate_limit caps
-- each host at 2 alerts a minute whatever happens. run.sh points the webhook at its receiver.

CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'cpu-metrics' FORMAT JSON (
    host VARCHAR(16) PATH '$.host',
    cpu  DOUBLE      PATH '$.cpu',
    seq  INTEGER     PATH '$.seq')
STARTING AT TRIM_HORIZON;

-- The sliding average per host.
CREATE OR REPLACE STREAM "CPU_AVG" (host VARCHAR(16), seq INTEGER, cpu DOUBLE, avg_cpu DOUBLE);
CREATE OR REPLACE PUMP "AVG_PUMP" AS INSERT INTO "CPU_AVG"
SELECT STREAM host, seq, cpu, AVG(cpu) OVER W
FROM "SOURCE_SQL_STREAM_001"
WINDOW W AS (PARTITION BY host ROWS 4 PRECEDING);

-- Every sample where it is above the threshold is an alert row.
CREATE OR REPLACE STREAM "CPU_ALERTS" (host VARCHAR(16), seq INTEGER, avg_cpu DOUBLE, message VARCHAR(64));
CREATE OR REPLACE PUMP "ALERT_PUMP" AS INSERT INTO "CPU_ALERTS"
SELECT STREAM host, seq, avg_cpu, 'CPU above 80% on ' || host
FROM "CPU_AVG"
WHERE avg_cpu > 80;

-- Alert rows to the webhook, once per host and episode ...
CREATE OUTPUT "pager" FOR "CPU_ALERTS" TO WEBHOOK 'http://127.0.0.1:8080/alert' FORMAT JSON
WITH (key = 'host', dedup_quiet = '30 seconds', rate_limit = '2 per 1 minute');
-- ... and every alert row to a stream, to compare.
CREATE OUTPUT "all_alert_rows" FOR "CPU_ALERTS" TO STREAM 'cpu-alert-rows' FORMAT JSON;
