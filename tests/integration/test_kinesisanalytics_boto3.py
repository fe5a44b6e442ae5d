#!/usr/bin/env python3
"""The Kinesis Analytics API (KinesisAnalytics_20150814.*) of `sluice serve`, driven by boto3.

End to end: source and destination streams, the stock ticker tumbling-window application
created from a KDA-style JSON description, started from TRIM_HORIZON, its window rows read
from the destination stream; stopped, more records put, the daemon restarted, started again
from LAST_STOPPED_POINT (no record lost, none counted twice for the closed windows); the
daemon restarted while the application runs (it resumes by itself); configuration changes
with ids and versions; CloudWatch logging options (and the file that stands for the log
stream), tags, the Lambda preprocessor kept but refused at start; DiscoverInputSchema from a stream and from an S3 object; /metrics;
and every error type of the API.
"""
import http.server
import json
import os
import sys
import time
import urllib.error
import urllib.request

from sluicetest import (Server, Tester, analytics_client, arn, check, check_clean_exit,
                        create_stream, eq, expect_error, list_all_shards, need_sluice, read_shard,
                        serve_http)

SRC, DST = "ticks", "ticks-out"
ROLE = "arn:aws:iam::000000000000:role/kda"
CODE = """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4), ticks INTEGER, total DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*), SUM(price)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);
"""
TICKERS = ["AMZN", "MSFT", "AAPL"]


def app_request(name="ticker-app", code=CODE, src=SRC, dst=DST):
    return {
        "ApplicationName": name,
        "ApplicationDescription": "stock ticker tumbling window",
        "ApplicationCode": code,
        "Inputs": [{
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": arn(src), "RoleARN": ROLE},
            "InputParallelism": {"Count": 1},
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
            "KinesisStreamsOutput": {"ResourceARN": arn(dst), "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": "JSON"}}],
        "Tags": [{"Key": "team", "Value": "streams"}],
    }


class Run:
    def __init__(self):
        self.srv = Server(extra_args=["--fsync", "never"])
        self.srv.start()
        self.connect()
        self.sent = {t: 0 for t in TICKERS}   # records put per ticker

    def connect(self):
        self.kin = self.srv.client()
        self.ka = analytics_client(self.srv.endpoint)
        self.ka_raw = analytics_client(self.srv.endpoint, validate=False)

    def put(self, n):
        recs = []
        for i in range(n):
            t = TICKERS[i % len(TICKERS)]
            self.sent[t] += 1
            recs.append({"Data": json.dumps({"ticker_symbol": t, "price": 1.0}).encode(),
                         "PartitionKey": t})
        r = self.kin.put_records(StreamName=SRC, Records=recs)
        eq(r["FailedRecordCount"], 0, "failed puts")

    def window_rows(self):
        rows = []
        for sh in list_all_shards(self.kin, DST):
            recs, _ = read_shard(self.kin, DST, sh["ShardId"])
            rows += [json.loads(r["Data"]) for r in recs]
        return rows

    def counted(self):
        got = {t: 0 for t in TICKERS}
        for r in self.window_rows():
            k = {key.upper(): v for key, v in r.items()}
            got[k["TICKER_SYMBOL"]] += int(k["TICKS"])
        return got

    def wait_counts(self, timeout=30.0):
        """Waits until the window rows count every record put; returns the counts."""
        deadline = time.time() + timeout
        while True:
            got = self.counted()
            if got == self.sent or time.time() > deadline:
                return got
            time.sleep(0.3)

    def describe(self, name="ticker-app"):
        return self.ka.describe_application(ApplicationName=name)["ApplicationDetail"]

    def version(self, name="ticker-app"):
        return self.describe(name)["ApplicationVersionId"]


