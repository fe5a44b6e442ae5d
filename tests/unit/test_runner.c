/*
 * test_runner.c - an application followed from the embedded store (runtime/app/runner.h):
 * windows of a quiet input close by the clock, a stop checkpoints, LAST_STOPPED_POINT
 * resumes after the last record read, TRIM_HORIZON reads everything again, SQL errors are
 * reported with their position; windows open at a stop (tumbling and sliding) are rebuilt
 * on resume without any row emitted twice; a runner whose destination stream disappears
 * fails visibly and restarts from its checkpoint once the stream is back.
 */
#include "alloc.h"
#include "appdesc.h"
#include "buf.h"
#include "clock.h"
#include "runner.h"
#include "store.h"

#include <stdatomic.h>

#include <math.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* A KDA CreateApplication request: count records per ticker in 1-second tumbling windows. */
static const char *app_json =
    "{\"ApplicationName\":\"counter\",\"ApplicationCode\":"
    "\"CREATE STREAM \\\"DEST\\\" (TICKER VARCHAR(8), N BIGINT);"
    " CREATE PUMP \\\"P\\\" AS INSERT INTO \\\"DEST\\\""
    " SELECT STREAM TICKER, COUNT(*) FROM \\\"SOURCE_SQL_STREAM_001\\\""
    " GROUP BY TICKER, STEP(\\\"SOURCE_SQL_STREAM_001\\\".ROWTIME BY INTERVAL '1' SECOND);\","
    "\"Inputs\":[{\"NamePrefix\":\"SOURCE_SQL_STREAM\","
    "\"KinesisStreamsInput\":{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/src\","
    "\"RoleARN\":\"arn:aws:iam::000000000000:role/r\"},"
    "\"InputSchema\":{\"RecordFormat\":{\"RecordFormatType\":\"JSON\",\"MappingParameters\":"
    "{\"JSONMappingParameters\":{\"RecordRowPath\":\"$\"}}},\"RecordEncoding\":\"UTF-8\","
    "\"RecordColumns\":[{\"Name\":\"TICKER\",\"SqlType\":\"VARCHAR(8)\",\"Mapping\":\"$.t\"}]}}]}";

typedef struct fixture {
    char dir[64];
    sl_store_t *st;
    sl_app_desc_t desc;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = SL_NEW(fixture_t);
    snprintf(f->dir, sizeof f->dir, "/tmp/sluice-runner-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    sl_store_config_t cfg = {.dir = f->dir, .fsync = SL_FSYNC_NEVER};
    char *err = NULL;
    f->st = sl_store_open(&cfg, &err);
    if (!f->st) return -1;
    sl_awserr_t aerr = {0};
    if (sl_store_create_stream(f->st, "src", 2, false, NULL, 0, &aerr) < 0) return -1;
    if (sl_app_desc_from_json(app_json, strlen(app_json), &f->desc, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sl_clock_set(NULL, NULL); /* a failed test may leave its virtual clock installed */
    sl_app_desc_free(&f->desc);
    sl_store_close(f->st);
    char *cmd = sl_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", f->dir);
    sl_free(cmd);
    sl_free(f);
    return 0;
}

/* Puts n records {"t": ticker} into the source stream. */
static void put(fixture_t *f, const char *ticker, int n)
{
    char data[64];
    int len = snprintf(data, sizeof data, "{\"t\":\"%s\"}", ticker);
    sl_arena_t *a = sl_arena_new(0);
    for (int i = 0; i < n; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "k%d", i);
        sl_put_rec_t r = {.data = (const unsigned char *)data, .len = (size_t)len, .pk = pk,
                          .pk_len = strlen(pk)};
        sl_put_result_t res;
        memset(&res, 0, sizeof res);
        sl_awserr_t err = {0};
        assert_int_equal(sl_store_put(f->st, "src", &r, 1, &res, a, &err), 0);
    }
    sl_arena_free(a);
}

/* Sums the N column of the JSON lines in buf for one ticker. */
static long count_of(const char *text, const char *ticker)
{
    long total = 0;
    char key[64];
    snprintf(key, sizeof key, "\"TICKER\":\"%s\",\"N\":", ticker);
    for (const char *p = text; (p = strstr(p, key)); p += strlen(key)) total += atol(p + strlen(key));
    return total;
}

/* Sums the N column of ticker over everything written to out. */
static long count_of_file(FILE *out, const char *ticker)
{
    fflush(out);
    long size = ftell(out);
    char *text = sl_malloc((size_t)size + 1);
    rewind(out);
    size_t n = fread(text, 1, (size_t)size, out);
    text[n] = '\0';
    fseek(out, 0, SEEK_END);
    long got = count_of(text, ticker);
    sl_free(text);
    return got;
}

/* Waits (up to ms) until the runner's rows for ticker add up to want. */
static long wait_count(FILE *out, const char *ticker, long want, int ms)
{
    long got = 0;
    for (int waited = 0; waited <= ms; waited += 50) {
        fflush(out);
        long size = ftell(out);
        char *text = sl_malloc((size_t)size + 1);
        rewind(out);
        size_t n = fread(text, 1, (size_t)size, out);
        text[n] = '\0';
        fseek(out, 0, SEEK_END);
        got = count_of(text, ticker);
        sl_free(text);
        if (got >= want) break;
        struct timespec d = {0, 50 * 1000000};
        nanosleep(&d, NULL);
    }
    return got;
}

static sl_runner_t *start(fixture_t *f, FILE *out, int start_pos)
{
    sl_runner_opts_t o = {.store = f->st, .data_dir = f->dir, .name = "counter", .out = out,
                          .start = start_pos, .start_set = true, .idle_ms = 200, .poll_ms = 20};
    sl_diag_t diags = SL_DIAG_INIT;
    char *err = NULL;
    sl_runner_t *r = sl_runner_start(&f->desc, &o, &diags, &err);
    if (!r)
        fprintf(stderr, "runner: %s (%d SQL errors%s%s)\n", err ? err : "", diags.count,
                diags.count ? ": " : "", diags.count ? diags.items[0].msg : "");
    sl_free(err);
    sl_diag_free(&diags);
    return r;
}

/* Windows of a quiet input close by the clock; a restart from LAST_STOPPED_POINT sees only
 * what came after the stop, one from TRIM_HORIZON everything. */
static void test_follow_stop_resume(void **state)
{
    fixture_t *f = *state;
    put(f, "AAA", 7);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_count(out, "AAA", 7, 5000), 7);
    sl_runner_stats_t st;
    sl_runner_stats(r, &st);
    assert_int_equal(st.records_in, 7);
    assert_true(st.running);
    sl_runner_free(r);
    fclose(out);

    put(f, "BBB", 5);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_int_equal(wait_count(out, "BBB", 5, 5000), 5);
    assert_int_equal(wait_count(out, "AAA", 1, 300), 0); /* not read again */
    sl_runner_stats(r, &st);
    assert_int_equal(st.records_in, 5);
    sl_runner_free(r);
    fclose(out);

    out = tmpfile();
    r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_count(out, "AAA", 7, 5000), 7);
    assert_int_equal(wait_count(out, "BBB", 5, 5000), 5);
    sl_runner_free(r);
    fclose(out);
}

