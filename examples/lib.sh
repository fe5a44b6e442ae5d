# examples/lib.sh - what the daemon examples share; sourced by their run.sh (and demo.sh) after they set
# SLUICE, data (a scratch directory) and log (the daemon's stderr).
#   start_daemon NAME  starts `sluice serve` on a free port (port 0: the kernel picks one,
#                      read back from the server's first line) with its store in
#                      $data/store; sets pid, port and endpoint, or exits with the log
#   api OP JSON        one Kinesis API call with curl (X-Amz-Target Kinesis_20131202.OP),
#                      failing on an HTTP error, its answer discarded

start_daemon() {
  "$SLUICE" serve --port 0 --data "$data/store" 2>"$log" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$log" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] || { echo "$1: server did not start:" >&2; cat "$log" >&2; exit 1; }
  endpoint=http://127.0.0.1:$port
  echo "== sluice serve is up on $endpoint"
}

api() {
  curl -sS -f -X POST "$endpoint/" -H "X-Amz-Target: Kinesis_20131202.$1" \
       -H 'Content-Type: application/x-amz-json-1.1' -d "$2" >/dev/null
}
