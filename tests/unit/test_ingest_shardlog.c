/*
 * test_ingest_shardlog.c - unit tests for ingest/shardlog.h: appends and reads across
 * batches and segments, seeks by counter and time, reopen, torn-tail recovery and expiry.
 *
 * Every test works in its own mkdtemp directory, removed afterwards. Record contents are a
 * pure function of the counter (see rec_of), so any read can be checked without keeping
 * what was written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "shardlog.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR 32 /* batch header bytes (shardlog.h) */
#define REC 6  /* per-record header bytes */

/* ---- fixture ------------------------------------------------------------------------ */

static char tmpdir[64];
static char logdir[128];
static sl_arena_t *arena;

static int setup(void **state)
{
    strcpy(tmpdir, "/tmp/sl_shardlog_XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(logdir, sizeof logdir, "%s/shard", tmpdir);
    arena = sl_arena_new(0);
    return 0;
}

/* Removes dir and everything below it. */
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
    rm_tree(tmpdir);
    sl_arena_free(arena);
    arena = NULL;
    return 0;
}

/* ---- records ------------------------------------------------------------------------ */

/* The record with counter c: pk "k<c>", data of (c * 7) % 61 bytes derived from c. */
typedef struct rec {
    char pk[24];
    size_t pk_len;
    unsigned char data[64];
    size_t len;
} rec_t;

static void rec_of(uint64_t c, rec_t *r)
{
    r->pk_len = (size_t)snprintf(r->pk, sizeof r->pk, "k%" PRIu64, c);
    r->len = (size_t)((c * 7) % 61);
    for (size_t i = 0; i < r->len; i++) r->data[i] = (unsigned char)(c * 31 + i * 17);
}

/* Bytes a batch of counters first..first+n-1 takes in a segment file. */
static size_t batch_size(uint64_t first, size_t n)
{
    size_t total = HDR;
    for (size_t i = 0; i < n; i++) {
        rec_t r;
        rec_of(first + i, &r);
        total += REC + r.pk_len + r.len;
    }
    return total;
}

static void append(sl_shardlog_t *log, uint64_t first, size_t n, int64_t arrival)
{
    rec_t *rs = calloc(n, sizeof *rs);
    sl_logrec_t *lr = calloc(n, sizeof *lr);
    for (size_t i = 0; i < n; i++) {
        rec_of(first + i, &rs[i]);
        lr[i] = (sl_logrec_t){rs[i].pk, rs[i].pk_len, rs[i].data, rs[i].len};
    }
    char *err = NULL;
    int rc = sl_shardlog_append(log, first, arrival, lr, n, false, &err);
    if (rc) fail_msg("append at %" PRIu64 ": %s", first, err);
    free(rs);
    free(lr);
}

/* Checks that v is the record with counter c and arrival ts. */
static void check_rec(const sl_recview_t *v, uint64_t c, int64_t ts)
{
    rec_t r;
    rec_of(c, &r);
    if (v->counter != c) fail_msg("counter %" PRIu64 ", want %" PRIu64, v->counter, c);
    assert_int_equal(v->arrival_ms, ts);
    assert_int_equal(v->pk_len, r.pk_len);
    assert_memory_equal(v->pk, r.pk, r.pk_len);
    assert_int_equal(v->len, r.len);
    if (r.len) assert_memory_equal(v->data, r.data, r.len);
}

static sl_shardlog_t *open_log(size_t segment_bytes)
{
    char *err = NULL;
    sl_shardlog_t *log = sl_shardlog_open(logdir, segment_bytes, &err);
    if (!log) fail_msg("open: %s", err);
    return log;
}

static long read_log(sl_shardlog_t *log, uint64_t from, size_t limit, size_t max_bytes,
                     sl_recview_t **out)
{
    char *err = NULL;
    long n = sl_shardlog_read(log, from, limit, max_bytes, arena, out, &err);
    if (n < 0) fail_msg("read: %s", err);
    return n;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Segment file names in the log directory, sorted; returns the count. */
static size_t list_segments(char names[][32], size_t max)
{
    size_t n = 0;
    DIR *d = opendir(logdir);
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != 24 || strcmp(e->d_name + 20, ".log")) continue;
        assert_true(n < max);
        memcpy(names[n++], e->d_name, 25); /* 24 characters and the NUL */
    }
    closedir(d);
    qsort(names, n, 32, cmp_name);
    return n;
}

