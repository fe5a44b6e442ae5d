CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'sensors' FORMAT JSON (
    sensor_id VARCHAR(16) PATH '$.id', temp DOUBLE PATH '$.reading.temp')
STARTING AT LATEST;
CREATE OR REPLACE STREAM "ALERTS" (sensor_id VARCHAR(16), temp DOUBLE);
CREATE OR REPLACE PUMP "ALERT_PUMP" AS INSERT INTO "ALERTS"
SELECT STREAM sensor_id, temp FROM "SOURCE_SQL_STREAM_001" WHERE temp > 80.0;
CREATE OUTPUT "pager" FOR "ALERTS" TO WEBHOOK 'https://hooks.example.com/alert' FORMAT JSON
WITH (rate_limit = '1/minute', dedup_key = 'sensor_id', dedup_window = INTERVAL '5' MINUTE, retries = 5);
CREATE OUTPUT "script" FOR "ALERTS" TO COMMAND 'logger -t sluice' FORMAT CSV WITH (enabled = TRUE, timeout_seconds = 2.5);