def t_create(r):
    create_stream(r.kin, SRC, shards=2)
    create_stream(r.kin, DST, shards=1)
    s = r.ka.create_application(**app_request())["ApplicationSummary"]
    eq(s["ApplicationStatus"], "READY", "status")
    eq(s["ApplicationName"], "ticker-app", "name")
    check(s["ApplicationARN"].endswith(":application/ticker-app"), "arn %s", s["ApplicationARN"])
    d = r.describe()
    eq(d["ApplicationVersionId"], 1, "version")
    eq(d["ApplicationCode"], CODE, "code")
    ind = d["InputDescriptions"][0]
    eq(ind["InputId"], "1.1", "InputId")
    eq(ind["InAppStreamNames"], ["SOURCE_SQL_STREAM_001"], "InAppStreamNames")
    eq(ind["KinesisStreamsInputDescription"]["ResourceARN"], arn(SRC), "input ARN")
    eq([c["Name"] for c in ind["InputSchema"]["RecordColumns"]], ["TICKER_SYMBOL", "PRICE"], "columns")
    eq(d["OutputDescriptions"][0]["OutputId"], "1.1", "OutputId")
    eq(d["OutputDescriptions"][0]["KinesisStreamsOutputDescription"]["ResourceARN"], arn(DST), "out ARN")
    apps = r.ka.list_applications()
    eq([a["ApplicationName"] for a in apps["ApplicationSummaries"]], ["ticker-app"], "list")
    eq(apps["HasMoreApplications"], False, "HasMore")
    tags = r.ka.list_tags_for_resource(ResourceARN=s["ApplicationARN"])["Tags"]
    eq(tags, [{"Key": "team", "Value": "streams"}], "tags")


def t_run_trim_horizon(r):
    r.put(30)
    r.ka.start_application(ApplicationName="ticker-app", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    d = r.describe()
    eq(d["ApplicationStatus"], "RUNNING", "status")
    eq(d["InputDescriptions"][0]["InputStartingPositionConfiguration"]["InputStartingPosition"],
       "TRIM_HORIZON", "starting position")
    eq(r.wait_counts(), r.sent, "window counts after TRIM_HORIZON")
    rows = r.window_rows()
    check(all(abs(float({k.upper(): v for k, v in x.items()}["TOTAL"]) -
                  int({k.upper(): v for k, v in x.items()}["TICKS"])) < 1e-9 for x in rows),
          "SUM(price) of 1.0 prices equals COUNT: %s", rows[:3])


def t_metrics(r):
    text = urllib.request.urlopen(r.srv.endpoint + "/metrics", timeout=10).read().decode()
    check('sluice_application_status{application="ticker-app",status="RUNNING"} 1' in text,
          "status metric missing:\n%s", text[:800])
    line = [l for l in text.splitlines()
            if l.startswith('sluice_application_records_in_total{application="ticker-app"}')]
    check(line and int(line[0].split()[-1]) >= 30, "records_in: %s", line)
    check('sluice_stream_open_shards{stream="ticks"} 2' in text, "open shards missing")
    check('sluice_application_runner_up{application="ticker-app"} 1' in text, "runner_up missing")
    h = urllib.request.urlopen(r.srv.endpoint + "/health", timeout=10).read().decode()
    check('"ok"' in h, "health: %s", h)


def t_stop_restart_last_stopped(r):
    r.ka.stop_application(ApplicationName="ticker-app")
    eq(r.describe()["ApplicationStatus"], "READY", "after stop")
    r.ka.stop_application(ApplicationName="ticker-app")   # stopping a READY app is a no-op
    r.put(21)
    r.srv.stop()
    r.srv.start()
    r.connect()
    eq(r.describe()["ApplicationStatus"], "READY", "after daemon restart")
    r.ka.start_application(ApplicationName="ticker-app", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "LAST_STOPPED_POINT"}}])
    got = r.wait_counts()
    # The windows closed before the stop were checkpointed: each record counts exactly once.
    eq(got, r.sent, "window counts after LAST_STOPPED_POINT")


def t_resume_running(r):
    r.put(12)
    eq(r.wait_counts(), r.sent, "counts before the restart")
    r.srv.stop()          # the application is RUNNING: the next daemon resumes it
    r.put_after = 9
    r.srv.start()
    r.connect()
    eq(r.describe()["ApplicationStatus"], "RUNNING", "resumed status")
    r.put(9)
    eq(r.wait_counts(), r.sent, "window counts after a daemon restart")


