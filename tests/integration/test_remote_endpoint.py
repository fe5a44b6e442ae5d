#!/usr/bin/env python3
"""An application reading AND writing a remote Kinesis endpoint (`sluice:Endpoint`).

For each peer - kinesalite 3.3.3 (npm-installed into KINESALITE_DIR, default
~/.cache/sluice-bench, when missing) and `sluice serve` - the test creates a source and two
destination streams there with boto3, puts ticks for three tickers, and runs

    sluice run APP.json --data DIR --from trim_horizon --idle-exit MS

where the one input and every output name the peer's URL as sluice:Endpoint. The
application counts ticks per ticker in 10-second tumbling windows, and the same in-app
stream goes to three outputs: JSON to one stream, CSV to another, and JSON to a stream that
does not exist. Checked, read back from the peer with boto3:

  - per ticker, the window counts add up to exactly the ticks put; no (ticker, window) twice;
  - the CSV records are the JSON rows in the same order, written as the store sink does
    (`TICKER,YYYY-MM-DD HH:MM:SS.mmm,N`), and partition keys are distinct decimal numbers;
  - the missing stream is reported on the error output (stderr here) with
    ResourceNotFoundException and the stream's name, the other outputs are unaffected, and
    the run exits 0 without waiting out retries.

A .sql form of the application (CREATE INPUT/OUTPUT ... WITH (endpoint = 'URL')) runs
against each peer too, and `sluice check` rejects a bad endpoint option where it is.

Against `sluice serve` alone (it can be stopped and started on the same port and data), the
output endpoint is down when the application starts and comes up 3 s later: the
transport errors are retried with backoff and every row arrives exactly once.

Exit status: 0 all passed; 1 a failure; 77 (ctest SKIP) when every sluice case passed but
kinesalite could not be installed or started, so the peer half did not run.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from sluicetest import (Server, Tester, arn, check, create_stream, eq, list_all_shards,
                        read_shard, sluice_bin)

SRC, DST, DST_CSV, MISSING = "rt-ticks", "rt-counts", "rt-counts-csv", "rt-no-such-stream"
DST_SQL = "rt-counts-sql"
ROLE = "arn:aws:iam::000000000000:role/kda"
SENT = {"AMZN": 7, "MSFT": 3, "AAPL": 11}
CODE = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4), wend TIMESTAMP, ticks INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, ROWTIME, COUNT(*)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
"""