static off_t file_size(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", logdir, name);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    return sb.st_size;
}

/* ---- a reference layout ------------------------------------------------------------- */

/* The batches a test wrote: first counter, count, arrival. Counters have gaps between
 * batches (the store's counter is shared by a stream's shards). */
typedef struct wb {
    uint64_t first;
    size_t n;
    int64_t arrival;
} wb_t;

#define MAXB 400
static wb_t wrote[MAXB];
static size_t nwrote;

/* Appends nb batches of 1..5 records with counters from 10, gaps of 0..2, arrivals from
 * 1000 rising by 0 or 5 ms. */
static void write_batches(sl_shardlog_t *log, size_t nb)
{
    uint64_t c = 10;
    int64_t ts = 1000;
    nwrote = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t n = 1 + (i * 7 + 3) % 5;
        append(log, c, n, ts);
        wrote[nwrote++] = (wb_t){c, n, ts};
        c += n + (i % 3);
        ts += (i % 2) ? 5 : 0;
    }
}

/* The arrival of counter c per the reference, or -1 when c was not written. */
static int64_t ref_arrival(uint64_t c, size_t nb)
{
    for (size_t i = 0; i < nb; i++)
        if (c >= wrote[i].first && c < wrote[i].first + wrote[i].n) return wrote[i].arrival;
    return -1;
}

/* The smallest written counter >= from among the first nb batches, or 0 when none. */
static uint64_t ref_next(uint64_t from, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        if (wrote[i].first + wrote[i].n - 1 < from) continue;
        return from > wrote[i].first ? from : wrote[i].first;
    }
    return 0;
}

/* Reads everything from counter 0 in pages of `page` records and checks it equals the
 * first nb reference batches exactly. */
