/*
 * test_ingest_store.c - unit tests for ingest/store.h under a virtual clock.
 *
 * The store reads "now" from sl_clock_now_ms(), so a virtual clock (sl_clock_set) drives
 * what the integration tests cannot wait for: iterator expiry after five minutes,
 * retention after a day, closed shards leaving describe, and a clock that steps back. The
 * maintenance thread still ticks on real time (every 50 ms, expiry every second) but reads
 * the virtual "now", so retention tests advance the clock and then wait up to a few real
 * seconds for a pass.
 *
 * Every test gets its own mkdtemp data directory (removed afterwards) and store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "clock.h"
#include "store.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HOUR_MS 3600000LL
#define T0      1700000000000LL /* 2023-11-14, the virtual clock's start */

/* ---- fixture ------------------------------------------------------------------------ */

static _Atomic int64_t vnow;
static char tmpdir[64];
static char datadir[128];
static sl_store_t *st;
static sl_arena_t *A;
static size_t seg_bytes = 256; /* tiny: most batches get their own segment */

static int64_t vclock(void *ctx)
{
    (void)ctx;
    return atomic_load(&vnow);
}

static void set_now(int64_t ms)
{
    atomic_store(&vnow, ms);
}

static void open_store(void)
{
    sl_store_config_t cfg = {0};
    cfg.dir = datadir;
    cfg.fsync = SL_FSYNC_NEVER;
    cfg.segment_bytes = seg_bytes;
    char *err = NULL;
    st = sl_store_open(&cfg, &err);
    if (!st) fail_msg("sl_store_open: %s", err);
}

static void close_store(void)
{
    sl_store_close(st);
    st = NULL;
}

static void reopen_store(void)
{
    close_store();
    open_store();
}