/* ---- windows across a stop: a virtual clock drives arrival times and bounds ----------- */

static _Atomic int64_t vclock_ms;

static int64_t vclock(void *ctx)
{
    (void)ctx;
    return atomic_load(&vclock_ms);
}

/* The start of a whole minute a little ahead of the real clock (ROWTIMEs are arrival
 * times: the 60-second windows then start exactly there). */
static int64_t minute_ahead(void)
{
    return (time(NULL) * 1000 / 60000 + 2) * 60000;
}

/* Replaces the fixture's code with one of the same input. */
static void set_code(fixture_t *f, const char *code)
{
    sl_free(f->desc.code);
    f->desc.code = sl_strdup(code);
}

/* Waits (up to ms) until the runner has read want records in all. */
static bool wait_read(sl_runner_t *r, int64_t want, int ms)
{
    sl_runner_stats_t st;
    for (int waited = 0; waited <= ms; waited += 20) {
        sl_runner_stats(r, &st);
        if (st.records_in >= want) return true;
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
    }
    return false;
}

/* The number of lines written to out. */
static int lines_of(FILE *out)
{
    fflush(out);
    rewind(out);
    int n = 0, ch;
    while ((ch = fgetc(out)) != EOF) n += ch == '\n';
    fseek(out, 0, SEEK_END);
    return n;
}

/* The whole text written to out (heap). */
static char *text_of(FILE *out)
{
    fflush(out);
    long size = ftell(out);
    char *text = sl_malloc((size_t)size + 1);
    rewind(out);
    size_t n = fread(text, 1, (size_t)size, out);
    text[n] = '\0';
    fseek(out, 0, SEEK_END);
    return text;
}

/* A 60-second tumbling window per ticker open across a stop and a LAST_STOPPED_POINT
 * resume counts the records of both sides, once; a second resume emits nothing again. */
static void test_tumbling_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), N BIGINT);"
                " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
                " SELECT STREAM TICKER, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\""
                " GROUP BY TICKER, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '60' SECOND);");
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    /* The window before: closed by the first row of the next one, read in the same round
     * (so a resume that re-reads that round must not emit it again). */
    atomic_store(&vclock_ms, t0 - 10000);
    put(f, "ZZZ", 2);
    atomic_store(&vclock_ms, t0 + 5000);
    put(f, "AAA", 3);
    put(f, "BBB", 2);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_true(wait_read(r, 7, 5000));
    assert_int_equal(wait_count(out, "ZZZ", 2, 5000), 2);
    sl_runner_free(r); /* the window [t0, t0+60 s) is open */
    assert_int_equal(lines_of(out), 1);
    fclose(out);

    atomic_store(&vclock_ms, t0 + 20000);
    put(f, "AAA", 4);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 11, 5000)); /* the 7 records re-read, then the 4 new ones */
    /* A second stop and resume inside the same window. */
    sl_runner_free(r);
    assert_int_equal(lines_of(out), 0);
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 9, 5000));
    atomic_store(&vclock_ms, t0 + 62000); /* quiet input: the clock closes the window */
    assert_int_equal(wait_count(out, "AAA", 7, 5000), 7);
    assert_int_equal(wait_count(out, "BBB", 2, 5000), 2);
    sl_runner_free(r);
    assert_int_equal(count_of_file(out, "ZZZ"), 0);
    assert_int_equal(lines_of(out), 2); /* one row per ticker: nothing emitted twice */
    fclose(out);

    /* Resuming after the window closed emits nothing of it again. */
    atomic_store(&vclock_ms, t0 + 70000);
    put(f, "CCC", 1);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 1, 5000));
    atomic_store(&vclock_ms, t0 + 125000);
    assert_int_equal(wait_count(out, "CCC", 1, 5000), 1);
    sl_runner_free(r);
    assert_int_equal(count_of_file(out, "AAA"), 0);
    assert_int_equal(lines_of(out), 1);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* A sliding RANGE window across a stop: rows after the resume aggregate the rows before it,
 * the rows before it are not emitted again, and rows older than the RANGE drop out. */