static void check_all(sl_shardlog_t *log, size_t nb, size_t page)
{
    uint64_t from = 0;
    size_t bi = 0, ri = 0, total = 0;
    for (;;) {
        sl_recview_t *v;
        long n = read_log(log, from, page, SIZE_MAX, &v);
        if (n == 0) break;
        assert_true((size_t)n <= page);
        for (long k = 0; k < n; k++) {
            assert_true(bi < nb);
            check_rec(&v[k], wrote[bi].first + ri, wrote[bi].arrival);
            if (++ri == wrote[bi].n) {
                bi++;
                ri = 0;
            }
            total++;
        }
        from = v[n - 1].counter + 1;
    }
    assert_int_equal(bi, nb);
    assert_int_equal(ri, 0);
    size_t want = 0;
    for (size_t i = 0; i < nb; i++) want += wrote[i].n;
    assert_int_equal(total, want);
    assert_int_equal(sl_shardlog_records(log), want);
    if (nb) {
        assert_int_equal(sl_shardlog_last_counter(log), wrote[nb - 1].first + wrote[nb - 1].n - 1);
        assert_int_equal(sl_shardlog_last_arrival(log), wrote[nb - 1].arrival);
    }
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_empty(void **state)
{
    sl_shardlog_t *log = open_log(1024);
    assert_true(sl_shardlog_empty(log));
    assert_int_equal(sl_shardlog_first_counter(log), 0);
    assert_int_equal(sl_shardlog_last_counter(log), 0);
    assert_int_equal(sl_shardlog_records(log), 0);
    assert_int_equal(sl_shardlog_arrival_at(log, 0), -1);
    sl_recview_t *v;
    assert_int_equal(read_log(log, 0, 100, SIZE_MAX, &v), 0);
    sl_shardlog_close(log);
    sl_shardlog_close(NULL);
}

/* Many batches over several small segments read back exactly, whole and in pages; a read
 * from any counter (inside a batch, in a gap, past the end) starts where it should. */
static void test_append_read_segments(void **state)
{
    sl_shardlog_t *log = open_log(512);
    write_batches(log, 150);
    char names[200][32];
    size_t nseg = list_segments(names, 200);
    assert_true(nseg >= 10);
    /* Each segment is named by the counter of its first batch. */
    for (size_t i = 0; i < nseg; i++) {
        uint64_t first = strtoull(names[i], NULL, 10);
        bool found = false;
        for (size_t b = 0; b < nwrote && !found; b++) found = wrote[b].first == first;
        assert_true(found);
    }
    assert_false(sl_shardlog_empty(log));
    assert_int_equal(sl_shardlog_first_counter(log), 10);
    check_all(log, nwrote, SIZE_MAX);
    check_all(log, nwrote, 1);
    check_all(log, nwrote, 7);
    check_all(log, nwrote, 64);
    check_all(log, nwrote, 65);

    uint64_t last = sl_shardlog_last_counter(log);
    for (uint64_t from = 0; from <= last + 2; from++) {
        sl_recview_t *v;
        long n = read_log(log, from, 3, SIZE_MAX, &v);
        uint64_t want = ref_next(from, nwrote);
        if (!want) {
            assert_int_equal(n, 0);
            assert_int_equal(sl_shardlog_arrival_at(log, from), -1);
            continue;
        }
        assert_true(n >= 1 && n <= 3);
        check_rec(&v[0], want, ref_arrival(want, nwrote));
        for (long k = 1; k < n; k++) {
            uint64_t c = ref_next(v[k - 1].counter + 1, nwrote);
            check_rec(&v[k], c, ref_arrival(c, nwrote));
        }
        assert_int_equal(sl_shardlog_arrival_at(log, from), ref_arrival(want, nwrote));
        sl_arena_reset(arena);
    }
    sl_shardlog_close(log);
}

/* limit caps the count; max_bytes stops after the record that reaches it (pk + data
 * bytes), but a read returns at least one record even when that one is larger. */
static void test_limit_and_max_bytes(void **state)
{
    sl_shardlog_t *log = open_log(300);
    write_batches(log, 40);
    sl_recview_t *v;
    size_t total = sl_shardlog_records(log);
    for (size_t limit = 1; limit <= total + 1; limit++) {
        long n = read_log(log, 0, limit, SIZE_MAX, &v);
        assert_int_equal(n, limit < total ? limit : total);
    }
    assert_int_equal(read_log(log, 0, 0, SIZE_MAX, &v), 0);

    for (size_t max = 1; max < 400; max += 3) {
        long n = read_log(log, 0, SIZE_MAX, max, &v);
        assert_true(n >= 1);
        size_t bytes = 0;
        for (long k = 0; k < n; k++) {
            if (k == n - 1) assert_true(bytes < max); /* it did not stop early */
            bytes += v[k].pk_len + v[k].len;
        }
        if ((size_t)n < total) assert_true(bytes >= max); /* nor too late */
        check_all(log, nwrote, SIZE_MAX);
        sl_arena_reset(arena);
    }
    /* From the middle, with both limits. */
    uint64_t mid = wrote[20].first + 1;
    long n = read_log(log, mid, 2, SIZE_MAX, &v);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].counter, ref_next(mid, nwrote));

    /* One record far larger than max_bytes still comes back alone. */
    uint64_t c = sl_shardlog_last_counter(log) + 1;
    static unsigned char big[5000];
    memset(big, 0xAB, sizeof big);
    sl_logrec_t r[2] = {{"big", 3, big, sizeof big}, {"next", 4, big, 10}};
    char *err = NULL;
    assert_int_equal(sl_shardlog_append(log, c, 99999, r, 2, true, &err), 0);
    n = read_log(log, c, 10, 100, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].len, sizeof big);
    assert_memory_equal(v[0].data, big, sizeof big);
    sl_shardlog_close(log);
}

/* seek_time finds the first record whose arrival >= ts, across runs of equal arrivals that
 * span segment boundaries. */