static int setup(void **state)
{
    strcpy(tmpdir, "/tmp/sl_store_XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(datadir, sizeof datadir, "%s/data", tmpdir);
    set_now(T0);
    sl_clock_set(vclock, NULL); /* before the store starts its thread */
    A = sl_arena_new(0);
    open_store();
    return 0;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat sb;
            if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
                rm_tree(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int teardown(void **state)
{
    close_store();
    sl_clock_set(NULL, NULL);
    sl_arena_free(A);
    A = NULL;
    rm_tree(tmpdir);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static void create(const char *name, int shards)
{
    sl_awserr_t err = {0};
    if (sl_store_create_stream(st, name, shards, false, NULL, 0, &err) < 0)
        fail_msg("create %s: %s", name, err.msg);
}

/* Puts one record; returns its result (asserting success). explicit_hash < 0: none. */
static sl_put_result_t put_h(const char *name, const char *pk, const char *data, bool has_h,
                             sl_u128_t h)
{
    sl_put_rec_t r = {(const unsigned char *)data, strlen(data), pk, strlen(pk), has_h, h};
    sl_put_result_t res;
    memset(&res, 0, sizeof res);
    sl_awserr_t err = {0};
    int failed = sl_store_put(st, name, &r, 1, &res, A, &err);
    if (failed != 0) fail_msg("put %s/%s: %d %s %s", name, pk, failed, err.msg,
                              res.message ? res.message : "");
    assert_int_equal(res.code, SL_AWS_OK);
    return res;
}

static sl_put_result_t put(const char *name, const char *pk, const char *data)
{
    return put_h(name, pk, data, false, 0);
}

/* Puts one record with an explicit hash key into the given stream. */
static sl_put_result_t put_at(const char *name, sl_u128_t h, const char *data)
{
    return put_h(name, "pk", data, true, h);
}

static void sid_of(int ix, char out[24])
{
    snprintf(out, 24, "shardId-%012d", ix);
}

static const char *iter(const char *name, int ix, sl_iter_type_t type, const char *seq,
                        int64_t ts)
{
    char sid[24];
    sid_of(ix, sid);
    sl_awserr_t err = {0};
    const char *it = sl_store_get_iterator(st, name, sid, type, seq, ts, A, &err);
    if (!it) fail_msg("get_iterator %s/%d: %s", name, ix, err.msg);
    return it;
}

/* Everything readable from an iterator until the end of a closed shard or (for an open
 * shard) until a call returns nothing. */
typedef struct readout {
    sl_record_t *recs;
    size_t n;
    bool at_end;             /* next_iterator was NULL */
    sl_shard_info_t *children;
    size_t nchildren;
    const char *next;        /* the last next_iterator (open shards) */
} readout_t;

static readout_t read_all(const char *it, int limit)
{
    readout_t out = {0};
    size_t cap = 16;
    out.recs = sl_arena_alloc(A, cap * sizeof(sl_record_t));
    for (int guard = 0; guard < 100000; guard++) {
        sl_get_result_t g;
        sl_awserr_t err = {0};
        if (sl_store_get_records(st, it, limit, A, &g, &err) < 0)
            fail_msg("get_records: %s %s", sl_awserr_name(err.code), err.msg);
        assert_true(g.n <= (size_t)limit);
        for (size_t i = 0; i < g.n; i++) {
            if (out.n == cap) {
                sl_record_t *nr = sl_arena_alloc(A, 2 * cap * sizeof(sl_record_t));
                memcpy(nr, out.recs, cap * sizeof(sl_record_t));
                out.recs = nr;
                cap *= 2;
            }
            out.recs[out.n++] = g.records[i];
        }
        if (!g.next_iterator) {
            out.at_end = true;
            out.children = g.children;
            out.nchildren = g.nchildren;
            return out;
        }
        it = g.next_iterator;
        out.next = it;
        if (g.n == 0) return out;
    }
    fail_msg("read_all did not finish");
    return out;
}

/* The data of record r as a C string (arena). */
static const char *data_of(const sl_record_t *r)
{
    return sl_arena_strndup(A, (const char *)r->data, r->len);
}

static sl_stream_info_t *describe(const char *name)
{
    sl_awserr_t err = {0};
    sl_stream_info_t *d = sl_store_describe(st, name, A, &err);
    if (!d) fail_msg("describe %s: %s", name, err.msg);
    return d;
}

static const sl_shard_info_t *find_shard(const sl_stream_info_t *d, int ix)
{
    for (size_t i = 0; i < d->nshards; i++)
        if (d->shards[i].ix == ix) return &d->shards[i];
    return NULL;
}

static uint64_t counter_of(const char *seq, int want_ix)
{
    uint64_t c;
    int ix;
    assert_true(sl_seqno_parse(seq, &c, &ix));
    assert_int_equal(ix, want_ix);
    return c;
}

/* Expects a get_records failure with the given code. */
static void expect_get_error(const char *it, sl_awserr_code_t code)
{
    sl_get_result_t g;
    sl_awserr_t err = {0};
    int rc = sl_store_get_records(st, it, 100, A, &g, &err);
    if (rc == 0) fail_msg("get_records succeeded, want %s", sl_awserr_name(code));
    if (err.code != code)
        fail_msg("get_records: %s (%s), want %s", sl_awserr_name(err.code), err.msg,
                 sl_awserr_name(code));
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Number of records TRIM_HORIZON returns on one shard. */
static size_t trim_count(const char *name, int ix)
{
    return read_all(iter(name, ix, SL_ITER_TRIM_HORIZON, NULL, 0), 10000).n;
}

/* Waits (real time, up to 4 s) for the maintenance thread to bring shard ix's TRIM_HORIZON
 * count to want; returns the last count seen. */
static size_t wait_trim_count(const char *name, int ix, size_t want)
{
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        n = trim_count(name, ix);
        if (n == want) return n;
        sleep_ms(100);
    }
    return n;
}

/* ---- tests -------------------------------------------------------------------------- */

/* Iterators live five minutes: valid at 299 s, expired after 300 s; the next iterator a
 * read hands out starts a new five minutes. */
static void test_iterator_expiry(void **state)
{
    create("s", 1);
    put("s", "a", "one");
    const char *it = iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0);
    const char *it2 = iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0);

    set_now(T0 + 299000);
    sl_get_result_t g;
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_get_records(st, it, 10, A, &g, &err), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(data_of(&g.records[0]), "one");
    const char *next = g.next_iterator;
    assert_non_null(next);

    set_now(T0 + 300001);
    expect_get_error(it2, SL_AWS_ExpiredIteratorException);
    expect_get_error(it, SL_AWS_ExpiredIteratorException);

    /* The next iterator was issued at 299 s: valid until 599 s. */
    put("s", "a", "two");
    set_now(T0 + 598000);
    readout_t r = read_all(next, 10);
    assert_int_equal(r.n, 1);
    assert_string_equal(data_of(&r.recs[0]), "two");
    set_now(T0 + 299000 + 300001);
    expect_get_error(next, SL_AWS_ExpiredIteratorException);

    /* Garbage and tampered iterators are invalid, not expired. */
    expect_get_error("not-an-iterator", SL_AWS_InvalidArgumentException);
    char *t = sl_arena_strdup(A, r.next);
    t[5] = t[5] == 'A' ? 'B' : 'A';
    expect_get_error(t, SL_AWS_InvalidArgumentException);
}

/* Records older than the retention period disappear with their segments once the
 * maintenance thread passes; newer ones stay; sequence numbers keep growing afterwards,
 * also across a restart. */
static void test_retention(void **state)
{
    create("s", 1);
    char buf[32];
    char last_old_seq[33] = "";
    /* 20 records at T0 (each its own batch, so they span many segments). */
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof buf, "old-%02d-padding-padding-padding", i);
        strcpy(last_old_seq, put("s", "k", buf).seq);
    }
    /* 10 records two hours later. */
    set_now(T0 + 2 * HOUR_MS);
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof buf, "new-%02d-padding-padding-padding", i);
        strcpy(last_old_seq, put("s", "k", buf).seq);
    }
    assert_int_equal(trim_count("s", 0), 30);

    /* One hour into the second day: the T0 records are past 24 h, the others not. */
    set_now(T0 + 25 * HOUR_MS);
    size_t n = wait_trim_count("s", 0, 10);
    assert_int_equal(n, 10);
    readout_t r = read_all(iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0), 10000);
    for (size_t i = 0; i < r.n; i++) {
        snprintf(buf, sizeof buf, "new-%02d-padding-padding-padding", (int)i);
        assert_string_equal(data_of(&r.recs[i]), buf);
    }
    /* AT_TIMESTAMP before the horizon starts at the oldest record kept. */
    r = read_all(iter("s", 0, SL_ITER_AT_TIMESTAMP, NULL, T0), 10000);
    assert_int_equal(r.n, 10);
    assert_string_equal(data_of(&r.recs[0]), "new-00-padding-padding-padding");

    /* Past everything: the shard is empty (a closed log never resurrects records). */
    set_now(T0 + 27 * HOUR_MS);
    assert_int_equal(wait_trim_count("s", 0, 0), 0);

    /* New records are numbered above every number handed out before... */
    uint64_t old = counter_of(last_old_seq, 0);
    sl_put_result_t p = put("s", "k", "after-expiry");
    assert_true(counter_of(p.seq, 0) > old);
    assert_true(strcmp(p.seq, last_old_seq) > 0);
    /* ...and after a restart once everything has expired again. */
    strcpy(last_old_seq, p.seq);
    set_now(T0 + 52 * HOUR_MS);
    assert_int_equal(wait_trim_count("s", 0, 0), 0);
    reopen_store();
    p = put("s", "k", "after-restart");
    if (strcmp(p.seq, last_old_seq) <= 0)
        fail_msg("sequence number went back after restart: %s after %s", p.seq, last_old_seq);
    r = read_all(iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0), 10000);
    assert_int_equal(r.n, 1);
    assert_string_equal(data_of(&r.recs[0]), "after-restart");
}