static void test_sliding_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), N BIGINT);"
                " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
                " SELECT STREAM TICKER, COUNT(*) OVER W FROM \"SOURCE_SQL_STREAM_001\""
                " WINDOW W AS (PARTITION BY TICKER RANGE INTERVAL '60' SECOND PRECEDING);");
    int64_t t0 = minute_ahead();
    atomic_store(&vclock_ms, t0 + 5000);
    sl_clock_set(vclock, NULL);
    put(f, "AAA", 3);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_count(out, "AAA", 1 + 2 + 3, 5000), 6);
    sl_runner_free(r);
    fclose(out);

    atomic_store(&vclock_ms, t0 + 20000);
    put(f, "AAA", 2);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    /* N = 4 and 5: the frame holds the three rows from before the stop. */
    assert_int_equal(wait_count(out, "AAA", 4 + 5, 5000), 9);
    assert_int_equal(lines_of(out), 2);
    sl_runner_free(r);
    fclose(out);

    /* 70 s: the frame [10 s, 70 s] holds the two rows of 20 s, not those of 5 s. */
    atomic_store(&vclock_ms, t0 + 70000);
    put(f, "AAA", 1);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_int_equal(wait_count(out, "AAA", 3, 5000), 3);
    sl_runner_free(r);
    char *text = text_of(out);
    assert_string_equal(text + strcspn(text, "{"), strstr(text, "{\"TICKER\":\"AAA\",\"N\":3,"));
    assert_int_equal(lines_of(out), 1);
    sl_free(text);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* The last "TOTAL" written for ticker (-1: none), and how many such lines there are. */
static long total_of(FILE *out, const char *ticker, int *lines)
{
    char *text = text_of(out);
    char key[64];
    snprintf(key, sizeof key, "\"TICKER\":\"%s\",\"TOTAL\":", ticker);
    long last = -1;
    *lines = 0;
    for (const char *p = text; (p = strstr(p, key)); p += strlen(key)) {
        last = atol(p + strlen(key));
        (*lines)++;
    }
    sl_free(text);
    return last;
}

/* A sliding window over a tumbling window's output: rebuilding the sliding window's rows
 * needs source records a whole tumbling window older than those rows (the operators'
 * reach), not only the records of the tumbling window still open. */
static void test_chained_windows_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"S1\" (TICKER VARCHAR(8), N BIGINT);"
                " CREATE PUMP \"P1\" AS INSERT INTO \"S1\""
                " SELECT STREAM TICKER, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\""
                " GROUP BY TICKER, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '60' SECOND);"
                " CREATE STREAM \"DEST\" (TICKER VARCHAR(8), TOTAL BIGINT);"
                " CREATE PUMP \"P2\" AS INSERT INTO \"DEST\""
                " SELECT STREAM TICKER, SUM(N) OVER W FROM \"S1\""
                " WINDOW W AS (PARTITION BY TICKER RANGE INTERVAL '2' MINUTE PRECEDING);");
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    FILE *out = tmpfile();
    atomic_store(&vclock_ms, t0 + 5000);
    put(f, "AAA", 2);
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_true(wait_read(r, 2, 5000));
    /* Three read rounds: 5 s, 30 s, 65 s (the last one closes the first minute). */
    atomic_store(&vclock_ms, t0 + 30000);
    put(f, "BBB", 1);
    assert_true(wait_read(r, 3, 5000));
    atomic_store(&vclock_ms, t0 + 65000);
    put(f, "AAA", 3);
    assert_true(wait_read(r, 6, 5000));
    int lines = 0;
    for (int waited = 0; waited < 5000 && total_of(out, "AAA", &lines) != 2; waited += 20) {
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
    }
    assert_int_equal(total_of(out, "AAA", &lines), 2);
    sl_runner_free(r);
    fclose(out);

    atomic_store(&vclock_ms, t0 + 70000);
    put(f, "AAA", 1);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 1, 5000));
    atomic_store(&vclock_ms, t0 + 122000);
    for (int waited = 0; waited < 5000 && total_of(out, "AAA", &lines) < 0; waited += 20) {
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
    }
    sl_runner_free(r);
    /* The second minute's 4 records plus the first minute's 2, still in the 2-minute
     * frame; the first minute's rows are not emitted again. */
    assert_int_equal(total_of(out, "AAA", &lines), 6);
    assert_int_equal(lines, 1);
    assert_int_equal(total_of(out, "BBB", &lines), -1);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* A stagger window (opened by its key's first row) open across a stop. */
static void test_stagger_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), N BIGINT);"
                " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
                " SELECT STREAM TICKER, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\""
                " WINDOWED BY STAGGER (PARTITION BY TICKER RANGE INTERVAL '1' MINUTE);");
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    atomic_store(&vclock_ms, t0 + 5000);
    put(f, "AAA", 2);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_true(wait_read(r, 2, 5000));
    sl_runner_free(r);
    assert_int_equal(lines_of(out), 0);
    fclose(out);

    atomic_store(&vclock_ms, t0 + 40000);
    put(f, "AAA", 3);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 5, 5000));
    atomic_store(&vclock_ms, t0 + 67000); /* the window of AAA: [5 s, 65 s) */
    assert_int_equal(wait_count(out, "AAA", 5, 5000), 5);
    sl_runner_free(r);
    assert_int_equal(lines_of(out), 1);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* Stagger windows of two keys: one closes before the stop, the other stays open and makes
 * the resume re-read from inside the first one's (already emitted) window - whose re-read
 * rows must not open a shifted window of their own. */