static void test_seek_time(void **state)
{
    sl_shardlog_t *log = open_log(200);
    /* Arrivals: 100 x6 batches, 200 x6, 300 x1, 500 x3; 2 records each, counters from 1. */
    static const int64_t ts[] = {100, 100, 100, 100, 100, 100, 200, 200, 200,
                                 200, 200, 200, 300, 500, 500, 500};
    size_t nb = sizeof ts / sizeof ts[0];
    nwrote = 0;
    for (size_t i = 0; i < nb; i++) {
        append(log, 1 + 2 * i, 2, ts[i]);
        wrote[nwrote++] = (wb_t){1 + 2 * i, 2, ts[i]};
    }
    char names[64][32];
    assert_true(list_segments(names, 64) >= 4);
    for (int64_t t = 0; t <= 600; t++) {
        uint64_t want = 2 * nb + 1; /* last + 1 */
        for (size_t i = 0; i < nb; i++) {
            if (ts[i] >= t) {
                want = 1 + 2 * i;
                break;
            }
        }
        uint64_t got = sl_shardlog_seek_time(log, t);
        if (got != want) fail_msg("seek_time(%" PRId64 ") = %" PRIu64 ", want %" PRIu64, t, got, want);
    }
    assert_int_equal(sl_shardlog_seek_time(log, INT64_MIN), 1);
    sl_shardlog_close(log);
    /* The same after reopening (the index is rebuilt from the files). */
    log = open_log(200);
    assert_int_equal(sl_shardlog_seek_time(log, 200), 13);
    assert_int_equal(sl_shardlog_seek_time(log, 201), 25);
    assert_int_equal(sl_shardlog_seek_time(log, 501), 33);
    sl_shardlog_close(log);
}

/* A reopened log holds the same records, and appends continue it. */
static void test_reopen(void **state)
{
    sl_shardlog_t *log = open_log(700);
    write_batches(log, 120);
    uint64_t bytes = sl_shardlog_bytes(log);
    sl_shardlog_close(log);
    log = open_log(700);
    check_all(log, nwrote, SIZE_MAX);
    check_all(log, nwrote, 5);
    assert_int_equal(sl_shardlog_bytes(log), bytes);
    assert_int_equal(sl_shardlog_first_counter(log), 10);
    /* Append more, reopen again (with a different segment size), everything is there. */
    uint64_t c = sl_shardlog_last_counter(log) + 5;
    int64_t t = sl_shardlog_last_arrival(log);
    for (int i = 0; i < 20; i++) {
        append(log, c, 3, t + i);
        wrote[nwrote++] = (wb_t){c, 3, t + i};
        c += 3;
    }
    check_all(log, nwrote, SIZE_MAX);
    sl_shardlog_close(log);
    log = open_log(100000);
    check_all(log, nwrote, SIZE_MAX);
    sl_shardlog_close(log);
}

/* Writes nb reference batches with the given segment size and returns the file name of the
 * newest segment; *first_batch receives the index of its first batch. */
static void layout(size_t nb, size_t seg_bytes, char newest[32], size_t *first_batch)
{
    sl_shardlog_t *log = open_log(seg_bytes);
    write_batches(log, nb);
    sl_shardlog_close(log);
    char names[200][32];
    size_t nseg = list_segments(names, 200);
    assert_true(nseg >= 3);
    strcpy(newest, names[nseg - 1]);
    uint64_t first = strtoull(newest, NULL, 10);
    for (size_t i = 0; i < nb; i++) {
        if (wrote[i].first == first) {
            *first_batch = i;
            return;
        }
    }
    fail_msg("no batch starts segment %s", newest);
}

/* After damage, reopening keeps exactly batches [0, keep), the file ends at the cut, and
 * appends (and another reopen) work. */
static void check_recovered(size_t keep, size_t seg_bytes)
{
    sl_shardlog_t *log = open_log(seg_bytes);
    check_all(log, keep, SIZE_MAX);
    /* The next batch continues above what is kept. */
    uint64_t c = wrote[keep - 1].first + wrote[keep - 1].n;
    int64_t t = wrote[keep - 1].arrival + 1;
    append(log, c, 4, t);
    wrote[keep] = (wb_t){c, 4, t};
    check_all(log, keep + 1, SIZE_MAX);
    sl_shardlog_close(log);
    log = open_log(seg_bytes);
    check_all(log, keep + 1, 3);
    sl_shardlog_close(log);
}