def app_json(in_ep, out_ep, outputs):
    """The application: input from in_ep, outputs [(stream, format)] at out_ep."""
    return {
        "ApplicationName": "remote-app",
        "ApplicationCode": CODE,
        "Inputs": [{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": arn(SRC), "RoleARN": ROLE},
            "sluice:Endpoint": in_ep,
            "InputSchema": {
                "RecordFormat": {"RecordFormatType": "JSON",
                                 "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                "RecordEncoding": "UTF-8",
                "RecordColumns": [
                    {"Name": "TICKER_SYMBOL", "SqlType": "VARCHAR(4)", "Mapping": "$.ticker"},
                    {"Name": "PRICE", "SqlType": "DOUBLE", "Mapping": "$.price"},
                ]}}],
        "Outputs": [{
            "Name": "DESTINATION_SQL_STREAM",
            "KinesisStreamsOutput": {"ResourceARN": arn(name), "RoleARN": ROLE},
            "sluice:Endpoint": out_ep,
            "DestinationSchema": {"RecordFormatType": fmt}} for name, fmt in outputs],
    }


def app_sql(ep):
    """The same counts as a .sql file: CREATE INPUT/OUTPUT ... WITH (endpoint = ep)."""
    return """CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM '%s'
    FORMAT JSON (ticker_symbol VARCHAR(4) PATH '$.ticker', price DOUBLE PATH '$.price')
    STARTING AT TRIM_HORIZON
    WITH (endpoint = '%s');
%s
CREATE OUTPUT "counts" FOR "DESTINATION_SQL_STREAM" TO STREAM '%s' FORMAT CSV
    WITH (endpoint = '%s');
""" % (SRC, ep, CODE, DST_SQL, ep)


def put_ticks(kin):
    recs = []
    for t, n in SENT.items():
        for i in range(n):
            recs.append({"Data": json.dumps({"ticker": t, "price": 10.0 + i}).encode(),
                         "PartitionKey": "%s-%d" % (t, i)})
    eq(kin.put_records(StreamName=SRC, Records=recs)["FailedRecordCount"], 0, "failed puts")


def read_stream(kin, name):
    """Every record of a stream: (partition key, data text), shard by shard."""
    out = []
    for sh in list_all_shards(kin, name):
        recs, _ = read_shard(kin, name, sh["ShardId"])
        out += [(r["PartitionKey"], r["Data"].decode()) for r in recs]
    return out


def run_app(app, timeout=60):
    """Runs the application (a KDA JSON dict, or .sql text) to its idle exit; returns (rc,
    stdout, stderr, seconds)."""
    with tempfile.TemporaryDirectory(prefix="sluice-rt-") as tmp:
        path = os.path.join(tmp, "app.sql" if isinstance(app, str) else "app.json")
        with open(path, "w") as f:
            if isinstance(app, str):
                f.write(app)
            else:
                json.dump(app, f)
        t0 = time.time()
        r = subprocess.run([sluice_bin(), "run", path, "--data", os.path.join(tmp, "store"),
                            "--from", "trim_horizon", "--idle-exit", "1500"],
                           capture_output=True, timeout=timeout)
        return (r.returncode, r.stdout.decode("utf-8", "replace"),
                r.stderr.decode("utf-8", "replace"), time.time() - t0)


def check_counts(recs, what):
    """JSON window rows: per-ticker totals equal SENT, no (ticker, window) twice. Returns
    the rows in stream order as (ticker, wend, ticks)."""
    rows = []
    for _, data in recs:
        o = json.loads(data)
        eq(sorted(o), ["TICKER_SYMBOL", "TICKS", "WEND"], "%s: record keys" % what)
        rows.append((o["TICKER_SYMBOL"], o["WEND"], int(o["TICKS"])))
    keys = [(t, w) for t, w, _ in rows]
    eq(len(keys), len(set(keys)), "%s: distinct window rows (%s)" % (what, keys))
    got = {t: sum(n for x, _, n in rows if x == t) for t in SENT}
    eq(got, SENT, "%s: ticks counted per ticker" % what)
    return rows


def check_peer(t, peer, label):
    """The three-output run against one peer (a started Server)."""
    kin = peer.client()
    create_stream(kin, SRC, shards=2)
    create_stream(kin, DST)
    create_stream(kin, DST_CSV)
    put_ticks(kin)
    ep = peer.endpoint
    rc, out, err, secs = run_app(app_json(ep, ep, [(DST, "JSON"), (DST_CSV, "CSV"), (MISSING, "JSON")]))

    def exits_cleanly():
        eq(rc, 0, "exit status (stderr: %s)" % err[-2000:])
        check(secs < 30, "the run took %.1f s: a hard failure must not be retried", secs)

    def json_rows():
        recs = read_stream(kin, DST)
        rows = check_counts(recs, "JSON output")
        pks = [pk for pk, _ in recs]
        check(all(pk.isdigit() for pk in pks), "partition keys are decimal numbers: %s", pks)
        eq(len(set(pks)), len(pks), "distinct partition keys")
        return rows

    def csv_rows():
        jrows = check_counts(read_stream(kin, DST), "JSON output")
        lines = [data for _, data in read_stream(kin, DST_CSV)]
        want = ["%s,%s,%d" % r for r in jrows]
        eq(lines, want, "CSV records (the JSON rows, same order)")
        for row in csv.reader(io.StringIO("\n".join(lines))):
            check(len(row) == 3 and len(row[1]) == 23, "CSV row %s", row)

    def missing_reported():
        hits = [ln for ln in err.splitlines() if "ResourceNotFoundException" in ln]
        check(hits, "no ResourceNotFoundException on stderr:\n%s", err[-2000:])
        check(any(MISSING in ln for ln in hits), "the error does not name %s: %s", MISSING, hits)
        check(any("ERROR_NAME" in ln for ln in hits), "not an error_stream row: %s", hits)
        check(not any("gave up after" in ln for ln in hits), "a hard failure was retried: %s", hits)
        check(not any(DST + '"' in ln or DST + " " in ln for ln in hits),
              "errors about streams that exist: %s", hits)
        eq(out, "", "stdout (remote outputs are not printed)")

    t.run("%s: run exits 0, promptly" % label, exits_cleanly)
    t.run("%s: JSON output, exact per-ticker counts" % label, json_rows)
    t.run("%s: CSV output = JSON rows, store sink format" % label, csv_rows)
    t.run("%s: missing destination reported, others unaffected" % label, missing_reported)

    def sql_app():
        create_stream(kin, DST_SQL)
        rc, out, err, _ = run_app(app_sql(ep))
        eq(rc, 0, "exit status (stderr: %s)" % err[-2000:])
        eq(err, "", "stderr")
        lines = [data for _, data in read_stream(kin, DST_SQL)]
        got = {}
        for row in csv.reader(io.StringIO("\n".join(lines))):
            got[row[0]] = got.get(row[0], 0) + int(row[2])
        eq(got, SENT, ".sql app: ticks counted per ticker (CSV rows %s)" % lines)

    t.run("%s: .sql app, CREATE INPUT/OUTPUT WITH (endpoint = ...)" % label, sql_app)


def check_retry(t):
    """Output endpoint down at the start, up a second later: nothing lost or doubled."""
    src = Server(extra_args=["--fsync", "never"]).start()
    dst = Server(extra_args=["--fsync", "never"]).start()
    try:
        kin, kout = src.client(), dst.client()
        create_stream(kin, SRC)
        put_ticks(kin)
        create_stream(kout, DST)
        dst.stop()
        # The rows leave at the idle exit (~1.5 s in); the endpoint is back 3 s in, well
        # within the retries' budget (at least ~4.5 s of backoff after the first attempt).
        timer = threading.Timer(3.0, dst.start)
        timer.start()
        rc, out, err, secs = run_app(app_json(src.endpoint, dst.endpoint, [(DST, "JSON")]))
        timer.join()

        def delivered():
            eq(rc, 0, "exit status (stderr: %s)" % err[-2000:])
            check(secs > 3.0, "the run ended after %.1f s, before the endpoint was back", secs)
            check_counts(read_stream(dst.client(), DST), "after the endpoint came back")
            check("TransportError" not in err, "rows given up while the endpoint was down:\n%s",
                  err[-2000:])

        t.run("sluice serve: output endpoint down, then up: retried, exactly once", delivered)
    finally:
        src.cleanup()
        dst.cleanup()


def check_sql_errors(t):
    """`endpoint` in a .sql file: an http(s) URL, on a STREAM only; errors point at it."""
    def errors():
        with tempfile.TemporaryDirectory(prefix="sluice-rt-") as tmp:
            bad = app_sql("ftp://example").replace("TO STREAM '%s'" % DST_SQL, "TO STDOUT", 1)
            path = os.path.join(tmp, "bad.sql")
            with open(path, "w") as f:
                f.write(bad)
            r = subprocess.run([sluice_bin(), "check", path], capture_output=True, timeout=30)
            err = r.stderr.decode() + r.stdout.decode()
            eq(r.returncode, 1, "sluice check exit status (%s)" % err)
            check(":4:11: error: option endpoint: expected an http:// or https:// URL, got "
                  "'ftp://example'" in err, "input's bad URL not reported at the option: %s", err)
            check("error: option endpoint only applies to a STREAM" in err,
                  "endpoint on STDOUT not reported: %s", err)
    t.run(".sql: bad endpoint option rejected at the option", errors)


def kinesalite_ready():
    """Installs kinesalite@3.3.3 into KINESALITE_DIR when missing; True when usable."""
    d = os.environ.get("KINESALITE_DIR", os.path.expanduser("~/.cache/sluice-bench"))
    os.environ["KINESALITE_DIR"] = d
    cli = os.path.join(d, "node_modules", "kinesalite", "cli.js")
    if os.path.exists(cli):
        return True
    try:
        os.makedirs(d, exist_ok=True)
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "kinesalite@3.3.3"],
                           cwd=d, capture_output=True, timeout=300)
        if r.returncode != 0:
            print("SKIP kinesalite: npm install kinesalite@3.3.3 failed: %s"
                  % r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:])
    except (OSError, subprocess.TimeoutExpired) as e:
        print("SKIP kinesalite: npm install kinesalite@3.3.3 failed: %s" % e)
    return os.path.exists(cli)


def main():
    t = Tester()
    srv = Server(extra_args=["--fsync", "never"], peer="").start()
    try:
        check_peer(t, srv, "sluice serve")
    finally:
        srv.cleanup()
    check_retry(t)
    check_sql_errors(t)
    ran_kinesalite = False
    if kinesalite_ready():
        k = Server(peer="kinesalite")
        try:
            k.start()
        except RuntimeError as e:
            print("SKIP kinesalite: did not start: %s" % e)
        else:
            try:
                check_peer(t, k, "kinesalite")
                ran_kinesalite = True
            finally:
                k.cleanup()
    rc = t.finish()
    if rc == 0 and not ran_kinesalite:
        print("SKIP: the sluice serve cases passed; kinesalite was not available")
        return 77
    return rc


if __name__ == "__main__":
    sys.exit(main())