static void test_stagger_keys_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), N BIGINT);"
                " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
                " SELECT STREAM TICKER, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\""
                " WINDOWED BY STAGGER (PARTITION BY TICKER RANGE INTERVAL '1' MINUTE);");
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    /* One read round each: KKK 5 s and 20 s, JJJ 40 s, KKK 50 s. */
    static const struct { int s; const char *t; } puts_[] = {{5, "KKK"}, {20, "KKK"}, {40, "JJJ"}, {50, "KKK"}};
    for (int i = 0; i < 4; i++) {
        atomic_store(&vclock_ms, t0 + puts_[i].s * 1000);
        put(f, puts_[i].t, 1);
        assert_true(wait_read(r, i + 1, 5000));
    }
    atomic_store(&vclock_ms, t0 + 67000); /* KKK's window [5 s, 65 s) closes: 3 rows */
    assert_int_equal(wait_count(out, "KKK", 3, 5000), 3);
    sl_runner_free(r); /* JJJ's window [40 s, 100 s) is open */
    assert_int_equal(lines_of(out), 1);
    fclose(out);

    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_true(wait_read(r, 3, 5000)); /* re-read from KKK at 20 s */
    atomic_store(&vclock_ms, t0 + 102000);
    assert_int_equal(wait_count(out, "JJJ", 1, 5000), 1);
    sl_runner_free(r);
    assert_int_equal(count_of_file(out, "KKK"), 0);
    assert_int_equal(lines_of(out), 1);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* A stream join whose windowed side holds rows from before the stop: a row of the other
 * side after the resume still matches them; the rows before the stop are not emitted
 * again. */
