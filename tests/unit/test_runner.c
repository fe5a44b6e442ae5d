/*
 * test_runner.c - an application followed from the embedded store (runtime/app/runner.h):
 * windows of a quiet input close by the clock, a stop checkpoints, LAST_STOPPED_POINT
 * resumes after the last record read, TRIM_HORIZON reads everything again, SQL errors are
 * reported with their position.
 */
#include "alloc.h"
#include "appdesc.h"
#include "buf.h"
#include "clock.h"
#include "runner.h"
#include "store.h"

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
    if (!r) fprintf(stderr, "runner: %s (%d SQL errors)\n", err ? err : "", diags.count);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_follow_stop_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
