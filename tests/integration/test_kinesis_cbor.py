"""The Kinesis API in application/x-amz-cbor-1.1, as the Java SDKs (and so KCL, KPL, Flink)
send it: byte-string blobs, timestamps as tag 1 + integer epoch milliseconds, errors as a
CBOR map {__type, message}. A small CBOR codec lives here (cbor2 is not installed)."""
import http.client
import struct
import sys
import time

from sluicetest import PEER, Server, Tester, check, create_stream, eq

CBOR_CT = "application/x-amz-cbor-1.1"


class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __repr__(self):
        return "Tag(%d, %r)" % (self.tag, self.value)


class Undefined:
    pass


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError("integer too large for CBOR")


def cbor_encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _head(3, len(b)) + b
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    if isinstance(v, Tag):
        return _head(6, v.tag) + cbor_encode(v.value)
    raise TypeError("cannot CBOR-encode %r" % type(v))


class _Dec:
    def __init__(self, buf):
        self.b, self.i = buf, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("CBOR truncated at %d" % self.i)
        s = self.b[self.i:self.i + n]
        self.i += n
        return s

    def arg(self, ai):
        if ai < 24:
            return ai
        if ai == 31:
            return None  # indefinite
        fmt = {24: ">B", 25: ">H", 26: ">I", 27: ">Q"}.get(ai)
        if not fmt:
            raise ValueError("bad CBOR additional info %d" % ai)
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def item(self):
        ib = self.take(1)[0]
        major, ai = ib >> 5, ib & 31
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai == 22:
                return None
            if ai == 23:
                return Undefined()
            if ai == 25:
                h = struct.unpack(">H", self.take(2))[0]
                return struct.unpack(">e", struct.pack(">H", h))[0]
            if ai == 26:
                return struct.unpack(">f", self.take(4))[0]
            if ai == 27:
                return struct.unpack(">d", self.take(8))[0]
            if ai == 31:
                return StopIteration
            if ai < 24:
                return ("simple", ai)
            raise ValueError("bad CBOR simple %d" % ai)
        n = self.arg(ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while True:
                    x = self.item()
                    if x is StopIteration:
                        break
                    parts.append(x)
                return (b"" if major == 2 else "").join(parts)
            raw = self.take(n)
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            out = []
            while n is None or len(out) < n:
                x = self.item()
                if x is StopIteration:
                    break
                out.append(x)
            return out
        if major == 5:
            out, k = {}, 0
            while n is None or k < n:
                key = self.item()
                if key is StopIteration:
                    break
                out[key] = self.item()
                k += 1
            return out
        if major == 6:
            return Tag(n, self.item())
        raise ValueError("unreachable")


def cbor_decode(buf):
    d = _Dec(buf)
    v = d.item()
    if d.i != len(buf):
        raise ValueError("%d trailing bytes after CBOR item" % (len(buf) - d.i))
    return v


# ------------------------------------------------------------------------- transport

class Cbor:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, op, body):
        payload = cbor_encode(body)
        amzdate = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {
            "Content-Type": CBOR_CT,
            "X-Amz-Target": "Kinesis_20131202." + op,
            "X-Amz-Date": amzdate,
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/%s/us-east-1/kinesis/aws4_request, "
                             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%s"
                             % (amzdate[:8], "0" * 64),
            "User-Agent": "aws-sdk-java/2.20.0 Linux/6 OpenJDK_64-Bit_Server_VM/17",
            "amz-sdk-invocation-id": "00000000-0000-0000-0000-000000000000",
        }
        self.conn.request("POST", "/", body=payload, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        ct = r.getheader("Content-Type", "")
        return r.status, ct, data

    def ok(self, op, body):
        status, ct, data = self.call(op, body)
        if status != 200:
            raise AssertionError("%s: HTTP %d %s %r" % (op, status, ct, data[:300]))
        eq(ct.split(";")[0].strip(), CBOR_CT, "%s reply Content-Type" % op)
        if not data:
            return {}
        v = cbor_decode(data)
        check(isinstance(v, dict), "%s reply is not a CBOR map: %r", op, v)
        return v


def ts_ms(v, what):
    check(isinstance(v, Tag) and v.tag == 1, "%s is not CBOR tag 1: %r", what, v)
    check(isinstance(v.value, int), "%s tag 1 holds %r, not integer milliseconds", what, v.value)
    return v.value


# ------------------------------------------------------------------------- tests

srv = Server().start()
kin = srv.client()
cb = Cbor(srv.port)
t = Tester()
NAME = "cbor-stream"


def test_codec_selfcheck():
    for v in [0, 23, 24, 255, 65536, 2 ** 40, -1, -1000, b"", b"\x00\xff", "h\u00e9", [1, [2]], {"a": {"b": b"c"}},
              True, False, None, 1.5]:
        eq(cbor_decode(cbor_encode(v)), v, "codec round trip")
    eq(cbor_encode(Tag(1, 1700000000123)), bytes.fromhex("c11b0000018bcfe5687b"), "tag 1 encoding")
    eq(cbor_decode(bytes.fromhex("5f42010243030405ff")), b"\x01\x02\x03\x04\x05", "indefinite bytes")


def test_put_get():
    create_stream(kin, NAME, 1)
    blob = bytes(range(256))
    r = cb.ok("PutRecord", {"StreamName": NAME, "Data": blob, "PartitionKey": "pk"})
    check(isinstance(r.get("ShardId"), str) and isinstance(r.get("SequenceNumber"), str),
          "PutRecord reply %r", r)
    eq(r["ShardId"], "shardId-000000000000", "ShardId")
    s1 = r["SequenceNumber"]
    r = cb.ok("PutRecords", {"StreamName": NAME, "Records": [
        {"Data": b"one", "PartitionKey": "a"}, {"Data": b"\x00two\xff", "PartitionKey": "b"}]})
    eq(r.get("FailedRecordCount"), 0, "FailedRecordCount")
    eq(len(r["Records"]), 2, "PutRecords results")
    seqs = [s1] + [x["SequenceNumber"] for x in r["Records"]]
    it = cb.ok("GetShardIterator", {"StreamName": NAME, "ShardId": "shardId-000000000000",
                                    "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    check(isinstance(it, str), "ShardIterator is %r", type(it))
    now = int(time.time() * 1000)
    g = cb.ok("GetRecords", {"ShardIterator": it, "Limit": 100})
    recs = g["Records"]
    eq([x["SequenceNumber"] for x in recs], seqs, "sequence numbers")
    for x in recs:
        check(isinstance(x["Data"], bytes), "Data is %r, not a CBOR byte string", type(x["Data"]))
        ms = ts_ms(x["ApproximateArrivalTimestamp"], "ApproximateArrivalTimestamp")
        check(abs(ms - now) < 30000, "ApproximateArrivalTimestamp %d ms is not near now %d", ms, now)
    eq([x["Data"] for x in recs], [blob, b"one", b"\x00two\xff"], "data round trip")
    eq([x["PartitionKey"] for x in recs], ["pk", "a", "b"], "partition keys")
    check(isinstance(g.get("NextShardIterator"), str), "NextShardIterator %r", g.get("NextShardIterator"))
    eq(g.get("MillisBehindLatest"), 0, "MillisBehindLatest")
    # the same records through JSON (boto3)
    jit = kin.get_shard_iterator(StreamName=NAME, ShardId="shardId-000000000000",
                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    jr = kin.get_records(ShardIterator=jit)["Records"]
    eq([x["Data"] for x in jr], [blob, b"one", b"\x00two\xff"], "CBOR-put data read through JSON")
    for a, b in zip(jr, recs):
        eq(round(a["ApproximateArrivalTimestamp"].timestamp() * 1000),
           b["ApproximateArrivalTimestamp"].value, "arrival time in JSON vs CBOR")


def test_at_timestamp_ms():
    a = cb.ok("PutRecord", {"StreamName": NAME, "Data": b"before", "PartitionKey": "t"})["SequenceNumber"]
    time.sleep(0.08)
    mid = int(time.time() * 1000)
    time.sleep(0.08)
    b = cb.ok("PutRecord", {"StreamName": NAME, "Data": b"after", "PartitionKey": "t"})["SequenceNumber"]
    it = cb.ok("GetShardIterator", {"StreamName": NAME, "ShardId": "shardId-000000000000",
                                    "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": Tag(1, mid)})["ShardIterator"]
    g = cb.ok("GetRecords", {"ShardIterator": it})
    eq([x["SequenceNumber"] for x in g["Records"]], [b], "AT_TIMESTAMP (tag 1, ms) between two records")
    check(a not in [x["SequenceNumber"] for x in g["Records"]], "record before the timestamp returned")
    status, ct, data = cb.call("GetShardIterator", {
        "StreamName": NAME, "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
        "Timestamp": Tag(1, int(time.time() * 1000) + 3600 * 1000)})
    eq(status, 400, "future AT_TIMESTAMP status")
    err = cbor_decode(data)
    eq(err.get("__type"), "InvalidArgumentException", "future AT_TIMESTAMP error")


def test_describe():
    d = cb.ok("DescribeStream", {"StreamName": NAME})["StreamDescription"]
    eq(d["StreamName"], NAME, "StreamName")
    eq(d["StreamStatus"], "ACTIVE", "StreamStatus")
    ms = ts_ms(d["StreamCreationTimestamp"], "StreamCreationTimestamp")
    check(abs(ms - time.time() * 1000) < 120000, "StreamCreationTimestamp %d not near now", ms)
    eq(d["HasMoreShards"], False, "HasMoreShards is a CBOR false")
    eq(d["RetentionPeriodHours"], 24, "RetentionPeriodHours is a CBOR integer")
    eq(len(d["Shards"]), 1, "shards")
    check(isinstance(d["Shards"][0]["HashKeyRange"]["EndingHashKey"], str), "hash keys are text")


def test_errors():
    status, ct, data = cb.call("DescribeStream", {"StreamName": "no-such-stream"})
    eq(status, 400, "status")
    eq(ct.split(";")[0].strip(), CBOR_CT, "error Content-Type")
    err = cbor_decode(data)
    check(isinstance(err, dict), "error body is not a CBOR map: %r", err)
    eq(err.get("__type"), "ResourceNotFoundException", "__type")
    check("no-such-stream" in (err.get("message") or err.get("Message") or ""), "message %r", err)
    status, ct, data = cb.call("GetRecords", {"ShardIterator": "not-an-iterator" * 3})
    eq(status, 400, "bad iterator status")
    eq(cbor_decode(data).get("__type"), "InvalidArgumentException", "bad iterator __type")
    status, ct, data = cb.call("PutRecord", {"StreamName": NAME, "Data": b"x", "PartitionKey": "k" * 257})
    eq(status, 400, "long key status")
    eq(cbor_decode(data).get("__type"), "ValidationException", "long key __type")
    # a body that is not CBOR at all
    cb.conn.request("POST", "/", body=b"\xff\xff\xff", headers={
        "Content-Type": CBOR_CT, "X-Amz-Target": "Kinesis_20131202.DescribeStream",
        "Authorization": "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/kinesis/aws4_request, "
                         "SignedHeaders=host, Signature=00"})
    r = cb.conn.getresponse()
    body = r.read()
    eq(r.status, 400, "garbage CBOR status")
    check(body, "garbage CBOR gave an empty body")
    # the server is still fine afterwards
    cb.ok("DescribeStreamSummary", {"StreamName": NAME})


def test_json_after_cbor_same_connection():
    r = kin.put_record(StreamName=NAME, Data=b"json", PartitionKey="j")
    g = cb.ok("GetShardIterator", {"StreamName": NAME, "ShardId": r["ShardId"],
                                   "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                   "StartingSequenceNumber": r["SequenceNumber"]})
    recs = cb.ok("GetRecords", {"ShardIterator": g["ShardIterator"], "Limit": 1})["Records"]
    eq([(x["Data"], x["PartitionKey"]) for x in recs], [(b"json", "j")], "JSON-put record read through CBOR")


if __name__ == "__main__":
    try:
        for fn in (test_codec_selfcheck, test_put_get, test_at_timestamp_ms, test_describe, test_errors,
                   test_json_after_cbor_same_connection):
            t.run(fn.__name__, fn)
    finally:
        srv.cleanup()
    if PEER:
        print("NOTE peer %s: it may not speak CBOR (kinesalite writes float-second timestamps)" % PEER)
    sys.exit(t.finish())