static void test_join_across_stop(void **state)
{
    fixture_t *f = *state;
    set_code(f, "CREATE STREAM \"O\" (TICKER VARCHAR(8));"
                " CREATE PUMP \"PO\" AS INSERT INTO \"O\" SELECT STREAM TICKER"
                " FROM \"SOURCE_SQL_STREAM_001\" WHERE TICKER = 'ORD';"
                " CREATE STREAM \"T\" (TICKER VARCHAR(8));"
                " CREATE PUMP \"PT\" AS INSERT INTO \"T\" SELECT STREAM TICKER"
                " FROM \"SOURCE_SQL_STREAM_001\" WHERE TICKER = 'TRD';"
                " CREATE STREAM \"DEST\" (TICKER VARCHAR(8), OTHER VARCHAR(8));"
                " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
                " SELECT STREAM o.TICKER, t.TICKER FROM \"O\" AS o"
                " JOIN \"T\" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.TICKER <> t.TICKER;");
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    atomic_store(&vclock_ms, t0 + 5000);
    put(f, "TRD", 2);
    FILE *out = tmpfile();
    sl_runner_t *r = start(f, out, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_true(wait_read(r, 2, 5000));
    sl_runner_free(r);
    assert_int_equal(lines_of(out), 2); /* the two rows of T */
    fclose(out);

    atomic_store(&vclock_ms, t0 + 20000);
    put(f, "ORD", 1);
    out = tmpfile();
    r = start(f, out, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    /* One ORD row matching both TRD rows of the window. */
    const char *match = "{\"TICKER\":\"ORD\",\"OTHER\":\"TRD\"";
    int matches = 0;
    for (int waited = 0; waited < 5000 && matches < 2; waited += 20) {
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
        char *t = text_of(out);
        matches = 0;
        for (const char *p = t; (p = strstr(p, match)); p++) matches++;
        sl_free(t);
    }
    sl_runner_free(r);
    assert_int_equal(matches, 2);
    char *text = text_of(out);
    assert_null(strstr(text, "{\"TICKER\":\"TRD\"")); /* T's rows not emitted again */
    sl_free(text);
    assert_int_equal(lines_of(out), 3); /* O's row and the two matches */
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* ---- failures -------------------------------------------------------------------------- */

/* Sums the N column of ticker over the records of a store stream. */
static long count_in_stream(fixture_t *f, const char *stream, const char *ticker)
{
    sl_arena_t *a = sl_arena_new(0);
    sl_awserr_t err = {0};
    long total = 0;
    sl_stream_info_t *si = sl_store_describe(f->st, stream, a, &err);
    for (size_t i = 0; si && i < si->nshards; i++) {
        const char *it = sl_store_get_iterator(f->st, stream, si->shards[i].id,
                                               SL_ITER_TRIM_HORIZON, NULL, 0, a, &err);
        sl_get_result_t res;
        while (it && sl_store_get_records(f->st, it, 1000, a, &res, &err) == 0 && res.n) {
            sl_buf_t text = SL_BUF_INIT;
            for (size_t k = 0; k < res.n; k++) {
                sl_buf_append(&text, res.records[k].data, res.records[k].len);
                sl_buf_putc(&text, '\n');
            }
            total += count_of(text.p, ticker);
            sl_buf_free(&text);
            it = res.next_iterator;
        }
    }
    sl_arena_free(a);
    return total;
}

/* Waits (up to ms) until count_in_stream reaches want. */
static long wait_stream_count(fixture_t *f, const char *stream, const char *ticker, long want, int ms)
{
    long got = 0;
    for (int waited = 0; waited <= ms; waited += 50) {
        got = count_in_stream(f, stream, ticker);
        if (got >= want) break;
        struct timespec d = {0, 50 * 1000000};
        nanosleep(&d, NULL);
    }
    return got;
}

/* The destination stream deleted under a running application: the runner fails (visible in
 * its stats), keeps retrying from its checkpoint, and once the stream exists again delivers
 * the rows that failed - and not the ones delivered before. */
static void test_restart_after_failure(void **state)
{
    fixture_t *f = *state;
    const char *outputs =
        ",\"Outputs\":[{\"Name\":\"DEST\",\"KinesisStreamsOutput\":{\"ResourceARN\":"
        "\"arn:aws:kinesis:us-east-1:000000000000:stream/dst\",\"RoleARN\":"
        "\"arn:aws:iam::000000000000:role/r\"},\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}]}";
    char *json = sl_asprintf("%.*s%s", (int)strlen(app_json) - 1, app_json, outputs);
    sl_app_desc_t desc;
    char *err = NULL;
    assert_int_equal(sl_app_desc_from_json(json, strlen(json), &desc, &err), 0);
    sl_free(json);
    sl_awserr_t aerr = {0};
    assert_int_equal(sl_store_create_stream(f->st, "dst", 1, false, NULL, 0, &aerr), 0);

    FILE *log = tmpfile();
    sl_runner_opts_t o = {.store = f->st, .data_dir = f->dir, .name = "counter", .err = log,
                          .start = SL_START_TRIM_HORIZON, .start_set = true, .idle_ms = 200,
                          .poll_ms = 20, .checkpoint_ms = 50, .restart_on_failure = true,
                          .retry_ms = 100};
    sl_diag_t diags = SL_DIAG_INIT;
    sl_runner_t *r = sl_runner_start(&desc, &o, &diags, &err);
    assert_non_null(r);
    put(f, "AAA", 3);
    assert_int_equal(wait_stream_count(f, "dst", "AAA", 3, 5000), 3);
    sl_runner_stats_t st;
    sl_runner_stats(r, &st);
    assert_true(st.running);
    assert_int_equal(st.failures, 0);

    assert_int_equal(sl_store_delete_stream(f->st, "dst", &aerr), 0);
    put(f, "BBB", 2);
    for (int waited = 0; waited < 5000; waited += 20) {
        sl_runner_stats(r, &st);
        if (st.failures >= 2) break;
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
    }
    assert_true(st.failures >= 2); /* failed, restarted, failed again */
    assert_true(st.restarts >= 1);
    assert_true(strstr(st.failure, "dst") != NULL);
    assert_true(st.failed_ms > 0);

    assert_int_equal(sl_store_create_stream(f->st, "dst", 1, false, NULL, 0, &aerr), 0);
    assert_int_equal(wait_stream_count(f, "dst", "BBB", 2, 10000), 2);
    for (int waited = 0; waited < 3000 && !st.running; waited += 20) {
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
        sl_runner_stats(r, &st);
    }
    assert_true(st.running);
    assert_false(st.retrying);
    sl_runner_free(r);
    assert_int_equal(count_in_stream(f, "dst", "AAA"), 0); /* delivered before: not again */
    assert_int_equal(count_in_stream(f, "dst", "BBB"), 2);
    char *text = text_of(log);
    assert_non_null(strstr(text, "application counter failed: output DEST"));
    assert_non_null(strstr(text, "restarting from its last checkpoint"));
    sl_free(text);
    fclose(log);
    sl_diag_free(&diags);
    sl_app_desc_free(&desc);
}

/* Bad SQL is reported with its line and column, and nothing runs. */
static void test_sql_error(void **state)
{
    fixture_t *f = *state;
    char *code = f->desc.code;
    f->desc.code = sl_strdup("CREATE STREAM \"D\" (X INTEGER);\nSELECT STREAM nosuch FROM \"D\";");
    sl_runner_opts_t o = {.store = f->st, .name = "bad"};
    sl_diag_t diags = SL_DIAG_INIT;
    char *err = NULL;
    sl_runner_t *r = sl_runner_start(&f->desc, &o, &diags, &err);
    assert_null(r);
    assert_true(diags.count > 0);
    assert_int_equal(diags.items[0].line, 2);
    sl_diag_free(&diags);
    sl_free(err);
    sl_free(f->desc.code);
    f->desc.code = code;
}

/* ---- models across a stop: RANDOM_CUT_FOREST and HOTSPOTS ------------------------------ */

/* The description of an application over records {"t": TICKER, "v": V} with `code`. */
static void model_desc(sl_app_desc_t *desc, const char *code)
{
    static const char *json =
        "{\"ApplicationName\":\"models\",\"ApplicationCode\":\"\","
        "\"Inputs\":[{\"NamePrefix\":\"SOURCE_SQL_STREAM\","
        "\"KinesisStreamsInput\":{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/src\","
        "\"RoleARN\":\"arn:aws:iam::000000000000:role/r\"},"
        "\"InputSchema\":{\"RecordFormat\":{\"RecordFormatType\":\"JSON\",\"MappingParameters\":"
        "{\"JSONMappingParameters\":{\"RecordRowPath\":\"$\"}}},\"RecordEncoding\":\"UTF-8\","
        "\"RecordColumns\":[{\"Name\":\"TICKER\",\"SqlType\":\"VARCHAR(8)\",\"Mapping\":\"$.t\"},"
        "{\"Name\":\"V\",\"SqlType\":\"DOUBLE\",\"Mapping\":\"$.v\"}]}}]}";
    char *err = NULL;
    assert_int_equal(sl_app_desc_from_json(json, strlen(json), desc, &err), 0);
    sl_free(desc->code);
    desc->code = sl_strdup(code);
}

/* The value of record i: a wave with a spike every 37 records, so that scores vary. */
static double model_value(int i)
{
    return 10 * sin(i * 0.37) + (i % 37 == 36 ? 40 : 0) + (i % 5) * 0.25;
}

/* Puts records from .. to-1 into the source's first shard, 100 ms of arrival apart from
 * ROWTIME t0 on (the virtual clock), so that every run reads them in this order. */
static void put_values(fixture_t *f, int64_t t0, int from, int to)
{
    sl_arena_t *a = sl_arena_new(0);
    for (int i = from; i < to; i++) {
        char data[96];
        int len = snprintf(data, sizeof data, "{\"t\":\"AAA\",\"v\":%.17g}", model_value(i));
        atomic_store(&vclock_ms, t0 + i * 100);
        sl_put_rec_t r = {.data = (const unsigned char *)data, .len = (size_t)len, .pk = "k",
                          .pk_len = 1};
        sl_put_result_t res;
        memset(&res, 0, sizeof res);
        sl_awserr_t err = {0};
        assert_int_equal(sl_store_put(f->st, "src", &r, 1, &res, a, &err), 0);
    }
    sl_arena_free(a);
}

/* Starts application `name` of desc, printing to out and logging to log. */
static sl_runner_t *start_model(fixture_t *f, sl_app_desc_t *desc, const char *name, FILE *out,
                                FILE *log, int start_pos)
{
    sl_runner_opts_t o = {.store = f->st, .data_dir = f->dir, .name = name, .out = out,
                          .err = log, .start = start_pos, .start_set = true, .idle_ms = 200,
                          .poll_ms = 20};
    sl_diag_t diags = SL_DIAG_INIT;
    char *err = NULL;
    sl_runner_t *r = sl_runner_start(desc, &o, &diags, &err);
    if (!r)
        fprintf(stderr, "runner: %s (%d SQL errors%s%s)\n", err ? err : "", diags.count,
                diags.count ? ": " : "", diags.count ? diags.items[0].msg : "");
    sl_free(err);
    sl_diag_free(&diags);
    return r;
}

/* The lines of out that contain key, concatenated (heap), and their number in *n. */
static char *lines_with(FILE *out, const char *key, int *n)
{
    char *text = text_of(out);
    sl_buf_t b = SL_BUF_INIT;
    *n = 0;
    for (char *l = text; *l;) {
        char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l + 1) : strlen(l);
        if (memmem(l, len, key, strlen(key))) {
            sl_buf_append(&b, l, len);
            (*n)++;
        }
        l += len;
    }
    sl_free(text);
    char *s = sl_buf_steal(&b);
    return s ? s : sl_strdup("");
}

/* Waits (up to ms) until out has want lines containing key; returns how many it has. */
static int wait_lines_with(FILE *out, const char *key, int want, int ms)
{
    int n = 0;
    for (int waited = 0; waited <= ms; waited += 20) {
        sl_free(lines_with(out, key, &n));
        if (n >= want) break;
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
    }
    return n;
}

/*
 * On a source stream made afresh, runs application `name` over records 0..split-1, stops it, adds records split..total-1,
 * resumes it from LAST_STOPPED_POINT; then runs `whole` over all the records at once.
 * Returns the lines holding key of the two parts (concatenated) and of the whole run in
 * *parts and *whole (heap); the log of the resumed run in *log_text (heap).
 */
static void split_and_whole(fixture_t *f, sl_app_desc_t *desc, const char *name,
                            const char *whole_name, const char *key, int split, int total,
                            char **parts, char **whole, char **log_text)
{
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    sl_awserr_t aerr = {0};
    assert_int_equal(sl_store_delete_stream(f->st, "src", &aerr), 0);
    assert_int_equal(sl_store_create_stream(f->st, "src", 1, false, NULL, 0, &aerr), 0);
    put_values(f, t0, 0, split);
    FILE *out = tmpfile(), *log = tmpfile();
    sl_runner_t *r = start_model(f, desc, name, out, log, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_lines_with(out, key, split, 10000), split);
    sl_runner_free(r);
    int n1, n2, nw;
    char *first = lines_with(out, key, &n1);
    fclose(out);
    fclose(log);

    put_values(f, t0, split, total);
    out = tmpfile();
    log = tmpfile();
    r = start_model(f, desc, name, out, log, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_int_equal(wait_lines_with(out, key, total - split, 10000), total - split);
    sl_runner_free(r);
    char *second = lines_with(out, key, &n2);
    assert_int_equal(n1 + n2, total);
    *log_text = text_of(log);
    fclose(out);
    fclose(log);
    *parts = sl_asprintf("%s%s", first, second);
    sl_free(first);
    sl_free(second);

    out = tmpfile();
    r = start_model(f, desc, whole_name, out, NULL, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_lines_with(out, key, total, 10000), total);
    sl_runner_free(r);
    *whole = lines_with(out, key, &nw);
    assert_int_equal(nw, total);
    fclose(out);
    sl_clock_set(NULL, NULL);
}

/* The ANOMALY_SCORE of the first line of text holding one (-1: none). */
static double first_score(const char *text)
{
    const char *p = strstr(text, "\"ANOMALY_SCORE\":");
    return p ? atof(p + strlen("\"ANOMALY_SCORE\":")) : -1;
}

/* A forest (fixed seed) stopped in the middle and resumed from LAST_STOPPED_POINT scores
 * the records after the stop exactly as an uninterrupted run does: first alone (nothing is
 * re-read, the forest must come from the saved image), then with a sliding window in the
 * same application, which makes the resume re-read every record from before the stop:
 * they must bypass the restored forest, which learnt them already; last the same with
 * explanations (shingles of 2, directionality). */
static const char *rcf_code =
    "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), V DOUBLE, ANOMALY_SCORE DOUBLE);"
    " CREATE PUMP \"P\" AS INSERT INTO \"DEST\" SELECT STREAM TICKER, V, ANOMALY_SCORE"
    " FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\"),"
    " 10, 16, 100, 1));";
static const char *rcf_explain_code =
    "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), V DOUBLE, ANOMALY_SCORE DOUBLE,"
    " ANOMALY_EXPLANATION VARCHAR(2000));"
    " CREATE PUMP \"P\" AS INSERT INTO \"DEST\""
    " SELECT STREAM TICKER, V, ANOMALY_SCORE, ANOMALY_EXPLANATION"
    " FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM * FROM"
    " \"SOURCE_SQL_STREAM_001\"), 10, 16, 100, 2, TRUE));";
static const char *window_code =
    " CREATE STREAM \"CNT\" (TICKER VARCHAR(8), N BIGINT);"
    " CREATE PUMP \"Q\" AS INSERT INTO \"CNT\" SELECT STREAM TICKER, COUNT(*) OVER W"
    " FROM \"SOURCE_SQL_STREAM_001\""
    " WINDOW W AS (PARTITION BY TICKER RANGE INTERVAL '60' SECOND PRECEDING);";

static void test_rcf_across_stop(void **state)
{
    fixture_t *f = *state;
    static const char *const names[] = {"rcf", "rcf_w", "rcf_x"};
    for (int k = 0; k < 3; k++) {
        char *code = sl_asprintf("%s%s", k == 2 ? rcf_explain_code : rcf_code, k ? window_code : "");
        sl_app_desc_t desc;
        model_desc(&desc, code);
        sl_free(code);
        char *parts, *whole, *log;
        char *whole_name = sl_asprintf("%s_whole", names[k]);
        split_and_whole(f, &desc, names[k], whole_name,
                        k == 2 ? "\"ANOMALY_EXPLANATION\"" : "\"ANOMALY_SCORE\"", 50, 90,
                        &parts, &whole, &log);
        sl_free(whole_name);
        assert_string_equal(parts, whole);
        /* Past warm-up, and the resume's first score is a restored forest's, not 0. */
        const char *after = whole;
        for (int i = 0; i < 50; i++) after = strchr(after, '\n') + 1;
        assert_true(first_score(after) > 0);
        assert_null(strstr(log, "fresh"));
        sl_free(parts);
        sl_free(whole);
        sl_free(log);
        sl_app_desc_free(&desc);
    }
}

/* The same for HOTSPOTS, its window full and wrapped at the stop (no re-read here: the
 * window must come from the saved image, not from records read again). */
static void test_hotspots_across_stop(void **state)
{
    fixture_t *f = *state;
    sl_app_desc_t desc;
    model_desc(&desc,
               "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), V DOUBLE, HOTSPOTS_RESULT VARCHAR(10000));"
               " CREATE PUMP \"P\" AS INSERT INTO \"DEST\" SELECT STREAM TICKER, V, HOTSPOTS_RESULT"
               " FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\"),"
               " 100, 1.5, 4));");
    char *parts, *whole, *log;
    split_and_whole(f, &desc, "hot", "hot_whole", "\"HOTSPOTS_RESULT\"", 130, 170, &parts, &whole,
                    &log);
    assert_string_equal(parts, whole);
    assert_null(strstr(log, "fresh"));
    sl_free(parts);
    sl_free(whole);
    sl_free(log);
    sl_app_desc_free(&desc);
}

/*
 * Runs the forest application (numberOfTrees 10, no re-read) over records 0..49 and
 * stops; then `damage` (may be NULL) changes what it left behind; the application resumes
 * with numberOfTrees `trees` over records 50..89, on a source stream and checkpoints made
 * afresh for the purpose. Returns the resumed run's score lines
 * and its log (heap).
 */
static void rcf_resume(fixture_t *f, int trees, void (*damage)(const char *path),
                       char **scores, char **log_text)
{
    static const char *code =
        "CREATE STREAM \"DEST\" (TICKER VARCHAR(8), V DOUBLE, ANOMALY_SCORE DOUBLE);"
        " CREATE PUMP \"P\" AS INSERT INTO \"DEST\" SELECT STREAM TICKER, V, ANOMALY_SCORE"
        " FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\"),"
        " %d, 16, 100, 1));";
    int64_t t0 = minute_ahead();
    sl_clock_set(vclock, NULL);
    sl_awserr_t aerr = {0};
    char *cmd = sl_asprintf("rm -rf '%s/checkpoints'", f->dir);
    assert_int_equal(system(cmd), 0);
    sl_free(cmd);
    assert_int_equal(sl_store_delete_stream(f->st, "src", &aerr), 0);
    assert_int_equal(sl_store_create_stream(f->st, "src", 1, false, NULL, 0, &aerr), 0);
    put_values(f, t0, 0, 50);
    char *c = sl_asprintf(code, 10);
    sl_app_desc_t desc;
    model_desc(&desc, c);
    sl_free(c);
    FILE *out = tmpfile();
    sl_runner_t *r = start_model(f, &desc, "rcf", out, NULL, SL_START_TRIM_HORIZON);
    assert_non_null(r);
    assert_int_equal(wait_lines_with(out, "ANOMALY_SCORE", 50, 10000), 50);
    sl_runner_free(r);
    fclose(out);
    sl_app_desc_free(&desc);
    char *path = sl_asprintf("%s/checkpoints/rcf.src.state", f->dir);
    assert_int_equal(access(path, R_OK), 0);
    if (damage) damage(path);
    sl_free(path);

    put_values(f, t0, 50, 90);
    c = sl_asprintf(code, trees);
    model_desc(&desc, c);
    sl_free(c);
    out = tmpfile();
    FILE *log = tmpfile();
    r = start_model(f, &desc, "rcf", out, log, SL_START_LAST_STOPPED_POINT);
    assert_non_null(r);
    assert_int_equal(wait_lines_with(out, "ANOMALY_SCORE", 40, 10000), 40);
    sl_runner_stats_t st;
    sl_runner_stats(r, &st);
    assert_true(st.running);
    sl_runner_free(r);
    int n;
    *scores = lines_with(out, "ANOMALY_SCORE", &n);
    assert_int_equal(n, 40);
    *log_text = text_of(log);
    fclose(out);
    fclose(log);
    sl_app_desc_free(&desc);
    sl_clock_set(NULL, NULL);
}

/* An unchanged application resumes its forest; one whose numberOfTrees changed starts a
 * fresh one (warm-up: its first 16 scores are 0) and says so. */
static void test_rcf_changed_app(void **state)
{
    fixture_t *f = *state;
    char *scores, *log;
    rcf_resume(f, 10, NULL, &scores, &log);
    assert_true(first_score(scores) > 0);
    assert_null(strstr(log, "fresh"));
    sl_free(scores);
    sl_free(log);
    rcf_resume(f, 11, NULL, &scores, &log);
    assert_true(first_score(scores) == 0);
    assert_non_null(strstr(log, "another version of the table function"));
    assert_non_null(strstr(log, "starts fresh"));
    sl_free(scores);
    sl_free(log);
}

/* Damage to the models' image: truncated (not the image the checkpoint names), one byte
 * flipped (checksum), a byte flipped with the checksums made to agree (the forest's own
 * validation). */
static void truncate_file(const char *path)
{
    assert_int_equal(truncate(path, 100), 0);
}

static uint64_t test_fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Reads path whole (heap); its size in *n. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    rewind(fp);
    unsigned char *d = sl_malloc((size_t)size + 1);
    assert_int_equal(fread(d, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    d[size] = 0;
    *n = (size_t)size;
    return d;
}

static void spill(const char *path, const void *d, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(d, 1, n, fp), n);
    fclose(fp);
}

static void flip_byte(const char *path)
{
    size_t n;
    unsigned char *d = slurp(path, &n);
    d[n / 2] ^= 0x40;
    spill(path, d, n);
    sl_free(d);
}

/* Changes the forest's numberOfTrees inside the image and makes the image's checksum and the
 * checkpoint's "%models" line agree with it. */
static void flip_byte_resum(const char *path)
{
    size_t n;
    unsigned char *d = slurp(path, &n);
    /* The image's header (20 bytes), the entry's (20), the mark (16), then the forest's
     * magic (8), version, byte order and dims (4 each): numberOfTrees 10 becomes 13. */
    assert_int_equal(d[76], 10);
    d[76] ^= 0x07;
    uint64_t sum = test_fnv(d, n - 8);
    memcpy(d + n - 8, &sum, 8);
    spill(path, d, n);
    sl_free(d);
    char *ck = sl_strndup(path, strlen(path) - strlen(".state"));
    size_t cn;
    char *text = (char *)slurp(ck, &cn);
    char *m = strstr(text, "%models ");
    assert_non_null(m);
    *m = '\0';
    char *rest = strchr(m + 1, '\n');
    char *fixed = sl_asprintf("%s%%models %zu %llu%s", text, n, (unsigned long long)sum,
                              rest ? rest : "\n");
    spill(ck, fixed, strlen(fixed));
    sl_free(fixed);
    sl_free(text);
    sl_free(ck);
}

static void test_rcf_damaged_state(void **state)
{
    fixture_t *f = *state;
    void (*damage[])(const char *) = {truncate_file, flip_byte, flip_byte_resum};
    const char *says[] = {"not the image the checkpoint names", "corrupt or truncated",
                          "cannot be restored"};
    for (int k = 0; k < 3; k++) {
        char *scores, *log;
        rcf_resume(f, 10, damage[k], &scores, &log);
        if (!strstr(log, says[k])) fprintf(stderr, "case %d: log: %s\n", k, log);
        assert_non_null(strstr(log, says[k]));
        assert_non_null(strstr(log, "fresh"));
        assert_true(first_score(scores) == 0); /* a fresh forest, in warm-up */
        sl_free(scores);
        sl_free(log);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_follow_stop_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tumbling_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sliding_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chained_windows_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stagger_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stagger_keys_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_join_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_after_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rcf_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hotspots_across_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rcf_changed_app, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rcf_damaged_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
