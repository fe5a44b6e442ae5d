// rss.js - runs a command and samples its memory while it works (tests/bench/query/rss.sh).
//   node rss.js INTERVAL_MS FIRST_ROWS CSV OUT -- CMD ARGS...
// CMD's stdout goes to OUT and its lines are counted as they come (progress); every
// INTERVAL_MS its memory (from /proc/PID/status) is written to CSV as
// "ms,anon_kb,rows,rss_kb,file_kb": RssAnon (heap, stacks: the engine's state), the output
// rows so far, VmRSS, and RssFile (pages of mapped files: sluice maps the dump it replays;
// clean page cache the kernel can take back, so not judged).
// At the end it prints the curve (about 12 points spread over the run), the anonymous RSS
// at the first sample with at least FIRST_ROWS output rows ("after the first window"), the
// highest of the first quarter of the run (from that sample on) and of the last quarter,
// and whether it stayed flat: last quarter <= max(1.25 x first quarter, first + 16 MB).
// Exit status: CMD's failure -> 1, RSS growth -> 3, else 0.
'use strict';
const fs = require('fs');
const { spawn } = require('child_process');
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep !== 4 || argv.length < 6) {
  console.error('usage: node rss.js INTERVAL_MS FIRST_ROWS CSV OUT -- CMD ARGS...');
  process.exit(2);
}
const [intervalMs, firstRows, csvPath, outPath] = [Number(argv[0]), Number(argv[1]), argv[2], argv[3]];
const out = fs.openSync(outPath, 'w');
const errPath = outPath + '.err';
const child = spawn(argv[5], argv.slice(6), { stdio: ['ignore', 'pipe', fs.openSync(errPath, 'w')] });
const t0 = process.hrtime.bigint();
const samples = []; // [ms, anon_kb, rows, rss_kb, file_kb]
let rows = 0;

child.stdout.on('data', (b) => {
  fs.writeSync(out, b);
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) rows++;
});

function sample() {
  let text;
  try {
    text = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  } catch {
    return;
  }
  const kb = (name) => Number((new RegExp(name + ':\\s+(\\d+)').exec(text) || [])[1]);
  const rss = kb('VmRSS');
  if (rss) samples.push([Number(process.hrtime.bigint() - t0) / 1e6, kb('RssAnon'), rows, rss, kb('RssFile')]);
}
sample();
const timer = setInterval(sample, intervalMs);

child.on('close', (code, signal) => {
  clearInterval(timer);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(out);
  fs.writeFileSync(csvPath, 'ms,anon_kb,rows,rss_kb,file_kb\n' + samples.map((s) => s.join(',')).join('\n') + '\n');
  if (code !== 0) {
    const err = fs.readFileSync(errPath, 'utf8').trim().split('\n').slice(-5).join('\n');
    console.log(`FAILED: exit ${code ?? signal} after ${wall.toFixed(2)} s\n${err}`);
    process.exit(1);
  }
  const mb = (kb) => (kb / 1024).toFixed(1);
  console.log(`${rows} output rows in ${wall.toFixed(2)} s, ${samples.length} samples every ${intervalMs} ms (${csvPath})`);
  if (samples.length < 2) {
    console.log('too few samples to draw a curve (the run was shorter than the interval)');
    process.exit(0);
  }
  const step = Math.max(1, Math.floor(samples.length / 12));
  const pts = [];
  for (let i = 0; i < samples.length; i += step) pts.push(samples[i]);
  if (pts[pts.length - 1] !== samples[samples.length - 1]) pts.push(samples[samples.length - 1]);
  console.log('   t s    rows out     RSS MB  anon MB  file MB');
  for (const [ms, an, r, rss, fi] of pts)
    console.log(`${(ms / 1000).toFixed(2).padStart(6)} ${String(r).padStart(11)} ${mb(rss).padStart(10)} ${mb(an).padStart(8)} ${mb(fi).padStart(8)}`);
  const first = samples.find((s) => s[2] >= firstRows);
  const peak = samples.reduce((a, s) => Math.max(a, s[3]), 0);
  if (!first) {
    console.log(`no sample after the first window (${firstRows} rows): run too short to judge; peak ${mb(peak)} MB`);
    process.exit(0);
  }
  // Judged on the highest RSS of the first quarter of the run (from the first window on:
  // buffers and hash tables are still filling at the very first sample) against the highest
  // of the last quarter.
  const n = samples.length, fi = samples.indexOf(first);
  const hi = (arr) => arr.reduce((a, s) => (s[1] > a[1] ? s : a), arr[0]);
  const early = hi(samples.slice(fi, Math.max(fi + 1, Math.ceil(n / 4))));
  const late = hi(samples.slice(Math.floor((3 * n) / 4)));
  const flat = late[1] <= Math.max(1.25 * early[1], early[1] + 16 * 1024);
  console.log(`anonymous RSS after the first window ${mb(first[1])} MB (t=${(first[0] / 1000).toFixed(2)} s, ${first[2]} rows); ` +
    `highest in the first quarter ${mb(early[1])} MB, in the last quarter ${mb(late[1])} MB: ${flat ? 'flat' : 'GROWS'}; ` +
    `peak VmRSS ${mb(peak)} MB (with file pages)`);
  process.exit(flat ? 0 : 3);
});