def t_two_apps(r):
    """A second application on the same source runs beside the first; stopping it leaves the
    first running and counting."""
    create_stream(r.kin, "ticks-out-b")
    r.ka.create_application(**app_request("second-app", dst="ticks-out-b"))
    r.ka.start_application(ApplicationName="second-app", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    time.sleep(1.0)   # NOW: records put after the runner has found the shard tips
    r.put(6)
    eq(r.wait_counts(), r.sent, "first app's counts with a second app running")

    def second_counts():
        got = 0
        for sh in list_all_shards(r.kin, "ticks-out-b"):
            recs, _ = read_shard(r.kin, "ticks-out-b", sh["ShardId"])
            got += sum(int({k.upper(): v for k, v in json.loads(x["Data"]).items()}["TICKS"])
                       for x in recs)
        return got
    deadline = time.time() + 30
    while second_counts() != 6 and time.time() < deadline:
        time.sleep(0.3)
    eq(second_counts(), 6, "second app's counts (started at NOW)")
    apps = {a["ApplicationName"]: a["ApplicationStatus"]
            for a in r.ka.list_applications()["ApplicationSummaries"]}
    eq(apps, {"second-app": "RUNNING", "ticker-app": "RUNNING"}, "both running")
    r.ka.stop_application(ApplicationName="second-app")
    eq(r.describe()["ApplicationStatus"], "RUNNING", "first app after the second stopped")
    r.put(3)
    eq(r.wait_counts(), r.sent, "first app still counting")
    r.ka.delete_application(ApplicationName="second-app",
                            CreateTimestamp=r.describe("second-app")["CreateTimestamp"])


def t_changes(r):
    v = r.version()
    expect_error("ResourceInUseException", "RUNNING", r.ka.start_application,
                 ApplicationName="ticker-app", InputConfigurations=[
                     {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    r.ka.stop_application(ApplicationName="ticker-app")
    create_stream(r.kin, "ticks-copy")
    out = {"Name": "DESTINATION_SQL_STREAM",
           "KinesisStreamsOutput": {"ResourceARN": arn("ticks-copy"), "RoleARN": ROLE},
           "DestinationSchema": {"RecordFormatType": "CSV"}}
    r.ka.add_application_output(ApplicationName="ticker-app", CurrentApplicationVersionId=v, Output=out)
    d = r.describe()
    eq(d["ApplicationVersionId"], v + 1, "version after AddApplicationOutput")
    eq([o["OutputId"] for o in d["OutputDescriptions"]], ["1.1", "2.1"], "output ids")
    expect_error("ConcurrentModificationException", "version", r.ka.add_application_output,
                 ApplicationName="ticker-app", CurrentApplicationVersionId=v, Output=out)
    r.ka.delete_application_output(ApplicationName="ticker-app", CurrentApplicationVersionId=v + 1,
                                   OutputId="1.1")
    d = r.describe()
    eq([o["OutputId"] for o in d["OutputDescriptions"]], ["2.1"], "ids after delete")
    eq(d["ApplicationVersionId"], v + 2, "version after DeleteApplicationOutput")
    expect_error("ResourceNotFoundException", "1.1", r.ka.delete_application_output,
                 ApplicationName="ticker-app", CurrentApplicationVersionId=v + 2, OutputId="1.1")
    r.ka.update_application(ApplicationName="ticker-app", CurrentApplicationVersionId=v + 2,
                            ApplicationUpdate={
                                "OutputUpdates": [{"OutputId": "2.1", "KinesisStreamsOutputUpdate":
                                                   {"ResourceARNUpdate": arn(DST)},
                                                   "DestinationSchemaUpdate": {"RecordFormatType": "JSON"}}],
                                "InputUpdates": [{"InputId": "1.1", "InputParallelismUpdate": {"CountUpdate": 1}}]})
    d = r.describe()
    eq(d["ApplicationVersionId"], v + 3, "version after UpdateApplication")
    o = d["OutputDescriptions"][0]
    eq((o["OutputId"], o["KinesisStreamsOutputDescription"]["ResourceARN"],
        o["DestinationSchema"]["RecordFormatType"]), ("2.1", arn(DST), "JSON"), "updated output")
    # Invalid SQL: CodeValidationException naming line and column; nothing changes.
    bad = CODE.replace("COUNT(*)", "COUNT(*) +")
    e = expect_error("CodeValidationException", ("line 4", "column"), r.ka.update_application,
                     ApplicationName="ticker-app", CurrentApplicationVersionId=v + 3,
                     ApplicationUpdate={"ApplicationCodeUpdate": bad})
    eq(r.version(), v + 3, "version after a refused update")
    print("     CodeValidationException:", e.response["Error"]["Message"])
    r.ka.update_application(ApplicationName="ticker-app", CurrentApplicationVersionId=v + 3,
                            ApplicationUpdate={"ApplicationCodeUpdate": CODE + "\n-- v2\n"})
    eq(r.describe()["ApplicationCode"], CODE + "\n-- v2\n", "code updated")
    cols = app_request()["Inputs"][0]["InputSchema"]["RecordColumns"] + [
        {"Name": "SECTOR", "SqlType": "VARCHAR(8)", "Mapping": "$.sector"}]
    r.ka.update_application(ApplicationName="ticker-app", CurrentApplicationVersionId=v + 4,
                            ApplicationUpdate={"InputUpdates": [{"InputId": "1.1", "InputSchemaUpdate": {
                                "RecordColumnUpdates": cols}}]})
    ind = r.describe()["InputDescriptions"][0]
    eq([c["Name"] for c in ind["InputSchema"]["RecordColumns"]], ["TICKER_SYMBOL", "PRICE", "SECTOR"],
       "columns after InputSchemaUpdate")
    eq(ind["InputSchema"]["RecordFormat"]["RecordFormatType"], "JSON", "format kept")
    ref = {"TableName": "COMPANIES",
           "S3ReferenceDataSource": {"BucketARN": "arn:aws:s3:::bucket", "FileKey": "data/companies.csv",
                                     "ReferenceRoleARN": ROLE},
           "ReferenceSchema": {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
               "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
               "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)"},
                                 {"Name": "COMPANY", "SqlType": "VARCHAR(32)"}]}}
    r.ka.add_application_reference_data_source(ApplicationName="ticker-app",
                                               CurrentApplicationVersionId=v + 5, ReferenceDataSource=ref)
    d = r.describe()
    rd = d["ReferenceDataSourceDescriptions"][0]
    eq((rd["ReferenceId"], rd["TableName"], rd["S3ReferenceDataSourceDescription"]["BucketARN"],
        rd["S3ReferenceDataSourceDescription"]["FileKey"]),
       ("1.1", "COMPANIES", "arn:aws:s3:::bucket", "data/companies.csv"), "reference source")
    r.ka.delete_application_reference_data_source(ApplicationName="ticker-app",
                                                  CurrentApplicationVersionId=v + 6, ReferenceId="1.1")
    d = r.describe()
    eq((d["ReferenceDataSourceDescriptions"], d["ApplicationVersionId"]), ([], v + 7),
       "after DeleteApplicationReferenceDataSource")

LOG_ARN = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/kda/log-app:log-stream:errors"


def t_logging_tags_processing(r):
    """CloudWatch logging options (kept, described, updated, and where the application's
    failure messages are written), tags, and the Lambda input preprocessor sluice keeps but
    cannot run."""
    create_stream(r.kin, "log-src")
    req = app_request(name="log-app", src="log-src")
    req["CloudWatchLoggingOptions"] = [{"LogStreamARN": LOG_ARN, "RoleARN": ROLE}]
    r.ka.create_application(**req)
    d = r.describe("log-app")
    eq(d["CloudWatchLoggingOptionDescriptions"],
       [{"CloudWatchLoggingOptionId": "1.1", "LogStreamARN": LOG_ARN, "RoleARN": ROLE}],
       "logging option from CreateApplication")
    v = d["ApplicationVersionId"]
    expect_error("LimitExceededException", "at most 1", r.ka.add_application_cloud_watch_logging_option,
                 ApplicationName="log-app", CurrentApplicationVersionId=v,
                 CloudWatchLoggingOption={"LogStreamARN": LOG_ARN + "2", "RoleARN": ROLE})
    r.ka.delete_application_cloud_watch_logging_option(
        ApplicationName="log-app", CurrentApplicationVersionId=v, CloudWatchLoggingOptionId="1.1")
    d = r.describe("log-app")
    eq((d["CloudWatchLoggingOptionDescriptions"], d["ApplicationVersionId"]), ([], v + 1),
       "after DeleteApplicationCloudWatchLoggingOption")
    expect_error("ResourceNotFoundException", "1.1", r.ka.delete_application_cloud_watch_logging_option,
                 ApplicationName="log-app", CurrentApplicationVersionId=v + 1,
                 CloudWatchLoggingOptionId="1.1")
    expect_error("InvalidArgumentException", ("LogStreamARN", "log-group"),
                 r.ka.add_application_cloud_watch_logging_option,
                 ApplicationName="log-app", CurrentApplicationVersionId=v + 1,
                 CloudWatchLoggingOption={"LogStreamARN": "arn:aws:s3:::bucket", "RoleARN": ROLE})
    r.ka.add_application_cloud_watch_logging_option(
        ApplicationName="log-app", CurrentApplicationVersionId=v + 1,
        CloudWatchLoggingOption={"LogStreamARN": LOG_ARN + "-old", "RoleARN": ROLE})
    eq([o["CloudWatchLoggingOptionId"] for o in r.describe("log-app")["CloudWatchLoggingOptionDescriptions"]],
       ["2.1"], "a new option takes the next id")
    r.ka.update_application(ApplicationName="log-app", CurrentApplicationVersionId=v + 2,
                            ApplicationUpdate={"CloudWatchLoggingOptionUpdates": [
                                {"CloudWatchLoggingOptionId": "2.1", "LogStreamARNUpdate": LOG_ARN}]})
    d = r.describe("log-app")
    eq(d["CloudWatchLoggingOptionDescriptions"],
       [{"CloudWatchLoggingOptionId": "2.1", "LogStreamARN": LOG_ARN, "RoleARN": ROLE}],
       "after CloudWatchLoggingOptionUpdates")
    v = d["ApplicationVersionId"]

    # Tags: added, replaced, removed; the version does not move; 50 at most.
    app_arn = d["ApplicationARN"]
    r.ka.tag_resource(ResourceARN=app_arn, Tags=[{"Key": "team", "Value": "alerts"},
                                                 {"Key": "env", "Value": "test"}])
    eq(r.ka.list_tags_for_resource(ResourceARN=app_arn)["Tags"],
       [{"Key": "team", "Value": "alerts"}, {"Key": "env", "Value": "test"}], "tags after TagResource")
    r.ka.untag_resource(ResourceARN=app_arn, TagKeys=["team", "absent"])
    eq(r.ka.list_tags_for_resource(ResourceARN=app_arn)["Tags"], [{"Key": "env", "Value": "test"}],
       "tags after UntagResource")
    expect_error("TooManyTagsException", "51 tags", r.ka.tag_resource, ResourceARN=app_arn,
                 Tags=[{"Key": "k%d" % i, "Value": ""} for i in range(50)])
    eq(len(r.ka.list_tags_for_resource(ResourceARN=app_arn)["Tags"]), 1, "tags kept after refusal")
    expect_error("ResourceNotFoundException", "nope", r.ka.tag_resource,
                 ResourceARN=app_arn.replace("log-app", "nope"), Tags=[{"Key": "a", "Value": "b"}])
    eq(r.version("log-app"), v, "tags leave the version")

    # A Lambda preprocessor is kept and described; the application then refuses to start.
    lam = {"InputLambdaProcessor": {"ResourceARN": "arn:aws:lambda:us-east-1:000000000000:function:pre",
                                    "RoleARN": ROLE}}
    r.ka.add_application_input_processing_configuration(
        ApplicationName="log-app", CurrentApplicationVersionId=v, InputId="1.1",
        InputProcessingConfiguration=lam)
    ind = r.describe("log-app")["InputDescriptions"][0]
    eq(ind["InputProcessingConfigurationDescription"]["InputLambdaProcessorDescription"]["ResourceARN"],
       lam["InputLambdaProcessor"]["ResourceARN"], "preprocessor described")
    start = dict(ApplicationName="log-app", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    expect_error("InvalidApplicationConfigurationException", "Lambda", r.ka.start_application, **start)
    r.ka.delete_application_input_processing_configuration(
        ApplicationName="log-app", CurrentApplicationVersionId=v + 1, InputId="1.1")

    # A failure of the running application is written to the log stream's file.
    r.ka.start_application(**start)
    r.kin.delete_stream(StreamName="log-src")
    path = os.path.join(r.srv.data, "logs", "%2Faws%2Fkda%2Flog-app", "errors.log")
    deadline = time.time() + 20
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.2)
    check(os.path.exists(path), "no log file %s", path)
    line = json.loads(open(path).readline())
    eq((line["applicationName"], line["messageType"]), ("log-app", "ERROR"), "log line")
    check("does not exist" in line["message"], "log message %r", line["message"])
    check(abs(line["timestamp"] / 1000 - time.time()) < 60, "log timestamp %r", line["timestamp"])
    r.ka.stop_application(ApplicationName="log-app")
    r.ka.delete_application(ApplicationName="log-app",
                            CreateTimestamp=r.describe("log-app")["CreateTimestamp"])


def t_errors(r):
    expect_error("ResourceInUseException", "already exists", r.ka.create_application, **app_request())
    bad = app_request("bad-sql", code=CODE.replace("FROM \"SOURCE_SQL_STREAM_001\"\nGROUP",
                                                   "FROM \"NO_SUCH_STREAM\"\nGROUP"))
    e = expect_error("CodeValidationException", ("line 5, column",), r.ka.create_application, **bad)
    print("     CodeValidationException:", e.response["Error"]["Message"])
    e = expect_error("CodeValidationException", ("line 1, column 8",), r.ka.create_application,
                     **app_request("bad-syntax", code="CREATE STREAMX foo;"))
    expect_error("ResourceNotFoundException", "nope", r.ka.describe_application, ApplicationName="nope")
    expect_error("ResourceNotFoundException", "nope", r.ka.start_application, ApplicationName="nope",
                 InputConfigurations=[])
    expect_error("InvalidArgumentException", "no-such-stream", r.ka.create_application,
                 **app_request("bad-stream", src="no-such-stream"))
    req = app_request("bad-schema")
    req["Inputs"][0]["InputSchema"]["RecordColumns"][1]["SqlType"] = "DUBBLE"
    expect_error("InvalidArgumentException", "SqlType", r.ka.create_application, **req)
    expect_error("ValidationException", "applicationName", r.ka_raw.describe_application,
                 ApplicationName="bad name!")
    expect_error("InvalidArgumentException", "9.9", r.ka.start_application,
                 ApplicationName="ticker-app", InputConfigurations=[
                     {"Id": "9.9", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    expect_error("ConcurrentModificationException", "version", r.ka.update_application,
                 ApplicationName="ticker-app", CurrentApplicationVersionId=999,
                 ApplicationUpdate={"ApplicationCodeUpdate": CODE})
    expect_error("LimitExceededException", "at most", r.ka.add_application_input,
                 ApplicationName="ticker-app", CurrentApplicationVersionId=r.version(),
                 Input=app_request()["Inputs"][0])
    create_stream(r.kin, "empty")
    expect_error("UnableToDetectSchemaException", "No records", r.ka.discover_input_schema,
                 ResourceARN=arn("empty"), RoleARN=ROLE,
                 InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    import datetime
    expect_error("ResourceNotFoundException", "create timestamp", r.ka.delete_application,
                 ApplicationName="ticker-app",
                 CreateTimestamp=datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc))
    # An application whose input stream went away cannot start; it stays READY.
    create_stream(r.kin, "gone")
    r.ka.create_application(**app_request("gone-app", src="gone"))
    r.kin.delete_stream(StreamName="gone")
    for _ in range(100):
        if "gone" not in r.kin.list_streams()["StreamNames"]:
            break
        time.sleep(0.05)
    expect_error("InvalidApplicationConfigurationException", None, r.ka.start_application,
                 ApplicationName="gone-app", InputConfigurations=[
                     {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    eq(r.describe("gone-app")["ApplicationStatus"], "READY", "status after a failed start")
    r.ka.delete_application(ApplicationName="gone-app",
                            CreateTimestamp=r.describe("gone-app")["CreateTimestamp"])
    r.ka.start_application(ApplicationName="ticker-app", InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    # An operation of the API's version 2 (not served): UnknownOperationException.
    req = urllib.request.Request(r.srv.endpoint, data=b"{}", method="POST", headers={
        "X-Amz-Target": "KinesisAnalytics_20150814.CreateApplicationSnapshot",
        "Content-Type": "application/x-amz-json-1.1"})
    try:
        urllib.request.urlopen(req, timeout=10)
        check(False, "CreateApplicationSnapshot succeeded")
    except urllib.error.HTTPError as e:
        eq((e.code, json.loads(e.read())["__type"]), (400, "UnknownOperationException"),
           "unknown operation")


def t_discover_stream(r):
    create_stream(r.kin, "disco")
    recs = [{"ticker_symbol": "AMZN", "price": 10.5, "sector": {"name": "TECHNOLOGY"},
             "timestamp": 1700000000, "9lives": True},
            {"ticker_symbol": "MSFT", "price": 3, "sector": {"name": "TECH"},
             "timestamp": 1700000001, "9lives": False}]
    for x in recs:
        r.kin.put_record(StreamName="disco", Data=json.dumps(x).encode(), PartitionKey="p")
    d = r.ka.discover_input_schema(ResourceARN=arn("disco"), RoleARN=ROLE,
                                   InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    s = d["InputSchema"]
    eq(s["RecordFormat"]["RecordFormatType"], "JSON", "format")
    cols = [(c["Name"], c["SqlType"], c["Mapping"]) for c in s["RecordColumns"]]
    eq(cols, [("TICKER_SYMBOL", "VARCHAR(4)", "$.ticker_symbol"), ("PRICE", "DOUBLE", "$.price"),
              ("SECTOR_NAME", "VARCHAR(16)", "$.sector.name"),
              ("COL_TIMESTAMP", "INTEGER", "$.timestamp"), ("COL_9LIVES", "BOOLEAN", "$.9lives")],
       "discovered columns")
    eq(len(d["RawInputRecords"]), 2, "raw records")
    eq(d["ParsedInputRecords"][0][:3], ["AMZN", "10.5", "TECHNOLOGY"], "parsed record")
    # The discovered schema is one CreateApplication accepts, with code reading its columns.
    req = app_request("disco-app", src="disco", code=(
        'CREATE STREAM "D" (s VARCHAR(16), t INTEGER);\n'
        'CREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM "SECTOR_NAME", "COL_TIMESTAMP"\n'
        'FROM "SOURCE_SQL_STREAM_001" WHERE "COL_9LIVES";'))
    req["Inputs"][0]["InputSchema"] = s
    del req["Outputs"]
    r.ka.create_application(**req)
    r.ka.delete_application(ApplicationName="disco-app",
                            CreateTimestamp=r.describe("disco-app")["CreateTimestamp"])


class S3Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/bucket/data/ticks.csv":
            body = b"AMZN,10.5,2024-01-01\nMSFT,11,2024-01-02\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *a):
        pass


def t_discover_s3(r):
    d = r.ka.discover_input_schema(S3Configuration={
        "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::bucket", "FileKey": "data/ticks.csv"})
    s = d["InputSchema"]
    eq(s["RecordFormat"]["RecordFormatType"], "CSV", "format")
    eq([(c["Name"], c["SqlType"]) for c in s["RecordColumns"]],
       [("COL_1", "VARCHAR(4)"), ("COL_2", "DOUBLE"), ("COL_3", "VARCHAR(16)")], "csv columns")
    eq(d["ParsedInputRecords"][1], ["MSFT", "11", "2024-01-02"], "parsed csv")


def t_delete(r):
    d = r.describe()
    r.ka.delete_application(ApplicationName="ticker-app", CreateTimestamp=d["CreateTimestamp"])
    expect_error("ResourceNotFoundException", "ticker-app", r.ka.describe_application,
                 ApplicationName="ticker-app")
    eq(r.ka.list_applications()["ApplicationSummaries"], [], "list after delete")


def t_clean_exit(r):
    check_clean_exit(r.srv)


def main():
    t = Tester()
    if not need_sluice(t, "Kinesis Analytics API"):
        return 0
    s3 = serve_http(S3Handler)
    os.environ["SLUICE_S3_ENDPOINT"] = "http://127.0.0.1:%d" % s3.server_address[1]
    r = Run()
    try:
        for name, fn in [("create and describe", t_create),
                         ("run from TRIM_HORIZON", t_run_trim_horizon),
                         ("metrics", t_metrics),
                         ("stop, restart daemon, LAST_STOPPED_POINT", t_stop_restart_last_stopped),
                         ("daemon restart resumes a RUNNING app", t_resume_running),
                         ("two applications at once", t_two_apps),
                         ("configuration changes", t_changes),
                         ("logging options, tags, preprocessing", t_logging_tags_processing),
                         ("errors", t_errors),
                         ("discover schema from a stream", t_discover_stream),
                         ("discover schema from S3", t_discover_s3),
                         ("delete", t_delete),
                         ("clean exit", t_clean_exit)]:
            if not t.run(name, fn, r):
                if name in ("create and describe",):
                    break
    finally:
        r.srv.cleanup()
        s3.shutdown()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
