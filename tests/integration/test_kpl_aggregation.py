#!/usr/bin/env python3
"""test_kpl_aggregation.py - records aggregated by the Kinesis Producer Library are read as
their user records (ingest/kpl.h), which KDA for SQL could not do.

1. Replay (`sluice run --replay`): a plain record, an aggregate of 5 user records, one of
   2,500 (more than a batch holds), an aggregate whose 3rd user record is not JSON (that one
   user record is an error row naming "user record 3 of 4", the others are rows), an
   aggregate with a corrupted protocol buffer (one error row, MD5 fixed up so that it is
   taken as an aggregate) and a record that starts with the magic but fails the MD5 check
   (an ordinary record: not JSON, one error row). Checks every row and error row.
2. The daemon: the same aggregates put with boto3 into `sluice serve`, a KDA application
   created with boto3 reads them and writes per-ticker counts to a stream; the counts
   equal the user records put.
Needs $SLUICE; the aggregates are built by sluicetest.kpl_aggregate from the format's
description.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from sluicetest import (Server, Tester, analytics_client, arn, check, check_clean_exit, create_stream, eq,
                        kpl_aggregate, list_all_shards, need_sluice, read_shard, sluice_bin)

ROLE = "arn:aws:iam::000000000000:role/kda"


def rec(ticker, price):
    return json.dumps({"ticker": ticker, "price": price}).encode()


def corrupt(agg):
    """The aggregate with a records field (3) that claims 127 bytes more than there are."""
    body = agg[4:-16] + b"\x1a\x7f"
    return agg[:4] + body + hashlib.md5(body).digest()


def records():
    """(data, user records it holds as (ticker, price) or None for an error) in put order."""
    big = [rec("BIG", i) for i in range(2500)]
    return [
        (rec("ONE", 1.0), 1),
        (kpl_aggregate([rec("AGG", i) for i in range(5)], keys=("x", "y")), 5),
        (kpl_aggregate(big), 2500),
        (kpl_aggregate([rec("MIX", 1), rec("MIX", 2), b"{not json", rec("MIX", 4)]), 3),
        (corrupt(kpl_aggregate([rec("BAD", 1), rec("BAD", 2)])), 0),
        (b"\xf3\x89\x9a\xc2" + b"x" * 40, 0),
    ]


SQL = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'in' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker', price DOUBLE PATH '$.price');
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001";
"""


def t_replay(_):
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "in.dump")
        with open(dump, "w") as f:
            for i, (data, _) in enumerate(records()):
                f.write(json.dumps({"SequenceNumber": "%056d" % i,
                                    "ApproximateArrivalTimestamp": 1779000000.0 + i,
                                    "Data": base64.b64encode(data).decode(),
                                    "PartitionKey": "k"}) + "\n")
        app = os.path.join(tmp, "app.sql")
        with open(app, "w") as f:
            f.write(SQL)
        r = subprocess.run([sluice_bin(), "run", app, "--replay", dump, "--output",
                            "DESTINATION_SQL_STREAM", "--output", "error_stream"],
                           capture_output=True, text=True, timeout=120)
        eq(r.returncode, 0, "exit status (%s)" % r.stderr[-500:])
        rows = [json.loads(l) for l in r.stdout.splitlines()]
        data = [(x["TICKER"], x["PRICE"]) for x in rows if "TICKER" in x]
        errs = [x for x in rows if "ERROR_NAME" in x or "ERROR_MESSAGE" in x]
        want = ([("ONE", 1.0)] + [("AGG", float(i)) for i in range(5)] +
                [("BIG", float(i)) for i in range(2500)] + [("MIX", 1.0), ("MIX", 2.0), ("MIX", 4.0)])
        eq(len(data), len(want), "row count")
        eq(data, want, "rows in order")
        msgs = sorted(json.dumps(e) for e in errs)
        eq(len(errs), 3, "error rows: %s" % msgs)
        check(any("user record 3 of 4" in m for m in msgs), "sub-record error named: %s", msgs)
        check(any("malformed protocol buffer" in m for m in msgs), "corrupt aggregate: %s", msgs)
        check(any("JSON" in m and "user record" not in m and "00000005" in m for m in msgs),
              "bad MD5 taken as an ordinary record: %s", msgs)


def t_daemon(_):
    srv = Server(extra_args=["--fsync", "never"])
    srv.start()
    try:
        kin = srv.client()
        ka = analytics_client(srv.endpoint)
        create_stream(kin, "in", shards=1)
        create_stream(kin, "out", shards=1)
        for data, _ in records():
            kin.put_record(StreamName="in", Data=data, PartitionKey="k")
        code = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), n BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
"""
        ka.create_application(ApplicationName="kpl", ApplicationCode=code, Inputs=[{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": arn("in"), "RoleARN": ROLE},
            "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {
                "JSONMappingParameters": {"RecordRowPath": "$"}}},
                "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(8)", "Mapping": "$.ticker"}]}}],
            Outputs=[{"Name": "DESTINATION_SQL_STREAM",
                      "KinesisStreamsOutput": {"ResourceARN": arn("out"), "RoleARN": ROLE},
                      "DestinationSchema": {"RecordFormatType": "JSON"}}])
        ka.start_application(ApplicationName="kpl", InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
        time.sleep(1.5)
        kin.put_record(StreamName="in", Data=rec("LAST", 0), PartitionKey="k")  # closes windows
        want = {"ONE": 1, "AGG": 5, "BIG": 2500, "MIX": 3}
        got = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            got = {}
            for sh in list_all_shards(kin, "out"):
                recs, _ = read_shard(kin, "out", sh["ShardId"])
                for x in recs:
                    row = {k.upper(): v for k, v in json.loads(x["Data"]).items()}
                    got[row["TICKER"]] = got.get(row["TICKER"], 0) + int(row["N"])
            if all(got.get(k) == v for k, v in want.items()):
                break
            time.sleep(0.3)
        eq({k: got.get(k) for k in want}, want, "per-ticker counts through the daemon")
        ka.stop_application(ApplicationName="kpl")
        check_clean_exit(srv)
    finally:
        srv.cleanup()


def main():
    t = Tester()
    if not need_sluice(t, "KPL aggregation"):
        return 0
    t.run("replay: user records, errors, a batch overflow", t_replay, None)
    t.run("daemon: boto3 puts aggregates, an application counts them", t_daemon, None)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
