#!/usr/bin/env python3
"""The alert outputs' counters in `sluice serve`'s /metrics (runtime/sink/README.md, Metrics).

One application with three outputs of the same alert rows, each exercising one path of the
sink, and a known answer for every counter:
  pager    WEBHOOK to a local receiver that answers 500 to its first two requests; key host,
           dedup_quiet 1 hour: one row per host is sent, the other rows of a host are
           de-duplicated, the first row is retried twice before it is delivered
  log      FILE, key host, rate_limit 2 per hour: the third row of a host is rate-limited
  broken   COMMAND `exit 3`, batch 1, max_retries 1, a dead-letter file: every row fails
           twice (attempt + retry) and is dead-lettered
Policy windows are an hour long, so the counts do not depend on timing. `sluice submit` sends
the file as a KDA description, so the outputs are labelled by their OutputIds, in order.
"""
import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.request

from sluicetest import (Server, Tester, check, check_clean_exit, create_stream, eq,
                        need_sluice, serve_http, sluice_bin)

APP = "sink-metrics"
HOSTS = ["a", "a", "b", "b", "b", "c", "d", "e"]   # 5 hosts, 8 rows
CODE = """CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'alerts-in' FORMAT JSON (
    host VARCHAR(8) PATH '$.host', seq INTEGER PATH '$.seq')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "ALERTS" (host VARCHAR(8), seq INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "ALERTS"
SELECT STREAM host, seq FROM "SOURCE_SQL_STREAM_001";
CREATE OUTPUT "pager" FOR "ALERTS" TO WEBHOOK '{url}' FORMAT JSON
WITH (key = 'host', dedup_quiet = '1 hour', backoff_ms = '10');
CREATE OUTPUT "log" FOR "ALERTS" TO FILE '{file}' FORMAT JSON
WITH (key = 'host', rate_limit = '2 per 1 hour');
CREATE OUTPUT "broken" FOR "ALERTS" TO COMMAND 'exit 3' FORMAT JSON
WITH (batch = '1', max_retries = '1', backoff_ms = '10', dead_letter = '{dead}');
"""

# output (pager, log, broken) -> counter -> value once every row is settled
WANT = {
    "1.1": {"written": 5, "delivered": 5, "failed": 2, "retried": 2, "rate_limited": 0,
              "deduplicated": 3, "dead_lettered": 0, "discarded": 0},
    "2.1": {"written": 7, "delivered": 7, "failed": 0, "retried": 0, "rate_limited": 1,
            "deduplicated": 0, "dead_lettered": 0, "discarded": 0},
    "3.1": {"written": 8, "delivered": 0, "failed": 16, "retried": 8, "rate_limited": 0,
               "deduplicated": 0, "dead_lettered": 8, "discarded": 0},
}


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers 500 to the first two POSTs, then 204; keeps the bodies it accepted."""
    lock = threading.Lock()
    seen = 0
    bodies = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Receiver.lock:
            Receiver.seen += 1
            fail = Receiver.seen <= 2
            if not fail:
                Receiver.bodies.append(body)
        self.send_response(500 if fail else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def sink_counters(endpoint):
    """{(output, counter): value} of the application's sluice_sink_* lines, and the text."""
    text = urllib.request.urlopen(endpoint + "/metrics", timeout=10).read().decode()
    got = {}
    prefix = 'sluice_sink_'
    for line in text.splitlines():
        if not line.startswith(prefix) or '{application="%s",' % APP not in line:
            continue
        name = line[len(prefix):line.index("{")]
        output = line.split('output="', 1)[1].split('"', 1)[0]
        check(',stream="ALERTS"}' in line, "stream label: %s", line)
        got[(output, name[:-len("_total")] if name.endswith("_total") else name)] = \
            int(line.split()[-1])
    return got, text


def main():
    t = Tester()
    if not need_sluice(t, "sink metrics"):
        return 0
    recv = serve_http(Receiver)
    srv = Server()
    srv.start()
    st = {}

    def t_submit():
        kin = srv.client()
        create_stream(kin, "alerts-in")
        sql = os.path.join(srv.data, "alerts.sql")
        with open(sql, "w") as f:
            f.write(CODE.format(url="http://127.0.0.1:%d/alert" % recv.server_address[1],
                                file=os.path.join(srv.data, "alerts.jsonl"),
                                dead=os.path.join(srv.data, "dead.jsonl")))
        subprocess.run([sluice_bin(), "submit", sql, "--name", APP, "--start", "trim_horizon",
                        "--endpoint", srv.endpoint], check=True, stdout=subprocess.DEVNULL)
        for i, h in enumerate(HOSTS):
            kin.put_record(StreamName="alerts-in", PartitionKey=h,
                           Data=('{"host":"%s","seq":%d}' % (h, i)).encode())

    def t_counters():
        want = {(o, k): v for o, c in WANT.items() for k, v in c.items()}
        want.update({(o, "queued"): 0 for o in WANT})
        deadline = time.time() + 20
        while True:
            got, text = sink_counters(srv.endpoint)
            if got == want or time.time() > deadline:
                break
            time.sleep(0.1)
        st["text"] = text
        eq(sorted(got.items()), sorted(want.items()), "sink counters")
        # One group per metric: HELP and TYPE once, then every output's line.
        check(text.count("# TYPE sluice_sink_delivered_total counter\n") == 1,
              "TYPE line of sluice_sink_delivered_total:\n%s", text)
        check(text.count("# TYPE sluice_sink_queued gauge\n") == 1, "TYPE of queued")
        eq(len(Receiver.bodies), 5, "rows the receiver accepted")
        with open(os.path.join(srv.data, "dead.jsonl")) as f:
            eq(len(f.read().splitlines()), 8, "dead-lettered rows")

    def t_stopped():
        subprocess.run([sluice_bin(), "stop", APP, "--endpoint", srv.endpoint], check=True,
                       stdout=subprocess.DEVNULL)
        got, text = sink_counters(srv.endpoint)
        eq(got, {}, "sink lines of a stopped application")
        check("# TYPE sluice_sink_written_total counter" in text, "HELP/TYPE without sinks")

    try:
        for name, fn in [("submit and put", t_submit), ("counters", t_counters),
                         ("stopped application", t_stopped), ("clean exit", lambda: check_clean_exit(srv))]:
            if not t.run(name, fn) and name == "submit and put":
                break
    finally:
        srv.cleanup()
        recv.shutdown()
    if "text" in st:
        print("".join(l + "\n" for l in st["text"].splitlines() if l.startswith("sluice_sink_")))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