/* Truncating the newest segment by k bytes loses exactly the batches that are no longer
 * complete. */
static void test_torn_tail_truncate(void **state)
{
    const size_t nb = 60, seg = 1000;
    char newest[32];
    size_t fb;
    layout(nb, seg, newest, &fb);
    off_t size = file_size(newest);
    size_t last_size = batch_size(wrote[nb - 1].first, wrote[nb - 1].n);
    size_t prev_size = batch_size(wrote[nb - 2].first, wrote[nb - 2].n);
    size_t ks[] = {1, 2, 5, HDR - 1, HDR, HDR + 1, last_size - 1, last_size,
                   last_size + 1, last_size + HDR, last_size + prev_size - 1,
                   last_size + prev_size, last_size + prev_size + 3, (size_t)size - 1,
                   (size_t)size};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        size_t k = ks[t];
        rm_tree(logdir);
        layout(nb, seg, newest, &fb);
        assert_int_equal(file_size(newest), size);
        char p[256];
        snprintf(p, sizeof p, "%s/%s", logdir, newest);
        assert_int_equal(truncate(p, size - (off_t)k), 0);
        /* Which batches still fit entirely? */
        size_t keep = fb;
        uint64_t end = 0;
        while (keep < nb) {
            size_t bs = batch_size(wrote[keep].first, wrote[keep].n);
            if (end + bs > (uint64_t)(size - (off_t)k)) break;
            end += bs;
            keep++;
        }
        assert_true(keep < nb);
        sl_shardlog_t *log = open_log(seg);
        assert_int_equal(sl_shardlog_last_counter(log),
                         wrote[keep - 1].first + wrote[keep - 1].n - 1);
        sl_shardlog_close(log);
        /* The torn bytes are cut from the file (or the emptied segment is removed). */
        struct stat sb;
        if (keep > fb) {
            assert_int_equal(stat(p, &sb), 0);
            assert_int_equal(sb.st_size, (off_t)end);
        } else {
            assert_int_not_equal(stat(p, &sb), 0);
        }
        check_recovered(keep, seg);
    }
}

/* Garbling one byte of the last batch (header or payload) loses that batch alone. */
static void test_torn_tail_garble(void **state)
{
    const size_t nb = 60, seg = 1000;
    char newest[32];
    size_t fb;
    layout(nb, seg, newest, &fb);
    off_t size = file_size(newest);
    size_t last_size = batch_size(wrote[nb - 1].first, wrote[nb - 1].n);
    off_t start = size - (off_t)last_size;
    /* magic, length, crc, nrec, first counter, arrival, a record header, pk, data, last */
    off_t offs[] = {0, 1, 4, 7, 8, 11, 12, 16, 23, 24, 31, 32, 34, 38, (off_t)last_size - 1};
    for (size_t t = 0; t < sizeof offs / sizeof offs[0]; t++) {
        for (int flip = 0; flip < 2; flip++) {
            rm_tree(logdir);
            layout(nb, seg, newest, &fb);
            char p[256];
            snprintf(p, sizeof p, "%s/%s", logdir, newest);
            int fd = open(p, O_RDWR);
            assert_true(fd >= 0);
            unsigned char byte;
            assert_int_equal(pread(fd, &byte, 1, start + offs[t]), 1);
            byte ^= flip ? 0xFF : 0x01;
            assert_int_equal(pwrite(fd, &byte, 1, start + offs[t]), 1);
            close(fd);
            sl_shardlog_t *log = open_log(seg);
            assert_int_equal(sl_shardlog_last_counter(log),
                             wrote[nb - 2].first + wrote[nb - 2].n - 1);
            assert_int_equal(file_size(newest), start);
            sl_shardlog_close(log);
            check_recovered(nb - 1, seg);
        }
    }
    /* A bad byte in an earlier batch of the newest segment cuts from that batch on. */
    if (nb - fb >= 3) {
        rm_tree(logdir);
        layout(nb, seg, newest, &fb);
        size_t victim = nb - 2;
        off_t voff = 0;
        for (size_t i = fb; i < victim; i++) voff += (off_t)batch_size(wrote[i].first, wrote[i].n);
        char p[256];
        snprintf(p, sizeof p, "%s/%s", logdir, newest);
        int fd = open(p, O_RDWR);
        unsigned char byte;
        assert_int_equal(pread(fd, &byte, 1, voff + HDR + 2), 1);
        byte ^= 0x10;
        assert_int_equal(pwrite(fd, &byte, 1, voff + HDR + 2), 1);
        close(fd);
        check_recovered(victim, seg);
    }
}

