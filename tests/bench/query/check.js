// check.js - compares sluice's output with DuckDB's for one scenario of the query benchmark.
//   node check.js filter|tumbling|sliding SLUICE_OUT DUCK_OUT
// Both files hold JSON lines. Columns are taken by position (a ROWTIME field, whatever its
// case, is set aside), so the check does not depend on how sluice names its output columns.
// Every scenario: the same row count and rows per ticker; then
//   filter    the sum of notional (relative 1e-9)
//   tumbling  every (ticker, window): COUNT and SUM exact, AVG/MIN/MAX within 1e-9. Windows
//             are matched by ROWTIME (= window end) when sluice prints it, else per ticker
//             in emission order
//   sliding   the same rows per (ticker, ROWTIME) and the same average for each (see
//             sliding() for rows with equal ROWTIMEs); without ROWTIMEs the sum of averages
// Prints one line "ok: ..." or "MISMATCH: ..." and exits 0 / 1.
'use strict';
const fs = require('fs');
const [scenario, sluiceOut, duckOut] = process.argv.slice(2);

// Each line as { rt: ms or undefined, v: [values by position] }.
function load(path) {
  const text = fs.readFileSync(path, 'utf8');
  const rows = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const o = JSON.parse(text.slice(start, end));
      const row = { rt: undefined, v: [] };
      for (const [k, val] of Object.entries(o)) {
        if (k.toLowerCase() === 'rowtime') row.rt = toMs(val);
        else row.v.push(val);
      }
      rows.push(row);
    }
    start = end + 1;
  }
  return rows;
}

function toMs(v) {
  if (typeof v === 'number') return v < 1e11 ? Math.round(v * 1000) : v;
  const t = Date.parse(String(v).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z'));
  return Number.isNaN(t) ? undefined : t;
}

const num = (x) => (typeof x === 'string' ? Number(x) : x);
const close = (a, b, rel) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

function perTicker(rows) {
  const m = new Map();
  for (const r of rows) m.set(r.v[0], (m.get(r.v[0]) || 0) + 1);
  return m;
}

function sameCounts(s, d) {
  if (s.length !== d.length) return `rows: sluice ${s.length}, duckdb ${d.length}`;
  const a = perTicker(s), b = perTicker(d);
  for (const [k, n] of b) if (a.get(k) !== n) return `ticker ${k}: sluice ${a.get(k) || 0} rows, duckdb ${n}`;
  if (a.size !== b.size) return `tickers: sluice ${a.size}, duckdb ${b.size}`;
  return null;
}

function sumCol(rows, i) {
  let s = 0;
  for (const r of rows) s += num(r.v[i]);
  return s;
}

const key = (t, ms) => t + '\u0000' + ms;

// tumbling: every (ticker, window end) of DuckDB's [ticker, n, avg, min, max, sum].
function tumbling(s, d) {
  const byRt = s.every((r) => r.rt !== undefined);
  if (!byRt) { // align per ticker in time order
    const seq = new Map();
    for (const r of [...d].sort((x, y) => x.rt - y.rt)) {
      if (!seq.has(r.v[0])) seq.set(r.v[0], []);
      seq.get(r.v[0]).push(r.rt);
    }
    const idx = new Map();
    for (const r of s) {
      const i = idx.get(r.v[0]) || 0;
      idx.set(r.v[0], i + 1);
      r.rt = seq.get(r.v[0])[i];
    }
  }
  const want = new Map();
  for (const r of d) want.set(key(r.v[0], r.rt), r);
  for (const r of s) {
    const w = want.get(key(r.v[0], r.rt));
    if (!w) {
      const hint = want.has(key(r.v[0], r.rt + 10000)) ? ' (one starts then: is ROWTIME the window start? KDA gives the end)' : '';
      return [false, `sluice row for ${r.v[0]} at ROWTIME ${r.rt} has no DuckDB window ending then${hint}`];
    }
    const [n, avg, mn, mx, sum] = r.v.slice(1, 6).map(num);
    const [wn, wavg, wmn, wmx, wsum] = w.v.slice(1, 6).map(num);
    if (n !== wn || sum !== wsum || !close(avg, wavg, 1e-9) || !close(mn, wmn, 1e-9) || !close(mx, wmx, 1e-9))
      return [false, `${r.v[0]} window ending ${new Date(r.rt).toISOString()}: sluice ` +
        `[${r.v.slice(1, 6)}], duckdb [${w.v.slice(1, 6)}]`];
  }
  return [true, `${s.length} windows, COUNT/AVG/MIN/MAX/SUM equal` +
    (byRt ? ' (matched by ROWTIME = window end)' : ' (matched by order: no ROWTIME in sluice output)')];
}

// sliding: DuckDB's RANGE frame gives every row of a (ticker, ROWTIME) the average over all
// of them (peers), a streaming engine gives each row the average up to itself; so the last
// sluice row of each (ticker, ROWTIME) must equal DuckDB's value for it.
function sliding(s, d) {
  if (!s.every((r) => r.rt !== undefined)) {
    const a = sumCol(s, 1), b = sumCol(d, 1);
    if (!close(a, b, 1e-6)) return [false, `sum of averages: sluice ${a}, duckdb ${b}`];
    return [true, `${s.length} rows, per-ticker counts equal, sum of averages equal to 1e-6 (no ROWTIME in sluice output)`];
  }
  const last = new Map(), cnt = new Map();
  for (const r of s) {
    const k = key(r.v[0], r.rt);
    last.set(k, num(r.v[1]));
    cnt.set(k, (cnt.get(k) || 0) + 1);
  }
  for (const r of d) {
    const k = key(r.v[0], r.rt);
    const c = cnt.get(k);
    if (!c) return [false, `no sluice row for ${r.v[0]} at ROWTIME ${r.rt}`];
    if (c === 1) cnt.delete(k); else cnt.set(k, c - 1);
    if (!close(last.get(k), num(r.v[1]), 1e-9))
      return [false, `${r.v[0]} at ${new Date(r.rt).toISOString()}: sluice ${last.get(k)}, duckdb ${r.v[1]}`];
  }
  return [true, `${s.length} rows, the same rows per (ticker, ROWTIME), averages equal (${last.size} groups)`];
}

function main() {
  const s = load(sluiceOut), d = load(duckOut);
  const err = sameCounts(s, d);
  if (err) return [false, err];
  if (scenario === 'tumbling') return tumbling(s, d);
  if (scenario === 'sliding') return sliding(s, d);
  const a = sumCol(s, 1), b = sumCol(d, 1);
  if (!close(a, b, 1e-9)) return [false, `sum of notional: sluice ${a}, duckdb ${b}`];
  return [true, `${s.length} rows, per-ticker counts equal, sum of notional equal`];
}

let res;
try {
  res = main();
} catch (e) {
  res = [false, `cannot compare: ${e.message}`];
}
console.log((res[0] ? 'ok: ' : 'MISMATCH: ') + res[1]);
process.exit(res[0] ? 0 : 1);
