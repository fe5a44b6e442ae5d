// check.js - compares sluice's output with DuckDB's for one scenario of the query benchmark.
//   node check.js filter|tumbling|sliding SLUICE_OUT DUCK_OUT
// Both files hold JSON lines. Columns are taken by position (a ROWTIME field, whatever its
// case, is set aside), so the check does not depend on how sluice names its output columns.
//   filter    row count, rows per ticker, and the sum of notional (relative 1e-9)
//   tumbling  every (ticker, window): COUNT and SUM exact, AVG/MIN/MAX within 1e-9. Windows
//             are matched by ROWTIME (= window end) when sluice prints it, else per ticker
//             in emission order
//   sliding   row count, rows per ticker, and the sum of all averages (relative 1e-6: DuckDB's
//             RANGE frame also takes rows with the same ROWTIME that arrive later)
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

function main() {
  const s = load(sluiceOut), d = load(duckOut);
  let err = sameCounts(s, d);
  if (err) return [false, err];
  if (scenario === 'filter' || scenario === 'sliding') {
    const rel = scenario === 'filter' ? 1e-9 : 1e-6;
    const a = sumCol(s, 1), b = sumCol(d, 1);
    if (!close(a, b, rel)) return [false, `sum of column 2: sluice ${a}, duckdb ${b}`];
    return [true, `${s.length} rows, per-ticker counts equal, sum of column 2 equal (rel ${(Math.abs(a - b) / Math.abs(b)).toExponential(1)})`];
  }
  // tumbling: DuckDB rows are [ticker, wend, n, avg, min, max, sum].
  const byRt = s.every((r) => r.rt !== undefined);
  const key = (t, w) => t + '\u0000' + w;
  const want = new Map();
  if (byRt) {
    for (const r of d) want.set(key(r.v[0], num(r.v[1])), r);
  } else {
    const seq = new Map(); // ticker -> its windows in time order
    for (const r of [...d].sort((x, y) => num(x.v[1]) - num(y.v[1]))) {
      if (!seq.has(r.v[0])) seq.set(r.v[0], []);
      seq.get(r.v[0]).push(r);
    }
    const idx = new Map();
    for (const r of s) {
      const i = idx.get(r.v[0]) || 0;
      idx.set(r.v[0], i + 1);
      r.rt = num(seq.get(r.v[0])[i].v[1]);
    }
    for (const r of d) want.set(key(r.v[0], num(r.v[1])), r);
  }
  let checked = 0;
  for (const r of s) {
    const w = want.get(key(r.v[0], r.rt));
    if (!w) {
      const startsToo = want.has(key(r.v[0], r.rt + 10000)) ? ' (one starts then: is ROWTIME the window start? KDA gives the end)' : '';
      return [false, `sluice row for ${r.v[0]} at ROWTIME ${r.rt} has no DuckDB window ending then${startsToo}`];
    }
    const [n, avg, mn, mx, sum] = r.v.slice(1, 6).map(num);
    const [wn, wavg, wmn, wmx, wsum] = w.v.slice(2, 7).map(num);
    if (n !== wn || sum !== wsum || !close(avg, wavg, 1e-9) || !close(mn, wmn, 1e-9) || !close(mx, wmx, 1e-9))
      return [false, `${r.v[0]} window ending ${new Date(r.rt).toISOString()}: sluice ` +
        `[${r.v.slice(1, 6)}], duckdb [${w.v.slice(2, 7)}]`];
    checked++;
  }
  return [true, `${checked} windows, COUNT/AVG/MIN/MAX/SUM equal` + (byRt ? ' (matched by ROWTIME = window end)' : ' (matched by order: no ROWTIME in sluice output)')];
}

let res;
try {
  res = main();
} catch (e) {
  res = [false, `cannot compare: ${e.message}`];
}
console.log((res[0] ? 'ok: ' : 'MISMATCH: ') + res[1]);
process.exit(res[0] ? 0 : 1);