/* A longer retention keeps records the default would drop. */
static void test_retention_increase(void **state)
{
    create("s", 1);
    for (int i = 0; i < 5; i++) put("s", "k", "kept-for-two-days-xxxxxxxxxxxxxxxxx");
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_set_retention(st, "s", 48, true, &err), 0);
    set_now(T0 + 30 * HOUR_MS);
    sleep_ms(1300); /* at least one expiry pass */
    assert_int_equal(trim_count("s", 0), 5);
    set_now(T0 + 49 * HOUR_MS);
    assert_int_equal(wait_trim_count("s", 0, 0), 0);
}

/* A closed shard is described (and readable) until the retention period after it closed,
 * then it is gone from describe and GetShardIterator. */
static void test_closed_shards_expire(void **state)
{
    create("s", 1);
    put("s", "k", "before split");
    set_now(T0 + 1000);
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_split_shard(st, "s", "shardId-000000000000", (sl_u128_t)1 << 127,
                                          &err),
                     0);
    sl_stream_info_t *d = describe("s");
    assert_int_equal(d->nshards, 3);
    assert_int_equal(d->open_shards, 2);
    assert_true(d->shards[0].closed);
    assert_int_equal(d->shards[0].closed_ms, T0 + 1000);

    set_now(T0 + 1000 + 24 * HOUR_MS - 1);
    d = describe("s");
    assert_int_equal(d->nshards, 3);
    readout_t r = read_all(iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0), 100);
    assert_true(r.at_end);

    set_now(T0 + 1000 + 24 * HOUR_MS + 1);
    d = describe("s");
    assert_int_equal(d->nshards, 2);
    assert_null(find_shard(d, 0));
    assert_non_null(find_shard(d, 1));
    assert_non_null(find_shard(d, 2));
    assert_int_equal(d->open_shards, 2);
    const char *it = sl_store_get_iterator(st, "s", "shardId-000000000000",
                                           SL_ITER_TRIM_HORIZON, NULL, 0, A, &err);
    assert_null(it);
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
    /* Nor can it be split again. */
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_split_shard(st, "s", "shardId-000000000000", 5, &err), -1);
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
    /* Still gone after a restart. */
    reopen_store();
    d = describe("s");
    assert_int_equal(d->nshards, 2);
}

