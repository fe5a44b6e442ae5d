"""sluicetest - shared helpers for the Kinesis integration tests (plain scripts, no pytest).

    srv = Server(extra_args=["--fsync", "never"]).start()   # temp data dir, free port
    kin = srv.client()                                       # boto3 client, 1 attempt
    t = Tester()
    t.run("create and describe", lambda: ...)               # counts pass/fail
    t.expect_error("ResourceNotFoundException", "not found", kin.describe_stream, StreamName="x")
    srv.stop()                 # SIGTERM; srv.stop(kill=True) sends SIGKILL
    srv.start()                # restarts on the same data dir and port
    sys.exit(t.finish())       # prints "N passed, N failed"

Environment: SLUICE = the sluice binary (default build/sluice under SLUICE_SRC or the repo).
SLUICE_TEST_PEER=moto|kinesalite runs the same tests against moto_server or kinesalite
(KINESALITE_DIR, default ~/.cache/sluice-bench, holds node_modules/kinesalite) to check the
tests themselves; restart/durability tests need sluice and say so.
"""
import base64
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "000000000000"
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("SLUICE_SRC") or os.path.abspath(os.path.join(HERE, "..", ".."))
PEER = os.environ.get("SLUICE_TEST_PEER", "")


def sluice_bin():
    path = os.environ.get("SLUICE") or os.path.join(SRC, "build", "sluice")
    if not os.access(path, os.X_OK):
        raise SystemExit("sluicetest: no sluice binary at %s (set SLUICE)" % path)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def arn(name):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name)


class Server:
    """One `sluice serve` process on a temp data dir (or a peer emulator)."""

    def __init__(self, extra_args=(), data=None, port=None, peer=None):
        self.extra_args = list(extra_args)
        self.peer = PEER if peer is None else peer
        self._own_data = data is None
        self.data = data or tempfile.mkdtemp(prefix="sluice-it-")
        self.port = port or free_port()
        self.proc = None
        self.log = []           # stderr lines of every run
        self._reader = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def _cmd(self):
        if self.peer == "moto":
            return ["moto_server", "-H", "127.0.0.1", "-p", str(self.port)]
        if self.peer == "kinesalite":
            d = os.environ.get("KINESALITE_DIR", os.path.expanduser("~/.cache/sluice-bench"))
            return ["node", os.path.join(d, "node_modules", "kinesalite", "cli.js"),
                    "--port", str(self.port), "--createStreamMs", "0", "--deleteStreamMs", "0",
                    "--updateStreamMs", "0", "--shardLimit", "100"]
        return [sluice_bin(), "serve", "--port", str(self.port), "--data", self.data] + self.extra_args

    def start(self, timeout=15.0):
        assert self.proc is None, "server already running"
        listening = threading.Event()
        self.proc = subprocess.Popen(self._cmd(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def read(p=self.proc):
            for raw in p.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.log.append(line)
                if "listening on" in line:
                    listening.set()
        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self._reader.join(1)
                raise RuntimeError("server exited with %s before listening:\n%s"
                                   % (self.proc.returncode, "\n".join(self.log[-30:])))
            if listening.is_set():
                return self
            if self.peer:   # peers print other things: probe the port
                try:
                    socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                    return self
                except OSError:
                    pass
            time.sleep(0.02)
        self.stop(kill=True)
        raise RuntimeError("server did not print 'listening on' within %.0f s:\n%s"
                           % (timeout, "\n".join(self.log[-30:])))

    def stop(self, kill=False, timeout=10.0):
        """SIGTERM (or SIGKILL) and wait; returns the exit status."""
        if self.proc is None:
            return None
        p, self.proc = self.proc, None
        if p.poll() is None:
            p.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                raise RuntimeError("server ignored SIGTERM for %.0f s" % timeout)
        if self._reader:
            self._reader.join(2)
        return p.returncode

    def restart(self, kill=False):
        self.stop(kill=kill)
        return self.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self):
        try:
            self.stop(kill=True)
        finally:
            if self._own_data:
                shutil.rmtree(self.data, ignore_errors=True)

    def client(self, validate=True, timeout=30):
        return client(self.endpoint, validate=validate, timeout=timeout)

    def aws(self, *args, **kw):
        return aws_cli(self.endpoint, *args, **kw)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def client(endpoint, validate=True, timeout=30):
    """A boto3 Kinesis client with dummy credentials and no retries. validate=False turns off
    botocore's own parameter checks so bad input reaches the server."""
    cfg = Config(retries={"total_max_attempts": 1}, parameter_validation=validate,
                 connect_timeout=5, read_timeout=timeout)
    return boto3.client("kinesis", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                        config=cfg)


def aws_env():
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    return env


def aws_cli(endpoint, *args, input=None, check=True):
    """Runs `aws kinesis ARGS --endpoint-url E --output json`; returns (rc, parsed stdout or
    text, stderr). check=True raises on a non-zero exit."""
    cmd = ["aws", "kinesis"] + list(args) + ["--endpoint-url", endpoint, "--output", "json"]
    r = subprocess.run(cmd, input=input, capture_output=True, env=aws_env(), timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    if check and r.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(args), r.returncode, err.strip()))
    try:
        parsed = json.loads(out) if out.strip() else {}
    except ValueError:
        parsed = out
    return r.returncode, parsed, err


