/*
 * test_ingest_refdata.c - unit tests for ingest/refdata.h (reference data into SQLite) and
 * sl_sqltype_parse (ingest/schema.h).
 *
 * Data is written to a temporary directory and loaded into an in-memory SQLite database;
 * expectations are the table read back as "v|v|v" lines (NULL for NULL). The http test
 * serves the directory with `python3 -m http.server` on a free port (skipped when python3
 * is missing). The s3 test runs s3rver (npm s3rver 3.7.1; found as $S3RVER or `s3rver` on
 * PATH, skipped otherwise): unsigned and SigV4-signed GETs, and an unknown key id refused.
 * s3rver does not recompute v4 signatures, so the signature itself is checked by a python
 * server that recomputes it with botocore's S3SigV4Auth (skipped without botocore).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "refdata.h"
#include "schema.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */

static char tmpdir[256];
static sqlite3 *db;

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_refdata_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    return 0;
}

static int teardown(void **state)
{
    sqlite3_close(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) return -1;
    return 0;
}

/* Writes text to tmpdir/name and returns the path (static storage, overwritten). */
static const char *write_file(const char *name, const char *text)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

/* A schema from "NAME TYPE [MAPPING]" lines separated by ';' (TYPE without spaces). */
static void make_schema(sl_record_schema_t *s, sl_record_format_t fmt, const char *cols)
{
    memset(s, 0, sizeof *s);
    s->format = fmt;
    s->row_path = sl_strdup("$");
    s->row_delim = sl_strdup("\n");
    s->col_delim = sl_strdup(",");
    s->encoding = sl_strdup("UTF-8");
    s->cols = SL_NEWN(sl_schema_col_t, 32);
    char *copy = sl_strdup(cols), *save = NULL;
    for (char *c = strtok_r(copy, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
        char name[64], type[64], map[128] = "";
        int n = sscanf(c, " %63s %63s %127s", name, type, map);
        assert_true(n >= 2);
        sl_schema_col_t *col = &s->cols[s->ncols++];
        col->name = sl_strdup(name);
        col->sql_type = sl_strdup(type);
        col->mapping = n == 3 ? sl_strdup(map) : NULL;
    }
    sl_free(copy);
}

static void set_str(char **field, const char *v)
{
    sl_free(*field);
    *field = sl_strdup(v);
}

static int dump_row(void *ud, int n, char **vals, char **names)
{
    sl_buf_t *b = ud;
    for (int i = 0; i < n; i++) {
        if (i) sl_buf_putc(b, '|');
        sl_buf_puts(b, vals[i] ? vals[i] : "NULL");
    }
    sl_buf_putc(b, '\n');
    return 0;
}

/* The answer of sql as "v|v\n" lines; the caller frees it. */
static char *query(const char *sql)
{
    sl_buf_t b = SL_BUF_INIT;
    char *msg = NULL;
    if (sqlite3_exec(db, sql, dump_row, &b, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
    sl_buf_putc(&b, 0);
    return sl_buf_steal(&b);
}

static void assert_query(const char *sql, const char *want)
{
    char *got = query(sql);
    assert_string_equal(got, want);
    sl_free(got);
}

/* Loads source and expects success; returns the row count. */
static int64_t load_ok(const char *table, const char *source, const sl_record_schema_t *s)
{
    sl_refdata_stats_t st;
    char *err = NULL;
    if (sl_refdata_load(db, table, source, s, &st, &err) != 0) fail_msg("load %s: %s", source, err);
    return st.rows;
}

/* Loads source and expects failure with a message containing every fragment given. */
static void load_fails(const char *table, const char *source, const sl_record_schema_t *s,
                       const char *frag1, const char *frag2)
{
    char *err = NULL;
    assert_int_equal(sl_refdata_load(db, table, source, s, NULL, &err), -1);
    assert_non_null(err);
    if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
        fail_msg("error '%s' lacks '%s' / '%s'", err, frag1, frag2 ? frag2 : "");
    sl_free(err);
}

/* ---- SQL types ------------------------------------------------------------------------ */

static void test_sqltype_parse(void **state)
{
    sl_sqltype_t t;
    const char *why;
    assert_int_equal(sl_sqltype_parse("VARCHAR(8)", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_VARCHAR);
    assert_int_equal(t.len, 8);
    assert_int_equal(sl_sqltype_parse(" decimal ( 10 , 2 ) ", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_DECIMAL);
    assert_int_equal(t.len, 10);
    assert_int_equal(t.scale, 2);
    assert_int_equal(sl_sqltype_parse("DOUBLE PRECISION", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_DOUBLE);
    assert_int_equal(sl_sqltype_parse("character  varying(4)", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_VARCHAR);
    assert_int_equal(t.len, 4);
    assert_int_equal(sl_sqltype_parse("INT", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_INTEGER);
    assert_int_equal(sl_sqltype_parse("CHAR", &t, &why), 0);
    assert_int_equal(t.len, 1);
    assert_int_equal(sl_sqltype_parse("TIMESTAMP", &t, &why), 0);
    assert_int_equal(t.kind, SL_SQLT_TIMESTAMP);
    assert_string_equal(sl_sqltype_affinity(SL_SQLT_TIMESTAMP), "INTEGER");
    assert_string_equal(sl_sqltype_affinity(SL_SQLT_DECIMAL), "TEXT");
    assert_string_equal(sl_sqltype_name(SL_SQLT_VARBINARY), "VARBINARY");

    assert_int_equal(sl_sqltype_parse("VARCHARX", &t, &why), -1);
    assert_string_equal(why, "unknown SQL type");
    assert_int_equal(sl_sqltype_parse("INTEGER(3)", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("VARCHAR(0)", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("VARCHAR(70000)", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("DECIMAL(20)", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("DECIMAL(4,5)", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("VARCHAR(8", &t, &why), -1);
    assert_int_equal(sl_sqltype_parse("", &t, &why), -1);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void test_csv_quotes_and_prefix(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "TICKER VARCHAR(8);NAME VARCHAR(64);PRICE DOUBLE");
    /* quoted delimiters, "" escapes, a quoted newline, CRLF, extra fields ignored (a
     * prefix of the columns), a short record padded with NULL, a blank line skipped */
    const char *p = write_file("c.csv", "AMZN,\"Amazon, Inc.\",181.5,extra,more\r\n"
                                        "\"Q\"\"X\",\"two\nlines\",1e2\r\n"
                                        "\n"
                                        "SHORT,only\n"
                                        "E,,\n");
    assert_int_equal(load_ok("companies", p, &s), 4);
    assert_query("SELECT * FROM companies ORDER BY rowid",
                 "AMZN|Amazon, Inc.|181.5\nQ\"X|two\nlines|100.0\nSHORT|only|NULL\nE||NULL\n");
    assert_query("SELECT typeof(TICKER), typeof(PRICE) FROM companies LIMIT 1", "text|real\n");
    sl_record_schema_free(&s);
}

static void test_csv_custom_delimiters(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "K INTEGER;V VARCHAR(16)");
    set_str(&s.row_delim, "||");
    set_str(&s.col_delim, ";");
    const char *p = write_file("d.csv", "1;a\n b||2;\"x;y||z\"||3;c");
    assert_int_equal(load_ok("t", p, &s), 3);
    assert_query("SELECT K, V FROM t ORDER BY K", "1|a\n b\n2|x;y||z\n3|c\n");
    sl_record_schema_free(&s);
}

static void test_csv_types(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV,
                "B BOOLEAN;T TINYINT;D DECIMAL(6,2);TS TIMESTAMP;DT DATE;TM TIME;C CHAR(3);BIN "
                "VARBINARY(4);R REAL");
    const char *p = write_file(
        "t.csv", "TRUE,-128,12.345,2024-01-31 12:00:00.5,1970-01-02,00:01:00,abcdef,X'00ff',0.1\n"
                 "no,127,-0.004,2024-01-31T12:00:00Z,2000-02-29,23:59:59.999,é€x,AQID,1\n"
                 ",,,,,,,,\n");
    assert_int_equal(load_ok("t", p, &s), 3);
    assert_query(
        "SELECT B, T, D, TS, DT, TM, C, hex(BIN), R = CAST(0.1 AS REAL) FROM t ORDER BY rowid",
        "1|-128|12.35|1706702400500|1|60000|abc|00FF|0\n"
        "0|127|0.00|1706702400000|11016|86399999|é€x|010203|0\n"
        "NULL|NULL|NULL|NULL|NULL|NULL|||NULL\n"); /* hex(NULL) is '' */
    assert_query("SELECT typeof(D), typeof(TS), typeof(BIN) FROM t LIMIT 1", "text|integer|blob\n");
    sl_record_schema_free(&s);
}

static void test_csv_bad_values(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "TICKER VARCHAR(4);PRICE DOUBLE;QTY INTEGER");
    const char *p = write_file("bad.csv", "A,1.5,1\nB,2,2\nC,abc,3\n");
    load_fails("t", p, &s, "record 3, column PRICE (DOUBLE): cannot convert 'abc'", "bad.csv");
    p = write_file("bad2.csv", "A,1.5,1\n\nB,2,2.5\n");
    load_fails("t", p, &s, "record 3, column QTY (INTEGER)", "fraction");
    p = write_file("bad3.csv", "A,1,3000000000\n");
    load_fails("t", p, &s, "record 1, column QTY", "out of range");
    p = write_file("bad4.csv", "A,\"1.5\n");
    load_fails("t", p, &s, "record 1: unterminated quoted field", NULL);
    p = write_file("bad5.csv", "A,\"1.5\"x,2\n");
    load_fails("t", p, &s, "record 1: unexpected text after a closing quote", NULL);
    /* the failed loads left nothing behind */
    assert_query("SELECT count(*) FROM sqlite_master WHERE name = 't'", "0\n");

    sl_record_schema_t s2;
    make_schema(&s2, SL_FORMAT_CSV, "T TIMESTAMP;D DATE;X DECIMAL(3,1);B BINARY(1)");
    load_fails("t", write_file("b6.csv", "2024-13-01 00:00:00\n"), &s2, "column T (TIMESTAMP)",
               "not a timestamp");
    load_fails("t", write_file("b7.csv", ",2023-02-29\n"), &s2, "column D (DATE)", NULL);
    load_fails("t", write_file("b8.csv", ",,123.4\n"), &s2, "column X (DECIMAL(3,1))",
               "at most 2 integer digits");
    load_fails("t", write_file("b9.csv", ",,,X'0102'\n"), &s2, "column B (BINARY(1))",
               "longer than BINARY(1)");
    sl_record_schema_free(&s2);
    sl_record_schema_free(&s);
}

static void test_empty_and_reload(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "K VARCHAR(8);V INTEGER");
    /* an empty object gives an empty table */
    assert_int_equal(load_ok("ref", write_file("empty.csv", ""), &s), 0);
    assert_query("SELECT count(*) FROM ref", "0\n");
    /* a reload replaces the rows (and the columns) */
    assert_int_equal(load_ok("ref", write_file("v1.csv", "a,1\nb,2\n"), &s), 2);
    assert_int_equal(load_ok("ref", write_file("v2.csv", "c,3\n"), &s), 1);
    assert_query("SELECT * FROM ref", "c|3\n");
    /* a failed reload keeps what was there (all or nothing) */
    load_fails("ref", write_file("v3.csv", "d,4\ne,x\n"), &s, "record 2, column V", NULL);
    assert_query("SELECT * FROM ref", "c|3\n");
    /* odd table and column names are quoted */
    sl_record_schema_t q;
    make_schema(&q, SL_FORMAT_CSV, "we\"ird VARCHAR(4)");
    assert_int_equal(load_ok("my \"table\"", write_file("q.csv", "z\n"), &q), 1);
    assert_query("SELECT \"we\"\"ird\" FROM \"my \"\"table\"\"\"", "z\n");
    sl_record_schema_free(&q);
    sl_record_schema_free(&s);
}

static void test_sources_and_cap(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "K VARCHAR(8)");
    const char *p = write_file("f.csv", "x\n");
    char *url = sl_asprintf("file://%s", p);
    assert_int_equal(load_ok("t", url, &s), 1);
    sl_free(url);
    load_fails("t", "/nonexistent/ref.csv", &s, "/nonexistent/ref.csv: cannot open", NULL);
    load_fails("t", "s3://bucket-only", &s, "expected s3://BUCKET/KEY", NULL);
    /* a sparse file one byte over 1 GiB is refused before it is read */
    char big[400];
    snprintf(big, sizeof big, "%s/big.csv", tmpdir);
    int fd = open(big, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, SL_REFDATA_MAX_BYTES + 1), 0);
    close(fd);
    load_fails("t", big, &s, "over the 1 GiB limit", NULL);
    sl_record_schema_free(&s);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void test_json_lines_nested(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_JSON,
                "TICKER VARCHAR(4) $.ticker;SECTOR VARCHAR(16) $.info.sector;CEO VARCHAR(16) "
                "$.info.people.ceo;"
                "TAGS VARCHAR(64) $.tags[0:];FIRST VARCHAR(8) $.tags[0];LISTED BOOLEAN $.listed;"
                "N BIGINT $.n;INFO VARCHAR(100) $.info.people");
    const char *p = write_file(
        "r.json",
        "{\"ticker\":\"AMZN\",\"info\":{\"sector\":\"Retail\",\"people\":{\"ceo\":\"Andy\"}},"
        "\"tags\":[\"a\",\"b\"],\"listed\":true,\"n\":\"42\"}\n"
        "\n"
        "{\"ticker\":\"TOOLONG\",\"info\":null,\"listed\":0,\"n\":7.0}\n");
    assert_int_equal(load_ok("companies", p, &s), 2);
    assert_query("SELECT * FROM companies ORDER BY rowid",
                 "AMZN|Retail|Andy|[\"a\",\"b\"]|a|1|42|{\"ceo\":\"Andy\"}\n"
                 "TOOL|NULL|NULL|NULL|NULL|0|7|NULL\n");
    /* a line that is not JSON names its line; a number where a date is expected its column */
    load_fails("t", write_file("bad.json", "{\"ticker\":\"A\"}\n\n{\"ticker\":\n"), &s,
               "record 3: not valid JSON", NULL);
    load_fails("t", write_file("bad2.json", "{\"ticker\":\"A\"}\n{\"ticker\":\"B\",\"n\":1.5}\n"),
               &s, "record 2, column N (BIGINT)", "fraction");
    load_fails("t", write_file("bad3.json", "{\"ticker\":{\"x\":1},\"listed\":[1]}\n"), &s,
               "record 1, column LISTED (BOOLEAN)", "only to CHAR or VARCHAR");
    sl_record_schema_free(&s);
}

static void test_json_array_row_path_and_flatten(void **state)
{
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_JSON, "ID INTEGER $.id;PRICE DOUBLE $.price");
    /* a top-level array: each element is a record */
    const char *p =
        write_file("a.json", "[{\"id\":1,\"price\":1.5},{\"id\":2},{\"id\":3,\"price\":\"2\"}]");
    assert_int_equal(load_ok("t", p, &s), 3);
    assert_query("SELECT * FROM t", "1|1.5\n2|NULL\n3|2.0\n");
    load_fails("t", write_file("a2.json", "[{\"id\":1},{\"id\":\"x\"}]"), &s, "record 2, column ID",
               NULL);

    /* RecordRowPath into each document, ending in [0:]: each element is a row */
    set_str(&s.row_path, "$.data.rows[0:]");
    p = write_file(
        "rp.json",
        "{\"data\":{\"rows\":[{\"id\":1},{\"id\":2}]}}\n{\"data\":{\"rows\":[{\"id\":3}]}}\n");
    assert_int_equal(load_ok("t", p, &s), 3);
    assert_query("SELECT ID FROM t", "1\n2\n3\n");

    /* one flattened array per schema: a row per element, other columns repeated */
    sl_record_schema_t f;
    make_schema(
        &f, SL_FORMAT_JSON,
        "ORDER_ID INTEGER $.order;SKU VARCHAR(8) $.items[0:].sku;QTY INTEGER $.items[0:].qty");
    p = write_file("f.json",
                   "{\"order\":1,\"items\":[{\"sku\":\"a\",\"qty\":2},{\"sku\":\"b\",\"qty\":3}]}\n"
                   "{\"order\":2,\"items\":[]}\n");
    assert_int_equal(load_ok("t", p, &f), 3);
    assert_query("SELECT * FROM t", "1|a|2\n1|b|3\n2|NULL|NULL\n");
    sl_record_schema_free(&f);
    sl_record_schema_free(&s);
}

/* ---- http and s3 ---------------------------------------------------------------------- */

/* A TCP port free right now on 127.0.0.1. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

/* Waits up to ms for a listener on port; true when one answers. */
static bool wait_port(int port, int ms)
{
    for (int waited = 0; waited < ms; waited += 50) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (rc == 0) return true;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* Starts argv (stdout/stderr to /dev/null) in its own process group; returns its pid. */
static pid_t spawn(char *const argv[], const char *cwd)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        if (cwd && chdir(cwd) != 0) _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void stop(pid_t pid)
{
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static bool have_program(const char *name)
{
    char *cmd = sl_asprintf("command -v '%s' >/dev/null 2>&1", name);
    int rc = system(cmd);
    sl_free(cmd);
    return rc == 0;
}

static void test_http_source(void **state)
{
    if (!have_program("python3")) {
        print_message("skipped: python3 is not installed (needed to serve the http test data)\n");
        skip();
    }
    write_file("served.csv", "AMZN,Amazon\nMSFT,\"Microsoft, Corp\"\n");
    int port = free_port();
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    char *argv[] = {"python3", "-m", "http.server", portstr, "--bind", "127.0.0.1", NULL};
    pid_t pid = spawn(argv, tmpdir);
    if (!wait_port(port, 8000)) {
        stop(pid);
        fail_msg("python3 -m http.server did not start on port %d", port);
    }
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "TICKER VARCHAR(4);NAME VARCHAR(32)");
    char *url = sl_asprintf("http://127.0.0.1:%d/served.csv", port);
    sl_refdata_stats_t st;
    char *err = NULL;
    /* load, then ask for a missing file; check after stop() so a failure leaves no server */
    int rc = sl_refdata_load(db, "companies", url, &s, &st, &err);
    sl_free(url);
    url = sl_asprintf("http://127.0.0.1:%d/missing.csv", port);
    char *err404 = NULL;
    int rc404 = rc == 0 ? sl_refdata_load(db, "companies", url, &s, NULL, &err404) : -1;
    sl_free(url);
    stop(pid);
    if (rc != 0) fail_msg("%s", err);
    assert_int_equal(st.rows, 2);
    assert_int_equal(st.bytes, (int64_t)strlen("AMZN,Amazon\nMSFT,\"Microsoft, Corp\"\n"));
    assert_query("SELECT * FROM companies", "AMZN|Amazon\nMSFT|Microsoft, Corp\n");
    assert_int_equal(rc404, -1);
    assert_non_null(strstr(err404, "HTTP 404"));
    sl_free(err404);
    /* nothing listens any more: a transport error names the URL */
    url = sl_asprintf("http://127.0.0.1:%d/served.csv", port);
    load_fails("companies", url, &s, "failed", "served.csv");
    sl_free(url);
    sl_record_schema_free(&s);
}

static void test_s3_source(void **state)
{
    const char *bin = getenv("S3RVER");
    if (!bin || !*bin) bin = have_program("s3rver") ? "s3rver" : NULL;
    if (!bin) {
        print_message("skipped: s3rver not found (npm install s3rver@3.7.1; set "
                      "S3RVER=path/to/bin/s3rver)\n");
        skip();
    }
    char dir[400];
    snprintf(dir, sizeof dir, "%s/s3data", tmpdir);
    mkdir(dir, 0700);
    int port = free_port();
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    char *argv[] = {(char *)bin,          "-d",   dir, "-a", "127.0.0.1", "-p", portstr, "-s",
                    "--configure-bucket", "refs", NULL};
    pid_t pid = spawn(argv, NULL);
    if (!wait_port(port, 8000)) {
        stop(pid);
        fail_msg("s3rver did not start on port %d", port);
    }
    const char *p = write_file("up.csv", "1,one\n2,two\n");
    char *cmd = sl_asprintf(
        "curl -sf -X PUT --data-binary @%s http://127.0.0.1:%d/refs/dir/my%%20ref.csv", p, port);
    if (system(cmd) != 0) {
        stop(pid);
        fail_msg("PUT to s3rver failed: %s", cmd);
    }
    sl_free(cmd);
    char *ep = sl_asprintf("http://127.0.0.1:%d", port);
    setenv("SLUICE_S3_ENDPOINT", ep, 1);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SESSION_TOKEN");
    sl_record_schema_t s;
    make_schema(&s, SL_FORMAT_CSV, "ID INTEGER;NAME VARCHAR(8)");
    sl_refdata_stats_t st;
    char *err = NULL;
    /* Nothing below asserts while s3rver runs (a failed assertion would leave it running):
     * each step records what went wrong and the checks happen after stop(). */
    char *problem = NULL, *got = NULL, *err404 = NULL;
    int64_t rows_unsigned = -1;
    /* unsigned */
    if (sl_refdata_load(db, "r", "s3://refs/dir/my ref.csv", &s, &st, &err) != 0) {
        problem = sl_asprintf("unsigned: %s", err);
    } else {
        rows_unsigned = st.rows;
        /* signed with s3rver's credentials */
        setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
        if (sl_refdata_load(db, "r2", "s3://refs/dir/my ref.csv", &s, &st, &err) != 0)
            problem = sl_asprintf("signed: %s", err);
    }
    if (!problem) {
        got = query("SELECT * FROM r2");
        /* s3rver parses the SigV4 Authorization header (an unknown key id is refused) but
         * does not recompute v4 signatures (see test_s3_sigv4_matches_botocore) */
        setenv("AWS_ACCESS_KEY_ID", "NOSUCHKEY", 1);
        if (sl_refdata_load(db, "r3", "s3://refs/dir/my ref.csv", &s, &st, &err) == 0)
            problem = sl_strdup("an unknown access key id was accepted");
        else if (!strstr(err, "HTTP 403"))
            problem = sl_asprintf("unknown key id: %s", err);
    }
    sl_free(err);
    err = NULL;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    if (!problem && sl_refdata_load(db, "r", "s3://refs/absent.csv", &s, &st, &err) == 0)
        problem = sl_strdup("a missing object loaded");
    err404 = err;
    unsetenv("SLUICE_S3_ENDPOINT");
    stop(pid);
    if (problem) fail_msg("s3: %s", problem);
    assert_int_equal(rows_unsigned, 2);
    assert_string_equal(got, "1|one\n2|two\n");
    assert_non_null(strstr(err404, "HTTP 404"));
    sl_free(got);
    sl_free(err404);
    sl_free(ep);
    sl_record_schema_free(&s);
}

/* A python http server that answers "ok" when the request's SigV4 signature equals the one
 * botocore computes for the same request and credentials, else "bad ...". */
static const char *sigv4_server_py =
    "import sys, http.server\n"
    "from botocore.auth import S3SigV4Auth\n"
    "from botocore.credentials import Credentials\n"
    "from botocore.awsrequest import AWSRequest\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def log_message(self, *a): pass\n"
    "    def do_GET(self):\n"
    "        auth = self.headers.get('Authorization', '')\n"
    "        date = self.headers.get('x-amz-date', '')\n"
    "        req = AWSRequest(method='GET', url='http://' + self.headers['Host'] + self.path,\n"
    "            headers={'X-Amz-Date': date,\n"
    "                     'X-Amz-Content-SHA256': self.headers.get('x-amz-content-sha256', '')})\n"
    "        req.context['timestamp'] = date\n"
    "        a = S3SigV4Auth(Credentials(sys.argv[2], sys.argv[3]), 's3', 'eu-west-1')\n"
    "        sig = a.signature(a.string_to_sign(req, a.canonical_request(req)), req)\n"
    "        body = ('ok' if auth.endswith('Signature=' + sig) else 'bad').encode()\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n";

static void test_s3_sigv4_matches_botocore(void **state)
{
    if (!have_program("python3") || system("python3 -c 'import botocore' >/dev/null 2>&1") != 0) {
        print_message("skipped: python3 with botocore is needed to check SigV4 signatures\n");
        skip();
    }
    const char *py = write_file("sigv4.py", sigv4_server_py);
    char script[400];
    snprintf(script, sizeof script, "%s", py);
    int port = free_port();
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *ak = "AKIDEXAMPLE", *sk = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    char *argv[] = {"python3", script, portstr, (char *)ak, (char *)sk, NULL};
    pid_t pid = spawn(argv, NULL);
    if (!wait_port(port, 8000)) {
        stop(pid);
        fail_msg("the SigV4 check server did not start on port %d", port);
    }
    char *ep = sl_asprintf("http://127.0.0.1:%d/", port);
    setenv("SLUICE_S3_ENDPOINT", ep, 1);
    setenv("AWS_ACCESS_KEY_ID", ak, 1);
    setenv("AWS_SECRET_ACCESS_KEY", sk, 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    unsetenv("AWS_SESSION_TOKEN");
    sl_buf_t out = SL_BUF_INIT;
    char *err = NULL;
    /* a key that needs escaping: space, '+', '=' and a sub-folder */
    int rc = sl_refdata_fetch("s3://my-bucket/dir/a b+c=d.csv", &out, &err);
    char got[64];
    snprintf(got, sizeof got, "%.*s", (int)out.len, out.p ? out.p : "");
    sl_buf_reset(&out);
    int rc2 = rc == 0 ? (setenv("AWS_SECRET_ACCESS_KEY", "wrong", 1),
                         sl_refdata_fetch("s3://b/k", &out, &err))
                      : -1;
    unsetenv("SLUICE_S3_ENDPOINT");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_REGION");
    stop(pid);
    if (rc != 0) fail_msg("%s", err);
    assert_string_equal(got, "ok");
    assert_int_equal(rc2, 0);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.p, "bad", 3); /* and a wrong secret gives another signature */
    sl_buf_free(&out);
    sl_free(ep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqltype_parse),
        cmocka_unit_test_setup_teardown(test_csv_quotes_and_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_custom_delimiters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sources_and_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_lines_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_array_row_path_and_flatten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_s3_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_s3_sigv4_matches_botocore, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