/* Sequence numbers increase strictly per shard, are unique in the stream, carry their
 * shard, and after a restart continue above every number handed out before. */
static void test_sequence_numbers(void **state)
{
    create("s", 3);
    char last[3][33] = {"", "", ""};
    char all[400][33];
    size_t nall = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 150; i++) {
            char pk[16];
            snprintf(pk, sizeof pk, "key-%d", (i * 37) % 101);
            sl_put_result_t p = put("s", pk, "v");
            assert_true(p.shard_ix >= 0 && p.shard_ix < 3);
            assert_int_equal(strlen(p.seq), 32);
            counter_of(p.seq, p.shard_ix);
            if (strcmp(p.seq, last[p.shard_ix]) <= 0)
                fail_msg("shard %d: %s after %s", p.shard_ix, p.seq, last[p.shard_ix]);
            strcpy(last[p.shard_ix], p.seq);
            for (size_t k = 0; k < nall; k++) assert_string_not_equal(all[k], p.seq);
            strcpy(all[nall++], p.seq);
        }
        /* Every record is above its shard's StartingSequenceNumber. */
        sl_stream_info_t *d = describe("s");
        for (int k = 0; k < 3; k++) assert_true(strcmp(d->shards[k].start_seq, last[k]) < 0);
        if (round == 0) {
            /* The largest counter handed out so far, in any shard. */
            uint64_t top = 0;
            for (int k = 0; k < 3; k++)
                if (counter_of(last[k], k) > top) top = counter_of(last[k], k);
            reopen_store();
            sl_put_result_t p = put("s", "first-after-restart", "v");
            assert_true(counter_of(p.seq, p.shard_ix) > top);
            strcpy(last[p.shard_ix], p.seq);
            strcpy(all[nall++], p.seq);
        }
    }
    /* Reading each shard gives its records in sequence order. */
    for (int k = 0; k < 3; k++) {
        readout_t r = read_all(iter("s", k, SL_ITER_TRIM_HORIZON, NULL, 0), 7);
        assert_true(r.n > 0);
        for (size_t i = 1; i < r.n; i++) assert_true(strcmp(r.recs[i - 1].seq, r.recs[i].seq) < 0);
        assert_string_equal(r.recs[r.n - 1].seq, last[k]);
    }
    /* Format and parse agree on the fixed-width form. */
    char s[33];
    sl_seqno_format(12345, 7, s);
    assert_string_equal(s, "49000000000000000123450000000007");
    uint64_t c;
    int ix;
    assert_true(sl_seqno_parse(s, &c, &ix));
    assert_true(c == 12345 && ix == 7);
    assert_false(sl_seqno_parse("4900000000000000012345000000000", &c, &ix));
    assert_false(sl_seqno_parse("50000000000000000123450000000007", &c, &ix));
    assert_false(sl_seqno_parse("4900000000000000012345000000000x", &c, &ix));
}