/* expire drops whole segments whose newest record is older than the cutoff, nothing else;
 * once everything is expired the log is empty and appends start a new segment. */
static void test_expire(void **state)
{
    sl_shardlog_t *log = open_log(150);
    /* Batch i: counters 1+3i.., arrival 1000 + 100 i. */
    nwrote = 0;
    for (size_t i = 0; i < 30; i++) {
        append(log, 1 + 3 * i, 3, 1000 + 100 * (int64_t)i);
        wrote[nwrote++] = (wb_t){1 + 3 * i, 3, 1000 + 100 * (int64_t)i};
    }
    char names[64][32];
    size_t nseg = list_segments(names, 64);
    assert_true(nseg >= 5);
    /* Batches per segment, from the names. */
    uint64_t seg_first[64];
    for (size_t i = 0; i < nseg; i++) seg_first[i] = strtoull(names[i], NULL, 10);

    assert_int_equal(sl_shardlog_expire(log, 0), 0);
    assert_int_equal(sl_shardlog_expire(log, 1000), 0); /* nothing strictly older */
    assert_int_equal(sl_shardlog_records(log), 90);

    /* Cutoff just after the first batch of segment 2: segments 0 and 1 go, 2 stays whole. */
    size_t b2 = (size_t)(seg_first[2] - 1) / 3;
    int64_t cutoff = 1000 + 100 * (int64_t)b2 + 1;
    assert_int_equal(sl_shardlog_expire(log, cutoff), 2);
    assert_int_equal(list_segments(names, 64), nseg - 2);
    assert_int_equal(sl_shardlog_first_counter(log), seg_first[2]);
    sl_recview_t *v;
    long n = read_log(log, 0, 1, SIZE_MAX, &v);
    assert_int_equal(n, 1);
    check_rec(&v[0], seg_first[2], 1000 + 100 * (int64_t)b2);
    assert_int_equal(sl_shardlog_records(log), 90 - (seg_first[2] - 1));
    /* Same cutoff again: nothing more. */
    assert_int_equal(sl_shardlog_expire(log, cutoff), 0);
    sl_shardlog_close(log);

    /* Reopen sees the same. */
    log = open_log(150);
    assert_int_equal(sl_shardlog_first_counter(log), seg_first[2]);
    assert_int_equal(sl_shardlog_records(log), 90 - (seg_first[2] - 1));
    /* Expire everything (the newest segment too). */
    assert_int_equal(sl_shardlog_expire(log, 1000000), (int)nseg - 2);
    assert_true(sl_shardlog_empty(log));
    assert_int_equal(list_segments(names, 64), 0);
    assert_int_equal(read_log(log, 0, 10, SIZE_MAX, &v), 0);
    /* Appends start a new segment. */
    append(log, 200, 2, 5000);
    assert_int_equal(sl_shardlog_first_counter(log), 200);
    assert_int_equal(sl_shardlog_last_counter(log), 201);
    assert_int_equal(list_segments(names, 64), 1);
    assert_string_equal(names[0], "00000000000000000200.log");
    sl_shardlog_close(log);
    log = open_log(150);
    n = read_log(log, 0, 10, SIZE_MAX, &v);
    assert_int_equal(n, 2);
    check_rec(&v[0], 200, 5000);
    check_rec(&v[1], 201, 5000);
    sl_shardlog_destroy(log);
    struct stat sb;
    assert_int_not_equal(stat(logdir, &sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_read_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_and_max_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seek_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_truncate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_garble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
