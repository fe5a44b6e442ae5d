#!/usr/bin/env python3
"""Windows open across a stop, and runners that fail on their own, in `sluice serve`.

A 10-second tumbling window per ticker is kept open while the application is stopped and
started again from LAST_STOPPED_POINT, while the daemon restarts gracefully, and while it is
killed with SIGKILL and started again: each time the window's row counts the records put on
both sides of the interruption, and no window row reaches the destination twice.

Then the destination stream is deleted under the running application: the runner fails,
DescribeApplication (boto3, and the raw "sluice:RunnerStatus" member), /metrics and the
daemon log show it, the application stays RUNNING (KDA keeps retrying), and once the stream
exists again the window rows that could not be written arrive.
"""
import json
import subprocess
import sys
import time
import urllib.request

from sluicetest import (Server, Tester, analytics_client, arn, check, check_clean_exit,
                        create_stream, eq, list_all_shards, need_sluice, read_shard, sluice_bin)

SRC, DST, APP = "res-ticks", "res-out", "resume-app"
WINDOW = 10
ROLE = "arn:aws:iam::000000000000:role/kda"
CODE = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4), wend TIMESTAMP, ticks INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, ROWTIME, COUNT(*)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
"""
TICKERS = ["AMZN", "MSFT", "AAPL"]


def request():
    return {
        "ApplicationName": APP,
        "ApplicationCode": CODE,
        "Inputs": [{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": arn(SRC), "RoleARN": ROLE},
            "InputSchema": {
                "RecordFormat": {"RecordFormatType": "JSON",
                                 "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                "RecordEncoding": "UTF-8",
                "RecordColumns": [
                    {"Name": "TICKER_SYMBOL", "SqlType": "VARCHAR(4)", "Mapping": "$.ticker_symbol"},
                    {"Name": "PRICE", "SqlType": "DOUBLE", "Mapping": "$.price"},
                ]}}],
        "Outputs": [{
            "Name": "DESTINATION_SQL_STREAM",
            "KinesisStreamsOutput": {"ResourceARN": arn(DST), "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": "JSON"}}],
    }


class Run:
    def __init__(self):
        self.srv = Server(extra_args=["--fsync", "never"])
        self.srv.start()
        self.connect()
        self.sent = {t: 0 for t in TICKERS}

    def connect(self):
        self.kin = self.srv.client()
        self.ka = analytics_client(self.srv.endpoint)

    def put(self, per_ticker):
        recs = []
        for t in TICKERS:
            for _ in range(per_ticker):
                recs.append({"Data": json.dumps({"ticker_symbol": t, "price": 1.0}).encode(),
                             "PartitionKey": t + str(len(recs))})
            self.sent[t] += per_ticker
        eq(self.kin.put_records(StreamName=SRC, Records=recs)["FailedRecordCount"], 0, "failed puts")

    def rows(self):
        out = []
        for sh in list_all_shards(self.kin, DST):
            recs, _ = read_shard(self.kin, DST, sh["ShardId"])
            out += [{k.upper(): v for k, v in json.loads(r["Data"]).items()} for r in recs]
        return out

    def wait_rows(self, want_total, timeout=WINDOW + 15):
        """Waits until the rows count want_total records; returns them."""
        deadline = time.time() + timeout
        while True:
            rows = self.rows()
            if sum(int(r["TICKS"]) for r in rows) >= want_total or time.time() > deadline:
                return rows
            time.sleep(0.3)

    def start(self, position):
        self.ka.start_application(ApplicationName=APP, InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": position}}])


def window_start():
    """Sleeps until 1 s into a window, so what follows happens inside one window."""
    while True:
        into = time.time() % WINDOW
        if 0.8 <= into <= 1.5:
            return
        time.sleep(0.05)


def check_window(r, per_ticker, what):
    """The newest window has one row per ticker counting per_ticker records; every window row
    is unique and the totals match what was put."""
    rows = r.wait_rows(sum(r.sent.values()))
    keys = [(x["TICKER_SYMBOL"], x["WEND"]) for x in rows]
    eq(len(keys), len(set(keys)), "%s: distinct window rows (duplicates: %s)" % (what, sorted(keys)))
    got = {t: sum(int(x["TICKS"]) for x in rows if x["TICKER_SYMBOL"] == t) for t in TICKERS}
    eq(got, r.sent, "%s: records counted per ticker" % what)
    last = max(x["WEND"] for x in rows)
    newest = {x["TICKER_SYMBOL"]: int(x["TICKS"]) for x in rows if x["WEND"] == last}
    eq(newest, {t: per_ticker for t in TICKERS}, "%s: the straddling window's rows" % what)


def t_setup(r):
    create_stream(r.kin, SRC, shards=2)
    create_stream(r.kin, DST, shards=1)
    r.ka.create_application(**request())
    r.start("TRIM_HORIZON")


def t_stop_start(r):
    window_start()
    r.put(2)
    time.sleep(0.5)
    r.ka.stop_application(ApplicationName=APP)
    r.put(3)
    r.start("LAST_STOPPED_POINT")
    check_window(r, 5, "StopApplication + LAST_STOPPED_POINT")


def t_graceful_restart(r):
    window_start()
    r.put(1)
    time.sleep(0.5)
    r.srv.restart()
    r.connect()
    eq(r.ka.describe_application(ApplicationName=APP)["ApplicationDetail"]["ApplicationStatus"],
       "RUNNING", "status after the restart")
    r.put(4)
    check_window(r, 5, "daemon restart (SIGTERM)")


def t_kill9_restart(r):
    window_start()
    r.put(3)
    time.sleep(1.6)   # the runner checkpoints every second while rows flow
    r.srv.restart(kill=True)
    r.connect()
    r.put(2)
    check_window(r, 5, "daemon killed (SIGKILL)")


def metrics(r):
    return urllib.request.urlopen(r.srv.endpoint + "/metrics", timeout=10).read().decode()


def metric(text, name):
    for line in text.splitlines():
        if line.startswith('%s{application="%s"}' % (name, APP)):
            return int(line.split()[-1])
    return None


def raw_describe(r):
    """`sluice describe`: the ApplicationDetail as the daemon sends it."""
    out = subprocess.run([sluice_bin(), "describe", APP, "--endpoint", r.srv.endpoint],
                         capture_output=True, text=True, timeout=30)
    eq(out.returncode, 0, "sluice describe exit status (%s)" % out.stderr)
    return json.loads(out.stdout)


def t_failure_visible(r):
    eq(metric(metrics(r), "sluice_application_runner_failures_total"), 0, "failures before")
    eq(raw_describe(r)["sluice:RunnerStatus"]["State"], "RUNNING", "runner state before")
    r.kin.delete_stream(StreamName=DST)
    window_start()
    r.put(2)
    deadline = time.time() + WINDOW + 15
    while time.time() < deadline and not metric(metrics(r), "sluice_application_runner_failures_total"):
        time.sleep(0.3)
    text = metrics(r)
    check(metric(text, "sluice_application_runner_failures_total") >= 1, "failures metric:\n%s", text)
    d = r.ka.describe_application(ApplicationName=APP)["ApplicationDetail"]   # boto3 parses it
    eq(d["ApplicationStatus"], "RUNNING", "status while retrying (KDA keeps retrying)")
    check("sluice:RunnerStatus" not in d, "boto3 keeps only modelled members")
    st = raw_describe(r)["sluice:RunnerStatus"]
    check(st["Failures"] >= 1 and DST in st["LastFailure"], "runner status: %s", st)
    check(st["State"] in ("RETRYING", "RUNNING"), "runner state: %s", st)
    check(any("application %s failed: output DESTINATION_SQL_STREAM" % APP in l for l in r.srv.log),
          "daemon log:\n%s", "\n".join(r.srv.log[-10:]))
    create_stream(r.kin, DST, shards=1)
    rows = r.wait_rows(6, timeout=40)
    eq({x["TICKER_SYMBOL"]: int(x["TICKS"]) for x in rows}, {t: 2 for t in TICKERS},
       "the window that failed, delivered once the stream is back")
    deadline = time.time() + 10
    while time.time() < deadline and metric(metrics(r), "sluice_application_runner_up") != 1:
        time.sleep(0.3)
    eq(metric(metrics(r), "sluice_application_runner_up"), 1, "runner up again")
    eq(raw_describe(r)["sluice:RunnerStatus"]["State"], "RUNNING", "runner state after")


def t_clean_exit(r):
    check_clean_exit(r.srv)


def main():
    t = Tester()
    if not need_sluice(t, "Kinesis Analytics resume"):
        return 0
    r = Run()
    try:
        for name, fn in [("setup", t_setup),
                         ("window across StopApplication/StartApplication", t_stop_start),
                         ("window across a daemon restart", t_graceful_restart),
                         ("window across a daemon kill -9", t_kill9_restart),
                         ("a failing runner is visible and recovers", t_failure_visible),
                         ("clean exit", t_clean_exit)]:
            if not t.run(name, fn, r) and name == "setup":
                break
    finally:
        r.srv.cleanup()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