/* AT_TIMESTAMP starts at the first record that arrived at or after the timestamp. */
static void test_at_timestamp(void **state)
{
    create("s", 1);
    /* Before any record: sees everything put later. */
    const char *early = iter("s", 0, SL_ITER_AT_TIMESTAMP, NULL, T0 - 5000);
    set_now(T0 + 1000);
    put("s", "k", "a");
    set_now(T0 + 2000);
    put("s", "k", "b");
    put("s", "k", "c"); /* same millisecond */
    set_now(T0 + 3000);
    put("s", "k", "d");

    static const struct {
        int64_t ts;
        const char *first;
        size_t n;
    } cases[] = {{T0, "a", 4},        {T0 + 1000, "a", 4}, {T0 + 1001, "b", 3},
                 {T0 + 1999, "b", 3}, {T0 + 2000, "b", 3}, {T0 + 2001, "d", 1},
                 {T0 + 3000, "d", 1}, {T0 + 3001, NULL, 0}, {0, "a", 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        readout_t r = read_all(iter("s", 0, SL_ITER_AT_TIMESTAMP, NULL, cases[i].ts), 100);
        if (r.n != cases[i].n)
            fail_msg("AT_TIMESTAMP %" PRId64 ": %zu records, want %zu", cases[i].ts - T0, r.n,
                     cases[i].n);
        if (r.n) assert_string_equal(data_of(&r.recs[0]), cases[i].first);
        for (size_t k = 0; k < r.n; k++) assert_true(r.recs[k].arrival_ms >= cases[i].ts);
    }
    readout_t r = read_all(early, 100);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.recs[0].arrival_ms, T0 + 1000);
    assert_int_equal(r.recs[3].arrival_ms, T0 + 3000);

    /* A timestamp in the future: nothing now, later records once they arrive. */
    const char *future = iter("s", 0, SL_ITER_AT_TIMESTAMP, NULL, T0 + 3500);
    assert_int_equal(read_all(future, 100).n, 0);
    set_now(T0 + 4000);
    put("s", "k", "e");
    r = read_all(future, 100);
    assert_int_equal(r.n, 1);
    assert_string_equal(data_of(&r.recs[0]), "e");

    /* LATEST sees only what comes after it; AFTER/AT_SEQUENCE_NUMBER position exactly. */
    const char *latest = iter("s", 0, SL_ITER_LATEST, NULL, 0);
    assert_int_equal(read_all(latest, 100).n, 0);
    sl_put_result_t pf = put("s", "k", "f");
    r = read_all(latest, 100);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.recs[0].seq, pf.seq);
    readout_t all = read_all(iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0), 100);
    assert_int_equal(all.n, 6);
    r = read_all(iter("s", 0, SL_ITER_AT_SEQUENCE_NUMBER, all.recs[2].seq, 0), 100);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.recs[0].seq, all.recs[2].seq);
    r = read_all(iter("s", 0, SL_ITER_AFTER_SEQUENCE_NUMBER, all.recs[2].seq, 0), 100);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.recs[0].seq, all.recs[3].seq);
}

/* Split and merge: parents close with an EndingSequenceNumber, children carry lineage and
 * numbers above their parents', and reading a parent to its end returns ChildShards. */
