#!/usr/bin/env python3
"""TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING windows open across a stop, in
`sluice serve`.

The tumbling table functions keep no model: their open window is rebuilt by the resume's
re-read, as a tumbling GROUP BY's is (runtime/engine/state.c, the low-water mark). A
10-second window is kept open while the application is stopped and started again from
LAST_STOPPED_POINT, and while the daemon is killed with SIGKILL and restarted: each time
the window's TOP_K counts and its COUNT_DISTINCT of record ids count the records put on
both sides of the interruption, and no window row reaches a destination twice.
"""
import json
import sys
import time

from sluicetest import (Server, Tester, analytics_client, arn, check_clean_exit, create_stream, eq,
                        list_all_shards, need_sluice, read_shard)

SRC, DST, DST2, APP = "tf-ticks", "tf-top", "tf-distinct", "tablefn-resume-app"
WINDOW = 10
ROLE = "arn:aws:iam::000000000000:role/kda"
CODE = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4), wend TIMESTAMP, ticks BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER_SYMBOL, ROWTIME, MOST_FREQUENT_VALUES
FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
                                'TICKER_SYMBOL', 3, 10));
CREATE OR REPLACE STREAM "DISTINCT_STREAM" (wend TIMESTAMP, ids BIGINT);
CREATE OR REPLACE PUMP "DISTINCT_PUMP" AS INSERT INTO "DISTINCT_STREAM"
SELECT STREAM ROWTIME, NUMBER_OF_DISTINCT_ITEMS
FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
                                         'ID', 10));
"""
TICKERS = ["AMZN", "MSFT", "AAPL"]


def request():
    out = lambda name, stream: {
        "Name": name, "KinesisStreamsOutput": {"ResourceARN": arn(stream), "RoleARN": ROLE},
        "DestinationSchema": {"RecordFormatType": "JSON"}}
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
                    {"Name": "ID", "SqlType": "BIGINT", "Mapping": "$.id"},
                ]}}],
        "Outputs": [out("DESTINATION_SQL_STREAM", DST), out("DISTINCT_STREAM", DST2)],
    }


class Run:
    def __init__(self):
        self.srv = Server(extra_args=["--fsync", "never"])
        self.srv.start()
        self.connect()
        self.sent = {t: 0 for t in TICKERS}
        self.next_id = 0

    def connect(self):
        self.kin = self.srv.client()
        self.ka = analytics_client(self.srv.endpoint)

    def put(self, counts):
        """Puts counts[i] records of TICKERS[i], each with a new id."""
        recs = []
        for t, n in zip(TICKERS, counts):
            for _ in range(n):
                recs.append({"Data": json.dumps({"ticker_symbol": t, "id": self.next_id}).encode(),
                             "PartitionKey": t + str(self.next_id)})
                self.next_id += 1
            self.sent[t] += n
        eq(self.kin.put_records(StreamName=SRC, Records=recs)["FailedRecordCount"], 0, "failed puts")

    def rows(self, stream):
        out = []
        for sh in list_all_shards(self.kin, stream):
            recs, _ = read_shard(self.kin, stream, sh["ShardId"])
            out += [{k.upper(): v for k, v in json.loads(r["Data"]).items()} for r in recs]
        return out

    def wait_rows(self, stream, col, want_total, timeout=WINDOW + 15):
        deadline = time.time() + timeout
        while True:
            rows = self.rows(stream)
            if sum(int(r[col]) for r in rows) >= want_total or time.time() > deadline:
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


def check_window(r, newest_counts, what):
    """Every window row is unique, the TOP_K counts add up to what was put per ticker, the
    newest window counts both sides of the interruption, and COUNT_DISTINCT of the ids of
    every window adds up to the records put."""
    total = sum(r.sent.values())
    rows = r.wait_rows(DST, "TICKS", total)
    keys = [(x["TICKER_SYMBOL"], x["WEND"]) for x in rows]
    eq(len(keys), len(set(keys)), "%s: distinct TOP_K rows (duplicates: %s)" % (what, sorted(keys)))
    got = {t: sum(int(x["TICKS"]) for x in rows if x["TICKER_SYMBOL"] == t) for t in TICKERS}
    eq(got, r.sent, "%s: records counted per ticker" % what)
    last = max(x["WEND"] for x in rows)
    newest = {x["TICKER_SYMBOL"]: int(x["TICKS"]) for x in rows if x["WEND"] == last}
    eq(newest, dict(zip(TICKERS, newest_counts)), "%s: the straddling window's TOP_K rows" % what)
    drows = r.wait_rows(DST2, "IDS", total)
    ends = [x["WEND"] for x in drows]
    eq(len(ends), len(set(ends)), "%s: distinct COUNT_DISTINCT rows" % what)
    eq(sum(int(x["IDS"]) for x in drows), total, "%s: distinct ids over the windows" % what)
    eq(int(max(drows, key=lambda x: x["WEND"])["IDS"]), sum(newest_counts),
       "%s: the straddling window's distinct ids" % what)


def t_setup(r):
    create_stream(r.kin, SRC, shards=2)
    create_stream(r.kin, DST, shards=1)
    create_stream(r.kin, DST2, shards=1)
    r.ka.create_application(**request())
    r.start("TRIM_HORIZON")


def t_stop_start(r):
    window_start()
    r.put([3, 2, 1])
    time.sleep(0.5)
    r.ka.stop_application(ApplicationName=APP)
    r.put([1, 1, 4])
    r.start("LAST_STOPPED_POINT")
    check_window(r, [4, 3, 5], "StopApplication + LAST_STOPPED_POINT")


def t_kill9_restart(r):
    window_start()
    r.put([2, 5, 1])
    time.sleep(1.6)   # the runner checkpoints every second while rows flow
    r.srv.restart(kill=True)
    r.connect()
    r.put([1, 0, 1])
    check_window(r, [3, 5, 2], "daemon killed (SIGKILL)")


def t_clean_exit(r):
    check_clean_exit(r.srv)


def main():
    t = Tester()
    if not need_sluice(t, "table functions across a stop"):
        return 0
    r = Run()
    try:
        for name, fn in [("setup", t_setup),
                         ("window across StopApplication/StartApplication", t_stop_start),
                         ("window across a daemon kill -9", t_kill9_restart),
                         ("clean exit", t_clean_exit)]:
            if not t.run(name, fn, r) and name == "setup":
                break
    finally:
        r.srv.cleanup()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
