// duck.js - the DuckDB side of the query benchmark (tests/bench/query/run.sh).
//   node duck.js MODULE_DIR EVENTS_JSONL SCENARIO OUT [THREADS]
// Runs one scenario as a batch query over the events gen wrote (JSON lines with "rowtime" in
// epoch ms) and writes every result row as JSON lines to OUT, with its ROWTIME as a
// timestamp, as sluice writes its output.
// JSON parsing is part of the query (read_json), as it is part of sluice's run.
// SCENARIO: filter | tumbling | sliding (the three apps in this folder, as batch SQL), or
// warm (a trivial query, to load everything once before the measured runs).
// Prints "rows=N query_s=S" (S = the query alone, without node's start-up).
'use strict';
const [moddir, events, scenario, out, threads] = process.argv.slice(2);
if (!out) {
  console.error('usage: node duck.js MODULE_DIR EVENTS_JSONL filter|tumbling|sliding OUT [THREADS]');
  process.exit(2);
}
const { DuckDBInstance } = require(moddir + '/node_modules/@duckdb/node-api');

const q = (s) => "'" + s.replace(/'/g, "''") + "'";
const src =
  `read_json(${q(events)}, format = 'newline_delimited', columns = {ticker: 'VARCHAR', ` +
  `price: 'DOUBLE', volume: 'BIGINT', event_time: 'TIMESTAMP', sector: 'VARCHAR', ` +
  `change: 'DOUBLE', rowtime: 'BIGINT'})`;
const queries = {
  // (a) SELECT STREAM ticker, price * volume AS notional FROM source WHERE price > 100
  filter: `SELECT ticker, price * volume AS notional, epoch_ms(rowtime) AS "ROWTIME" FROM ${src} WHERE price > 100`,
  // (b) GROUP BY ticker, STEP(ROWTIME BY INTERVAL '10' SECOND); the row's ROWTIME is the
  // window's end, as sluice gives it.
  tumbling:
    `SELECT ticker, count(*) AS n, avg(price) AS avg_price, min(price) AS min_price, ` +
    `max(price) AS max_price, sum(volume) AS sum_volume, ` +
    `epoch_ms((rowtime // 10000 + 1) * 10000) AS "ROWTIME" FROM ${src} GROUP BY ticker, rowtime // 10000`,
  // (c) AVG(price) OVER (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING)
  // Loads the module and DuckDB once, so the measured runs start warm.
  warm: 'SELECT 1 AS x',
  sliding:
    `SELECT ticker, avg(price) OVER (PARTITION BY ticker ORDER BY rowtime ` +
    `RANGE BETWEEN 10000 PRECEDING AND CURRENT ROW) AS avg_price, epoch_ms(rowtime) AS "ROWTIME" ` +
    `FROM ${src}`,
};
if (!queries[scenario]) {
  console.error(`duck.js: unknown scenario ${scenario}`);
  process.exit(2);
}

(async () => {
  const opts = threads ? { threads: String(threads) } : {};
  const db = await DuckDBInstance.create(':memory:', opts);
  const con = await db.connect();
  const t0 = process.hrtime.bigint();
  const r = await con.runAndReadAll(`COPY (${queries[scenario]}) TO ${q(out)} (FORMAT json)`);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = r.getRows()[0][0];
  console.log(`rows=${rows} query_s=${secs.toFixed(3)}`);
  con.closeSync();
  db.closeSync();
})().catch((e) => {
  console.error(`duck.js: ${e.message}`);
  process.exit(1);
});