static void test_split_merge_lineage(void **state)
{
    create("s", 1);
    const sl_u128_t half = (sl_u128_t)1 << 127;
    for (int i = 0; i < 5; i++) put_at("s", (sl_u128_t)i * 1000, "p0");
    /* An iterator taken before the split reads across it to the end of the parent. */
    const char *before = iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0);
    set_now(T0 + 10);
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_split_shard(st, "s", "shardId-000000000000", half, &err), 0);
    sl_stream_info_t *d = describe("s");
    assert_int_equal(d->nshards, 3);
    const sl_shard_info_t *s0 = find_shard(d, 0), *s1 = find_shard(d, 1), *s2 = find_shard(d, 2);
    assert_true(s0->closed && !s1->closed && !s2->closed);
    assert_int_equal(strlen(s0->end_seq), 32);
    assert_true(s1->parent_ix == 0 && s1->adjacent_parent_ix == -1);
    assert_true(s2->parent_ix == 0 && s2->adjacent_parent_ix == -1);
    assert_true(s1->start_hash == 0 && s1->end_hash == half - 1);
    assert_true(s2->start_hash == half && s2->end_hash == SL_U128_MAX);
    assert_true(counter_of(s1->start_seq, 1) > counter_of(s0->end_seq, 0));
    assert_true(counter_of(s2->start_seq, 2) > counter_of(s0->end_seq, 0));

    /* Routing after the split, at the boundary. */
    assert_int_equal(put_at("s", 0, "x").shard_ix, 1);
    assert_int_equal(put_at("s", half - 1, "x").shard_ix, 1);
    sl_put_result_t p2 = put_at("s", half, "x");
    assert_int_equal(p2.shard_ix, 2);
    assert_int_equal(put_at("s", SL_U128_MAX, "x").shard_ix, 2);
    assert_true(counter_of(p2.seq, 2) > counter_of(s2->start_seq, 2));

    readout_t r = read_all(before, 2);
    assert_int_equal(r.n, 5);
    assert_true(r.at_end);
    assert_int_equal(r.nchildren, 2);
    assert_true(r.children[0].ix == 1 && r.children[1].ix == 2);
    assert_true(r.children[0].parent_ix == 0);
    for (size_t i = 0; i < r.n; i++)
        assert_true(strcmp(r.recs[i].seq, s0->end_seq) < 0);
    /* LATEST on a closed shard: at its end straight away. */
    r = read_all(iter("s", 0, SL_ITER_LATEST, NULL, 0), 100);
    assert_true(r.at_end && r.n == 0 && r.nchildren == 2);
    /* A sequence number of another shard is refused. */
    memset(&err, 0, sizeof err);
    assert_null(sl_store_get_iterator(st, "s", "shardId-000000000001",
                                      SL_ITER_AT_SEQUENCE_NUMBER, p2.seq, 0, A, &err));
    assert_int_equal(err.code, SL_AWS_InvalidArgumentException);

    /* Merging the children (named in either order) gives one child of both. */
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_merge_shards(st, "s", "shardId-000000000002",
                                           "shardId-000000000001", &err),
                     0);
    d = describe("s");
    assert_int_equal(d->open_shards, 1);
    const sl_shard_info_t *s3 = find_shard(d, 3);
    assert_non_null(s3);
    assert_true(s3->parent_ix == 2 && s3->adjacent_parent_ix == 1);
    assert_true(s3->start_hash == 0 && s3->end_hash == SL_U128_MAX);
    assert_true(find_shard(d, 1)->closed && find_shard(d, 2)->closed);
    assert_int_equal(put_at("s", half, "y").shard_ix, 3);
    assert_int_equal(put("s", "anything", "y").shard_ix, 3);
    for (int ix = 1; ix <= 2; ix++) {
        r = read_all(iter("s", ix, SL_ITER_TRIM_HORIZON, NULL, 0), 100);
        assert_int_equal(r.n, 2);
        assert_true(r.at_end);
        assert_int_equal(r.nchildren, 1);
        assert_int_equal(r.children[0].ix, 3);
        assert_true(counter_of(r.children[0].start_seq, 3) >
                    counter_of(find_shard(d, ix)->end_seq, ix));
    }
    /* Closed shards cannot be resharded again; non-adjacent shards cannot merge. */
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_split_shard(st, "s", "shardId-000000000001", 5000, &err), -1);
    assert_int_equal(err.code, SL_AWS_InvalidArgumentException);
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_split_shard(st, "s", "shardId-000000000003", 1, &err), -1);
    assert_int_equal(err.code, SL_AWS_InvalidArgumentException); /* not > start + 1 */
}

/* A record goes to the open shard whose range holds its explicit hash key, or else the
 * MD5 of its partition key. */
static void test_put_routing(void **state)
{
    create("s", 4);
    sl_stream_info_t *d = describe("s");
    assert_int_equal(d->nshards, 4);
    assert_true(d->shards[0].start_hash == 0);
    assert_true(d->shards[3].end_hash == SL_U128_MAX);
    for (int k = 0; k < 4; k++) {
        const sl_shard_info_t *s = &d->shards[k];
        if (k < 3) assert_true(s->end_hash + 1 == d->shards[k + 1].start_hash);
        assert_true(s->start_hash == ((sl_u128_t)k << 126));
        assert_int_equal(put_at("s", s->start_hash, "x").shard_ix, k);
        assert_int_equal(put_at("s", s->end_hash, "x").shard_ix, k);
        assert_int_equal(put_at("s", s->start_hash + (s->end_hash - s->start_hash) / 2, "x")
                             .shard_ix,
                         k);
    }
    /* MD5("p") = 174832678556295648811075566251100652666, in the third quarter. */
    assert_int_equal(put("s", "p", "x").shard_ix, 2);
    /* An explicit hash key overrides the partition key. */
    assert_int_equal(put_h("s", "p", "x", true, 0).shard_ix, 0);
    for (int i = 0; i < 100; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "user%d", i);
        sl_u128_t h = sl_hashkey_of(pk, strlen(pk));
        sl_put_result_t p = put("s", pk, "x");
        assert_true(h >= d->shards[p.shard_ix].start_hash && h <= d->shards[p.shard_ix].end_hash);
    }
    /* A batch spread over shards keeps each record's result in request order. */
    sl_put_rec_t recs[8];
    sl_put_result_t res[8];
    static const int want[8] = {3, 0, 2, 1, 0, 3, 1, 2};
    for (int i = 0; i < 8; i++) {
        recs[i] = (sl_put_rec_t){(const unsigned char *)"b", 1, "k", 1, true,
                                 ((sl_u128_t)want[i] << 126) + (sl_u128_t)i};
    }
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_put(st, "s", recs, 8, res, A, &err), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(res[i].code, SL_AWS_OK);
        assert_int_equal(res[i].shard_ix, want[i]);
        counter_of(res[i].seq, want[i]);
        for (int j = 0; j < i; j++)
            if (want[j] == want[i]) assert_true(strcmp(res[j].seq, res[i].seq) < 0);
    }
    /* Puts to a missing stream fail as a whole. */
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_put(st, "nosuch", recs, 1, res, A, &err), -1);
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
}