class Tester:
    def __init__(self, name=None):
        self.name = name or os.path.basename(sys.argv[0])
        self.passed = 0
        self.failed = 0
        self.failures = []

    def run(self, name, fn, *args, **kw):
        t0 = time.time()
        try:
            fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - any exception is a failed case
            self.failed += 1
            self.failures.append(name)
            print("FAIL %s (%.2fs): %s" % (name, time.time() - t0, e), flush=True)
            tb = traceback.format_exc().strip().splitlines()
            print("     " + "\n     ".join(tb[-8:]), flush=True)
            return False
        self.passed += 1
        print("ok   %s (%.2fs)" % (name, time.time() - t0), flush=True)
        return True

    def finish(self):
        if self.failures:
            print("failed: " + ", ".join(self.failures))
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def expect_error(code, message, fn, *args, **kw):
    """Calls fn and asserts it raises a ClientError with this __type and a message containing
    `message` (a string, or a tuple of strings that must all appear; None skips the text)."""
    try:
        r = fn(*args, **kw)
    except ClientError as e:
        got = e.response.get("Error", {})
        gcode, gmsg = got.get("Code"), got.get("Message") or ""
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        codes = code if isinstance(code, tuple) else (code,)
        assert gcode in codes, "expected %s, got %s: %r" % (code, gcode, gmsg)
        parts = message if isinstance(message, tuple) else ((message,) if message else ())
        for m in parts:
            assert m in gmsg, "%s message %r lacks %r" % (gcode, gmsg, m)
        assert status == 400, "%s came with HTTP %s, expected 400" % (gcode, status)
        return e
    raise AssertionError("expected %s, call succeeded: %r" % (code, _short(r)))


def _short(x, n=300):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


def check(cond, fmt, *args):
    if not cond:
        raise AssertionError(fmt % args if args else fmt)


def serve_http(handler):
    """A local HTTP server (a peer for sluice to call: S3, a webhook receiver) on a free port,
    serving handler's requests on a daemon thread; stop it with .shutdown()."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def fmt_rowtime(ms):
    """sluice's ROWTIME text of epoch milliseconds ("2024-05-01 00:00:01.500")."""
    import datetime
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (ms % 1000)


def check_clean_exit(srv):
    """Stops a `sluice serve` with SIGTERM: it must exit 0 with no sanitizer report in its log."""
    rc = srv.stop()
    bad = [l for l in srv.log if "Sanitizer" in l or "runtime error:" in l]
    check(not bad, "sanitizer reports:\n%s", "\n".join(bad[:20]))
    eq(rc, 0, "daemon exit status")


def eq(got, want, what="value"):
    if got != want:
        raise AssertionError("%s: got %s, want %s" % (what, _short(got), _short(want)))


def wait_active(kin, name, timeout=20.0):
    deadline = time.time() + timeout
    while True:
        st = kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        if st == "ACTIVE":
            return
        if time.time() > deadline:
            raise AssertionError("stream %s still %s after %.0f s" % (name, st, timeout))
        time.sleep(0.05)


def create_stream(kin, name, shards=1, **kw):
    kin.create_stream(StreamName=name, ShardCount=shards, **kw)
    wait_active(kin, name)


def list_all_shards(kin, name):
    shards, token = [], None
    while True:
        r = kin.list_shards(NextToken=token) if token else kin.list_shards(StreamName=name)
        shards += r["Shards"]
        token = r.get("NextToken")
        if not token:
            return shards


def read_shard(kin, name, shard_id, it_type="TRIM_HORIZON", limit=10000, max_empty=2, **kw):
    """Reads a shard from it_type until caught up (max_empty empty replies in a row with
    MillisBehindLatest 0) or shard end. Returns (records, last_response)."""
    it = kin.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=it_type,
                                **kw)["ShardIterator"]
    out, empty = [], 0
    for _ in range(100000):
        r = kin.get_records(ShardIterator=it, Limit=limit)
        out += r["Records"]
        nxt = r.get("NextShardIterator")
        if not nxt:
            return out, r
        if not r["Records"] and r.get("MillisBehindLatest", 0) == 0:
            empty += 1
            if empty >= max_empty:
                return out, r
        else:
            empty = 0
        it = nxt
    raise AssertionError("read_shard did not finish")


def hash_key(partition_key):
    import hashlib
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def b64(b):
    return base64.b64encode(b).decode()


def need_sluice(t, what):
    """For tests that only make sense on sluice (restart, kill -9): fail loudly under a peer."""
    if PEER:
        print("NOTE %s: needs sluice, not run against %s" % (what, PEER))
        return False
    return True


def analytics_client(endpoint, validate=True, timeout=30):
    """A boto3 Kinesis Analytics (2015-08-14, SQL applications) client, configured as
    client()."""
    cfg = Config(retries={"total_max_attempts": 1}, parameter_validation=validate,
                 connect_timeout=5, read_timeout=timeout)
    return boto3.client("kinesisanalytics", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                        config=cfg)


def _pb_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _pb_field(num, payload):
    """A length-delimited protocol-buffers field."""
    return _pb_varint(num << 3 | 2) + _pb_varint(len(payload)) + payload


def kpl_aggregate(records, keys=("pk",)):
    """A KPL aggregated record (magic, AggregatedRecord protocol buffer, MD5 trailer) holding
    `records` (bytes each) under partition key index i % len(keys); written from the
    format's description, independently of sluice's reader (ingest/kpl.c)."""
    import hashlib
    body = b"".join(_pb_field(1, k.encode()) for k in keys)
    for i, data in enumerate(records):
        rec = _pb_varint(1 << 3 | 0) + _pb_varint(i % len(keys)) + _pb_field(3, data)
        body += _pb_field(3, rec)
    return b"\xf3\x89\x9a\xc2" + body + hashlib.md5(body).digest()