/* A restart keeps streams, shards (ranges, lineage, numbers), tags, retention, records and
 * the iterator key. */
static void test_reopen_keeps_state(void **state)
{
    sl_tag_t tags[2] = {{"team", "data"}, {"env", "test"}};
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_create_stream(st, "alpha", 2, false, tags, 2, &err), 0);
    create("beta", 1);
    assert_int_equal(sl_store_set_retention(st, "alpha", 72, true, &err), 0);
    assert_int_equal(sl_store_split_shard(st, "alpha", "shardId-000000000001",
                                          ((sl_u128_t)3) << 126, &err),
                     0);
    sl_tag_t more = {"owner", "me"};
    assert_int_equal(sl_store_add_tags(st, "beta", &more, 1, &err), 0);
    for (int i = 0; i < 20; i++) {
        char pk[8];
        snprintf(pk, sizeof pk, "%d", i);
        put("alpha", pk, pk);
        put("beta", pk, pk);
    }
    const char *it = iter("beta", 0, SL_ITER_TRIM_HORIZON, NULL, 0);
    sl_stream_info_t *a1 = describe("alpha"), *b1 = describe("beta");
    readout_t ra[4];
    for (int k = 0; k < 4; k++) ra[k] = read_all(iter("alpha", k, SL_ITER_TRIM_HORIZON, NULL, 0), 100);

    reopen_store();
    const char **names;
    assert_int_equal(sl_store_list_streams(st, A, &names), 2);
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[1], "beta");
    sl_stream_info_t *a2 = describe("alpha"), *b2 = describe("beta");
    assert_int_equal(a2->id, a1->id);
    assert_int_equal(a2->retention_hours, 72);
    assert_int_equal(b2->retention_hours, 24);
    assert_int_equal(a2->created_ms, a1->created_ms);
    assert_int_equal(a2->nshards, 4);
    assert_int_equal(a2->open_shards, 3);
    for (size_t k = 0; k < a2->nshards; k++) {
        const sl_shard_info_t *x = &a1->shards[k], *y = &a2->shards[k];
        assert_int_equal(x->ix, y->ix);
        assert_true(x->start_hash == y->start_hash && x->end_hash == y->end_hash);
        assert_int_equal(x->parent_ix, y->parent_ix);
        assert_int_equal(x->adjacent_parent_ix, y->adjacent_parent_ix);
        assert_string_equal(x->start_seq, y->start_seq);
        assert_string_equal(x->end_seq, y->end_seq);
        assert_int_equal(x->closed, y->closed);
        assert_int_equal(x->closed_ms, y->closed_ms);
        assert_int_equal(x->last_arrival_ms, y->last_arrival_ms);
        readout_t r = read_all(iter("alpha", (int)k, SL_ITER_TRIM_HORIZON, NULL, 0), 100);
        assert_int_equal(r.n, ra[k].n);
        for (size_t i = 0; i < r.n; i++) {
            assert_string_equal(r.recs[i].seq, ra[k].recs[i].seq);
            assert_string_equal(data_of(&r.recs[i]), data_of(&ra[k].recs[i]));
        }
    }
    assert_int_equal(a2->ntags, 2);
    assert_string_equal(a2->tags[0].key, "env");
    assert_string_equal(a2->tags[0].value, "test");
    assert_string_equal(a2->tags[1].key, "team");
    assert_int_equal(b2->ntags, 1);
    assert_string_equal(b2->tags[0].key, "owner");
    assert_int_equal(b1->ntags, 1);
    /* An iterator from before the restart still reads. */
    readout_t r = read_all(it, 100);
    assert_int_equal(r.n, 20);
    /* Removing a tag persists too. */
    const char *key = "team";
    assert_int_equal(sl_store_remove_tags(st, "alpha", &key, 1, &err), 0);
    reopen_store();
    assert_int_equal(describe("alpha")->ntags, 1);
}

/* Deleting and recreating a stream under the same name gives a new stream: no old data,
 * and iterators of the old one are refused (also across a restart). */
static void test_delete_recreate(void **state)
{
    create("s", 1);
    put("s", "k", "old");
    const char *old_it = iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0);
    int64_t old_id = describe("s")->id;
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_delete_stream(st, "s", &err), 0);
    assert_null(sl_store_describe(st, "s", A, &err));
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
    expect_get_error(old_it, SL_AWS_ResourceNotFoundException);

    create("s", 1);
    assert_true(describe("s")->id != old_id);
    expect_get_error(old_it, SL_AWS_ResourceNotFoundException);
    assert_int_equal(trim_count("s", 0), 0);
    put("s", "k", "new");
    expect_get_error(old_it, SL_AWS_ResourceNotFoundException);
    const char *new_it = iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0);

    /* Again across a restart: ids are never reused. */
    int64_t mid_id = describe("s")->id;
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_delete_stream(st, "s", &err), 0);
    reopen_store();
    create("s", 1);
    int64_t new_id = describe("s")->id;
    assert_true(new_id != mid_id && new_id != old_id);
    expect_get_error(new_it, SL_AWS_ResourceNotFoundException);
    expect_get_error(old_it, SL_AWS_ResourceNotFoundException);
    assert_int_equal(trim_count("s", 0), 0);
    /* Deleting twice: the second is not found. */
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_delete_stream(st, "s", &err), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(sl_store_delete_stream(st, "s", &err), -1);
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
    /* The deleted streams' data directories are gone. */
    char p[256];
    snprintf(p, sizeof p, "%s/streams/%" PRId64, datadir, old_id);
    struct stat sb;
    assert_int_not_equal(stat(p, &sb), 0);
}

/* Arrival timestamps never go down within a shard, even when the clock steps back (also
 * across a restart). */
static void test_arrival_monotonic(void **state)
{
    create("s", 1);
    set_now(T0 + 100000);
    put("s", "k", "a");
    set_now(T0 + 40000); /* back 60 s */
    put("s", "k", "b");
    set_now(T0 + 40001);
    put("s", "k", "c");
    set_now(T0 + 100005);
    put("s", "k", "d");
    reopen_store();
    set_now(T0 + 1000); /* far back again */
    put("s", "k", "e");
    readout_t r = read_all(iter("s", 0, SL_ITER_TRIM_HORIZON, NULL, 0), 100);
    assert_int_equal(r.n, 5);
    static const int64_t want[5] = {100000, 100000, 100000, 100005, 100005};
    for (size_t i = 0; i < 5; i++) assert_int_equal(r.recs[i].arrival_ms, T0 + want[i]);
    assert_int_equal(describe("s")->shards[0].last_arrival_ms, T0 + 100005);
    /* AT_TIMESTAMP still sees the clamped records in order. */
    r = read_all(iter("s", 0, SL_ITER_AT_TIMESTAMP, NULL, T0 + 100001), 100);
    assert_int_equal(r.n, 2);
    assert_string_equal(data_of(&r.recs[0]), "d");
}

/* A stream created with a delay is CREATING (and takes no puts) until the clock passes
 * the delay. */
static void test_create_delay(void **state)
{
    close_store();
    sl_store_config_t cfg = {0};
    cfg.dir = datadir;
    cfg.fsync = SL_FSYNC_NEVER;
    cfg.segment_bytes = seg_bytes;
    cfg.create_delay_ms = 500;
    char *e = NULL;
    st = sl_store_open(&cfg, &e);
    assert_non_null(st);
    create("s", 1);
    assert_int_equal(describe("s")->status, SL_STREAM_CREATING);
    sl_put_rec_t r = {(const unsigned char *)"x", 1, "k", 1, false, 0};
    sl_put_result_t res;
    sl_awserr_t err = {0};
    assert_int_equal(sl_store_put(st, "s", &r, 1, &res, A, &err), -1);
    assert_int_equal(err.code, SL_AWS_ResourceNotFoundException);
    set_now(T0 + 499);
    assert_int_equal(describe("s")->status, SL_STREAM_CREATING);
    set_now(T0 + 500);
    assert_int_equal(describe("s")->status, SL_STREAM_ACTIVE);
    put("s", "k", "x");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_iterator_expiry),     T(test_retention),        T(test_retention_increase),
        T(test_closed_shards_expire), T(test_sequence_numbers), T(test_at_timestamp),
        T(test_split_merge_lineage), T(test_put_routing),      T(test_reopen_keeps_state),
        T(test_delete_recreate),     T(test_arrival_monotonic), T(test_create_delay),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
