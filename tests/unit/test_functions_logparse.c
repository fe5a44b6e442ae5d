/*
 * test_functions_logparse.c - the log parsers (W3C_LOG_PARSE with every predefined format
 * and custom formats, SYS_LOG_PARSE, REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSE,
 * FIXED_/VARIABLE_COLUMN_LOG_PARSE) and
 * the SimpleDateFormat helper they share, driven through their registry entries the way
 * the planner and the expression compiler drive them: the type rule compiles the constant
 * arguments into a row, the kernel fills one vector per field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "fnint.h"
#include "registry.h"

/* A compiled call and the result of running it over some lines. */
typedef struct run {
    sl_fn_row_t row;
    sl_vec_t out[40];
    uint8_t err[8];
    const char *err_msg;
    sl_arena_t *arena;
    int nlines;
} run_t;

/*
 * Compiles fn(line, args...) with the given constant arguments (strings, or integers when
 * they start with '#') and runs it over up to 8 lines (NULL = a NULL line). Returns false
 * (with the rule's message in err) when the rule rejects the call.
 */
static bool run_fn(run_t *r, const char *fn, int nconst, const char *const *consts,
                   const char *const *lines, int nlines, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    const sl_fn_def_t *def = sl_fn_lookup(fn);
    assert_non_null(def);
    assert_int_equal(def->kind, SL_FN_ROW);
    sl_type_t types[8];
    sl_fn_const_t cs[8];
    memset(cs, 0, sizeof cs);
    types[0] = sl_type_make(SL_T_VARCHAR);
    for (int k = 0; k < nconst; k++) {
        cs[k + 1].is_const = true;
        if (consts[k][0] == '#') {
            types[k + 1] = sl_type_make(SL_T_INTEGER);
            cs[k + 1].i = strtoll(consts[k] + 1, NULL, 10);
        } else {
            types[k + 1] = sl_type_make(SL_T_VARCHAR);
            cs[k + 1].is_str = true;
            cs[k + 1].s = consts[k];
            cs[k + 1].slen = (uint32_t)strlen(consts[k]);
        }
    }
    sl_fn_call_info_t call = {.nargs = nconst + 1, .args = types, .consts = cs, .row = &r->row};
    sl_type_t res;
    if (!def->type_rule(&call, &res, err, errlen)) return false;
    assert_true(r->row.nfields > 0 && r->row.nfields <= 40);
    sl_vec_t args[8];
    sl_vec_alloc(&args[0], types[0], 8);
    for (int i = 0; i < nlines; i++) {
        args[0].null[i] = lines[i] == NULL;
        if (lines[i]) args[0].v.s[i] = (sl_str_t){lines[i], (uint32_t)strlen(lines[i])};
    }
    for (int k = 1; k <= nconst; k++) sl_vec_alloc(&args[k], types[k], 8);
    for (int f = 0; f < r->row.nfields; f++) sl_vec_alloc(&r->out[f], r->row.fields[f].type, 8);
    r->arena = sl_arena_new(0);
    const char *msgs[8] = {0};
    sl_fn_ctx_t ctx = {
        .arena = r->arena, .call = &call, .err = r->err, .err_msgs = msgs, .state = r->row.state};
    def->kernel(&ctx, args, nconst + 1, r->out, (size_t)nlines);
    r->err_msg = ctx.err_msg;
    r->nlines = nlines;
    for (int k = 0; k <= nconst; k++) sl_vec_free(&args[k]);
    return true;
}

static void run_free(run_t *r)
{
    for (int f = 0; f < r->row.nfields; f++) sl_vec_free(&r->out[f]);
    sl_fn_row_clear(&r->row);
    sl_arena_free(r->arena);
}

/* Field f (0-based) of line i as text. */
static void assert_text(const run_t *r, int f, int i, const char *want)
{
    assert_int_equal(r->out[f].null[i], 0);
    sl_str_t s = r->out[f].v.s[i];
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.p, want, s.len);
}

static void assert_int(const run_t *r, int f, int i, int64_t want)
{
    assert_int_equal(r->out[f].null[i], 0);
    assert_int_equal(r->out[f].v.i[i], want);
}

static void assert_nul(const run_t *r, int f, int i)
{
    assert_int_equal(r->out[f].null[i], 1);
}

/* 2000-10-10 20:55:36 UTC in epoch ms (13:55:36 -0700). */
#define APACHE_EXAMPLE_MS 971211336000LL

/* COMMON: seven fields with KDA's inferred types, on Apache's own example line. */
static void test_w3c_common(void **state)
{
    const char *f[] = {"COMMON"};
    const char *lines[] = {
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
        "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 304 -\r\n",
        "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" - x", NULL};
    run_t r;
    char err[256];
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, f, lines, 4, err, sizeof err));
    assert_int_equal(r.row.nfields, 7);
    assert_string_equal(r.row.fields[0].name, "COLUMN1");
    assert_string_equal(r.row.fields[6].name, "COLUMN7");
    assert_int_equal(r.row.fields[3].type.id, SL_T_TIMESTAMP);
    assert_int_equal(r.row.fields[5].type.id, SL_T_INTEGER);
    assert_int_equal(r.row.fields[6].type.id, SL_T_BIGINT);
    assert_text(&r, 0, 0, "127.0.0.1");
    assert_text(&r, 1, 0, "-");
    assert_text(&r, 2, 0, "frank");
    assert_int(&r, 3, 0, APACHE_EXAMPLE_MS);
    assert_text(&r, 4, 0, "GET /apache_pb.gif HTTP/1.0");
    assert_int(&r, 5, 0, 200);
    assert_int(&r, 6, 0, 2326);
    /* '-' bytes = 0 (CLF), the line ending is not part of the last field */
    assert_int(&r, 5, 1, 304);
    assert_int(&r, 6, 1, 0);
    /* a status that is no number is NULL, not an error; so is a byte count */
    assert_nul(&r, 5, 2);
    assert_nul(&r, 6, 2);
    assert_text(&r, 4, 2, "GET / HTTP/1.0");
    for (int f2 = 0; f2 < 7; f2++) assert_nul(&r, f2, 3);
    assert_int_equal(r.err[0] | r.err[1] | r.err[2] | r.err[3], 0);
    run_free(&r);
}

/* COMMON WITH VHOST, NCSA EXTENDED (quoted referer and agent with spaces), REFERER, AGENT. */
static void test_w3c_other_formats(void **state)
{
    char err[256];
    run_t r;
    const char *vh[] = {"common with vhost"}; /* format names are case-insensitive */
    const char *l1[] = {
        "shop.example.com 10.1.2.3 - - [01/May/2024:00:00:02 +0200] \"GET / HTTP/1.1\" 200 17"};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, vh, l1, 1, err, sizeof err));
    assert_int_equal(r.row.nfields, 8);
    assert_text(&r, 0, 0, "shop.example.com");
    assert_text(&r, 1, 0, "10.1.2.3");
    assert_int(&r, 4, 0, 1714521602000LL - 2 * 3600000LL);
    assert_int(&r, 7, 0, 17);
    run_free(&r);

    const char *ncsa[] = {"NCSA EXTENDED"};
    const char *l2[] = {
        "10.0.0.7 - bob [01/May/2024:00:00:03 +0000] \"GET /q?a=\\\"b\\\" HTTP/1.1\" 200 512 "
        "\"https://example.com/a b\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
        "10.0.0.7 - bob [01/May/2024:00:00:03 +0000] \"GET / HTTP/1.1\" 200 512"};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, ncsa, l2, 2, err, sizeof err));
    assert_int_equal(r.row.nfields, 9);
    assert_text(&r, 4, 0, "GET /q?a=\\\"b\\\" HTTP/1.1");
    assert_text(&r, 7, 0, "https://example.com/a b");
    assert_text(&r, 8, 0, "Mozilla/5.0 (X11; Linux x86_64)");
    for (int f = 0; f < 9; f++) assert_nul(&r, f, 1); /* a COMMON line is not NCSA */
    run_free(&r);

    const char *ref[] = {"REFERER"};
    const char *l3[] = {"http://a.example/x ---> /index.html", "http://a.example/x -> /index.html"};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, ref, l3, 2, err, sizeof err));
    assert_int_equal(r.row.nfields, 2);
    assert_text(&r, 0, 0, "http://a.example/x");
    assert_text(&r, 1, 0, "/index.html");
    assert_nul(&r, 0, 1);
    run_free(&r);

    const char *ag[] = {"AGENT"};
    const char *l4[] = {"curl/8.5.0", ""};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, ag, l4, 2, err, sizeof err));
    assert_int_equal(r.row.nfields, 1);
    assert_text(&r, 0, 0, "curl/8.5.0");
    assert_text(&r, 0, 1, "");
    run_free(&r);
}

/* IIS: Microsoft's 15 comma-separated fields with a trailing comma. */
static void test_w3c_iis(void **state)
{
    char err[256];
    run_t r;
    const char *iis[] = {"IIS"};
    const char *l[] = {"192.168.114.201, -, 03/20/01, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, "
                       "163, 3223, 200, 0, GET, /DeptLogo.gif, -,",
                       "192.168.114.201, -, 03/20/01"};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, iis, l, 2, err, sizeof err));
    assert_int_equal(r.row.nfields, 15);
    assert_text(&r, 0, 0, "192.168.114.201");
    assert_text(&r, 3, 0, "7:55:20");
    assert_int(&r, 7, 0, 4502);
    assert_int(&r, 9, 0, 3223);
    assert_int(&r, 10, 0, 200);
    assert_text(&r, 12, 0, "GET");
    assert_text(&r, 13, 0, "/DeptLogo.gif");
    assert_text(&r, 14, 0, "-");
    assert_nul(&r, 0, 1);
    run_free(&r);
}

/* Custom formats: modifiers and %{...} arguments are accepted; bad formats are refused. */
static void test_w3c_custom(void **state)
{
    char err[256];
    run_t r;
    const char *f[] = {"%>s|%{X-Forwarded-For}i|%400,501D|%%|%B"};
    const char *l[] = {"503|1.2.3.4, 5.6.7.8|1200|%|-"};
    assert_true(run_fn(&r, "W3C_LOG_PARSE", 1, f, l, 1, err, sizeof err));
    assert_int_equal(r.row.nfields, 4);
    assert_int(&r, 0, 0, 503);
    assert_text(&r, 1, 0, "1.2.3.4, 5.6.7.8");
    assert_int(&r, 2, 0, 1200);
    assert_text(&r, 3, 0, "-"); /* %B is text (KDA) */
    run_free(&r);

    const char *bad[][1] = {{"%h%u"}, {"%h %Q"}, {"%{Referer"}, {"no specifiers"}, {"%"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err[0] = 0;
        assert_false(run_fn(&r, "W3C_LOG_PARSE", 1, bad[k], l, 1, err, sizeof err));
        assert_true(err[0] != 0);
    }
}

/* SYS_LOG_PARSE: the RFC 3164 timestamp (year 1970, as Java fills it) and the rest. */
static void test_sys(void **state)
{
    char err[256];
    run_t r;
    const char *l[] = {"Oct  1 06:12:01 web01 sshd[311]: Accepted", "Dec 31 23:59:59 h m",
                       "Foo 31 23:59:59 h m", "Feb 30 00:00:00 h m", "Jan 10 10:10:10"};
    assert_true(run_fn(&r, "SYS_LOG_PARSE", 0, NULL, l, 5, err, sizeof err));
    assert_int_equal(r.row.nfields, 2);
    assert_int(&r, 0, 0, (273LL * 86400 + 6 * 3600 + 12 * 60 + 1) * 1000);
    assert_text(&r, 1, 0, "web01 sshd[311]: Accepted");
    assert_int(&r, 0, 1, (364LL * 86400 + 86399) * 1000);
    assert_text(&r, 1, 1, "h m");
    assert_nul(&r, 0, 2);
    assert_nul(&r, 0, 3);
    assert_int(&r, 0, 4, (9LL * 86400 + 36610) * 1000);
    assert_text(&r, 1, 4, "");
    run_free(&r);
}

/* REGEX_LOG_PARSE: Java classes translated, non-capturing groups skipped in the numbering,
 * the whole line must match, optional groups that do not take part are NULL. */
static void test_regex(void **state)
{
    char err[256];
    run_t r;
    const char *p[] = {"(?:GET|POST) (\\S+) (\\d+)(ms)?"};
    const char *l[] = {"GET /a 12ms", "POST /b 7", "PUT /c 1", "GET /a 12ms trailing"};
    assert_true(run_fn(&r, "REGEX_LOG_PARSE", 1, p, l, 4, err, sizeof err));
    assert_int_equal(r.row.nfields, 3);
    assert_int_equal(r.row.fields[0].type.len, 1024);
    assert_text(&r, 0, 0, "/a");
    assert_text(&r, 1, 0, "12");
    assert_text(&r, 2, 0, "ms");
    assert_text(&r, 1, 1, "7");
    assert_nul(&r, 2, 1);
    assert_nul(&r, 0, 2);
    assert_nul(&r, 0, 3);
    run_free(&r);

    /* typed columns: a group that does not convert is a row error */
    const char *p2[] = {"(\\w+)=([0-9.a-z]+)", "K, V TYPE DECIMAL(6,2) NOT NULL"};
    const char *l2[] = {"price=12.5", "price=abc"};
    assert_true(run_fn(&r, "REGEX_LOG_PARSE", 2, p2, l2, 2, err, sizeof err));
    assert_string_equal(r.row.fields[0].name, "K");
    assert_int_equal(r.row.fields[1].type.id, SL_T_DECIMAL);
    assert_int(&r, 1, 0, 1250);
    assert_int_equal(r.err[0], 0);
    assert_int_equal(r.err[1], 1);
    run_free(&r);

    /* bounds and alternation pass through */
    const char *p3[] = {"(a{2,3}|b{1,})(c{2})?((x{10}){100})?"};
    const char *l3[] = {"aaacc", "bbbb", "aaaa"};
    assert_true(run_fn(&r, "REGEX_LOG_PARSE", 1, p3, l3, 3, err, sizeof err));
    assert_text(&r, 0, 0, "aaa");
    assert_text(&r, 1, 0, "cc");
    assert_text(&r, 0, 1, "bbbb");
    assert_nul(&r, 0, 2);
    run_free(&r);

    const char *bad[][1] = {{"(a+?)"},
                            {"(?<n>a)"},
                            {"(a"},
                            {"no groups"},
                            {"(\\p{L})"},
                            {"([\\]])"},
                            {"(a**)"},
                            {"(*a)"},
                            {"(a|+b)"},
                            {"(a{300})"},
                            {"(a{2,1})"},
                            {"(a{x})"},
                            {"(a{2}{3})"},
                            {"(((a{10}){10}){11})"},
                            {"((a{40}b){30})"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_false(run_fn(&r, "REGEX_LOG_PARSE", 1, bad[k], l, 1, err, sizeof err));
}

/* FAST_REGEX_LOG_PARSE(line, pattern) over lines; the pattern must compile. */
static void frx(run_t *r, const char *pattern, const char *const *lines, int nlines)
{
    char err[256] = "";
    const char *p[] = {pattern};
    if (!run_fn(r, "FAST_REGEX_LOG_PARSE", 1, p, lines, nlines, err, sizeof err))
        fail_msg("pattern %s refused: %s", pattern, err);
}

/* The pattern is refused with a message containing want. */
static void frx_bad(const char *pattern, const char *want)
{
    char err[256] = "";
    run_t r;
    const char *p[] = {pattern};
    const char *l[] = {"x"};
    if (run_fn(&r, "FAST_REGEX_LOG_PARSE", 1, p, l, 1, err, sizeof err))
        fail_msg("pattern %s was accepted", pattern);
    if (!strstr(err, want)) fail_msg("pattern %s: message '%s' lacks '%s'", pattern, err, want);
}

/* KDA's examples: the first one (whose printed COLUMN2 cannot match, see README.md), the
 * same without its final '*', and Further Examples A, B and C. */
static void test_fast_regex_doc(void **state)
{
    run_t r;
    const char *mary[] = {"Mary_had_a_little_lamb"};
    frx(&r, "(.*)_(._.*)_.*", mary, 1);
    assert_int_equal(r.row.nfields, 2);
    assert_string_equal(r.row.fields[1].name, "COLUMN2");
    assert_int_equal(r.row.fields[0].type.id, SL_T_VARCHAR);
    assert_int_equal(r.row.fields[0].type.len, 1024);
    assert_text(&r, 0, 0, "Mary_had");
    assert_text(&r, 1, 0, "a_little");
    run_free(&r);
    /* "If the Fast Regex pattern had omitted the final asterisk, no results" */
    frx(&r, "(.*)_(._.*)_.", mary, 1);
    assert_nul(&r, 0, 0);
    assert_nul(&r, 1, 0);
    run_free(&r);
    /* A: the first '_' ends group 1, then "_*._" cannot match "ha": no backtracking */
    frx(&r, "(.*)_+(._.*)", mary, 1);
    assert_nul(&r, 0, 0);
    assert_nul(&r, 1, 0);
    run_free(&r);
    /* ... which REGEX_LOG_PARSE, backtracking, does match */
    char err[256];
    const char *java[] = {"(.*)_+(._.*)"};
    assert_true(run_fn(&r, "REGEX_LOG_PARSE", 1, java, mary, 1, err, sizeof err));
    assert_text(&r, 0, 0, "Mary_had");
    assert_text(&r, 1, 0, "a_little_lamb");
    run_free(&r);
    /* B: "_+" is "_" then a lazy "_*" that takes nothing: the '+' is superfluous */
    const char *mary4[] = {"Mary____had_a_little_lamb"};
    frx(&r, "(.*)_+(.*)", mary4, 1);
    assert_text(&r, 0, 0, "Mary");
    assert_text(&r, 1, 0, "___had_a_little_lamb");
    run_free(&r);
    frx(&r, "(.*)_(.*)", mary4, 1);
    assert_text(&r, 0, 0, "Mary");
    assert_text(&r, 1, 0, "___had_a_little_lamb");
    run_free(&r);
    /* C: <Alpha> is fixed length, so it ends the "_*" search: '.*_', '_*<Alpha>', '.*$' */
    frx(&r, "(.*)_+(<Alpha>.*)", mary4, 1);
    assert_text(&r, 0, 0, "Mary");
    assert_text(&r, 1, 0, "had_a_little_lamb");
    run_free(&r);
}

/* Lazy (shortest, first match wins) against REGEX_LOG_PARSE's greedy groups; the whole
 * line must be accounted for. */
static void test_fast_regex_lazy(void **state)
{
    run_t r;
    char err[256];
    const char *abc[] = {"a,b,c"};
    frx(&r, "(.*),(.*)", abc, 1);
    assert_text(&r, 0, 0, "a");
    assert_text(&r, 1, 0, "b,c");
    run_free(&r);
    const char *java[] = {"(.*),(.*)"};
    assert_true(run_fn(&r, "REGEX_LOG_PARSE", 1, java, abc, 1, err, sizeof err));
    assert_text(&r, 0, 0, "a,b");
    assert_text(&r, 1, 0, "c");
    run_free(&r);

    /* a quantifier stops as early as it can: one digit, unless literal text follows */
    const char *num[] = {"123abc", "123 abc"};
    frx(&r, "(<Digit>+)(.*)", num, 2);
    assert_text(&r, 0, 0, "1");
    assert_text(&r, 1, 0, "23abc");
    assert_text(&r, 0, 1, "1");
    run_free(&r);
    frx(&r, "(<Digit>+) (.*)", num, 2);
    assert_nul(&r, 0, 0);
    assert_text(&r, 0, 1, "123");
    assert_text(&r, 1, 1, "abc");
    run_free(&r);
    const char *xs[] = {"xxxxx", "x"};
    frx(&r, "(x{2,4})(.*)", xs, 2);
    assert_text(&r, 0, 0, "xx");
    assert_text(&r, 1, 0, "xxx");
    assert_nul(&r, 0, 1);
    run_free(&r);

    /* the whole line: trailing text that the pattern does not account for -> NULL */
    const char *kv[] = {"k=42;", "k=42;x", "k=;", "=42;", NULL};
    frx(&r, "([a-z]+)=(<Digit>+);", kv, 5);
    assert_text(&r, 0, 0, "k");
    assert_text(&r, 1, 0, "42");
    for (int i = 1; i < 5; i++) {
        assert_nul(&r, 0, i);
        assert_nul(&r, 1, i);
    }
    assert_int_equal(r.err[1], 0); /* not matching is not an error */
    run_free(&r);
    const char *aab[] = {"aab", "aaa", ""};
    frx(&r, "(a+)", aab, 3);
    assert_nul(&r, 0, 0);
    assert_text(&r, 0, 1, "aaa");
    assert_nul(&r, 0, 2);
    run_free(&r);

    /* fixed-length groups merge into one expression; boundaries by length */
    const char *date[] = {"2024-05-01", "2024-05-011", "2024-5-01"};
    frx(&r, "(<Digit>{4})-(<Digit>{2})-(<Digit>{2})", date, 3);
    assert_text(&r, 0, 0, "2024");
    assert_text(&r, 1, 0, "05");
    assert_text(&r, 2, 0, "01");
    assert_nul(&r, 0, 1);
    assert_nul(&r, 0, 2);
    run_free(&r);
}

/* The pattern syntax: classes, strings, escapes, @ # &, named patterns, intervals, empty
 * and nested groups. */
static void test_fast_regex_syntax(void **state)
{
    run_t r;
    const char *a[] = {"a", "abc"};
    frx(&r, "()(a)", a, 2);
    assert_text(&r, 0, 0, "");
    assert_text(&r, 1, 0, "a");
    assert_nul(&r, 0, 1);
    run_free(&r);
    frx(&r, "(.*)(.*)", a, 2);
    assert_text(&r, 0, 1, "");
    assert_text(&r, 1, 1, "abc");
    run_free(&r);
    /* each group stops as early as it can and never gives back: a* and b* take nothing,
     * so c* alone must reach the end */
    const char *abc[] = {"abc", "c", ""};
    frx(&r, "(a*)(b*)(c*)", abc, 3);
    assert_nul(&r, 0, 0);
    assert_text(&r, 0, 1, "");
    assert_text(&r, 1, 1, "");
    assert_text(&r, 2, 1, "c");
    assert_text(&r, 2, 2, "");
    run_free(&r);

    const char *sp[] = {"[x](y)|a.b.c", "[x](y)|abc"};
    frx(&r, "\"[x](y)|\"(.*)\\.(.*)", sp, 2);
    assert_text(&r, 0, 0, "a");
    assert_text(&r, 1, 0, "b.c");
    assert_nul(&r, 0, 1);
    run_free(&r);
    frx(&r, "\\[x\\]\\(y\\)\\|([^.]*)(.*)", sp, 2);
    assert_text(&r, 0, 1, "");
    assert_text(&r, 1, 1, "abc");
    run_free(&r);

    /* ~ ^ $ ] } > are ordinary characters; \\ is a backslash */
    const char *lit[] = {"~^$]}>\\rest", "~^$]}>rest"};
    frx(&r, "(~^$]}>)\\\\(.*)", lit, 2);
    assert_text(&r, 0, 0, "~^$]}>");
    assert_text(&r, 1, 0, "rest");
    assert_nul(&r, 0, 1);
    run_free(&r);

    const char *at[] = {"a-b-c", "xy", "zy"};
    frx(&r, "(@)-(@)", at, 1);
    assert_text(&r, 0, 0, "a");
    assert_text(&r, 1, 0, "b-c");
    run_free(&r);
    frx(&r, "(#|x)(.*)", at, 3);
    assert_nul(&r, 0, 0);
    assert_text(&r, 0, 1, "x");
    assert_text(&r, 1, 1, "y");
    assert_nul(&r, 0, 2);
    run_free(&r);

    const char *and[] = {"ab1 x", "abc x", "a1b2 x y"};
    frx(&r, "((<Lower>|<Digit>)+&.*<Digit>) (.*)", and, 3);
    assert_int_equal(r.row.nfields, 2); /* parentheses inside a group only group */
    assert_text(&r, 0, 0, "ab1");
    assert_text(&r, 1, 0, "x");
    assert_nul(&r, 0, 1);
    assert_text(&r, 0, 2, "a1b2");
    assert_text(&r, 1, 2, "x y");
    run_free(&r);
    const char *and3[] = {"abc", "abcd", "ab"};
    frx(&r, "(<Lower>+&...&@c@)", and3, 3);
    assert_text(&r, 0, 0, "abc");
    assert_nul(&r, 0, 1);
    assert_nul(&r, 0, 2);
    run_free(&r);

    const char *ip[] = {"10.255", "10.256", "010.7", "1.", "99999999999999999999.1"};
    frx(&r, "(<0-255>)\\.(<0-255>)", ip, 5);
    assert_text(&r, 0, 0, "10");
    assert_text(&r, 1, 0, "255");
    assert_nul(&r, 0, 1);
    assert_text(&r, 0, 2, "010");
    assert_text(&r, 1, 2, "7");
    assert_nul(&r, 0, 3);
    assert_nul(&r, 0, 4);
    run_free(&r);
    const char *hm[] = {"07:30", "7:30", "07:60", "23:59"};
    frx(&r, "(<00-23>):(<00-59>)", hm, 4);
    assert_text(&r, 0, 0, "07");
    assert_text(&r, 1, 0, "30");
    assert_nul(&r, 0, 1);
    assert_nul(&r, 0, 2);
    assert_text(&r, 1, 3, "59");
    run_free(&r);
    const char *big[] = {"1234567", "999", "1000000000"};
    frx(&r, "(<1000-1234567>)", big, 3);
    assert_text(&r, 0, 0, "1234567");
    assert_nul(&r, 0, 1);
    assert_nul(&r, 0, 2);
    run_free(&r);

    const char *named[] = {"Mary ff0A\t!", "mary ff0A\t!", "Mary fg\t!"};
    frx(&r, "(<Upper><Lower>+) (<XDigit>+)<Blank>(<Punct>)", named, 3);
    assert_text(&r, 0, 0, "Mary");
    assert_text(&r, 1, 0, "ff0A");
    assert_text(&r, 2, 0, "!");
    assert_nul(&r, 0, 1);
    assert_nul(&r, 0, 2);
    run_free(&r);

    const char *req[] = {"GET /index.html", "POST /x y"};
    frx(&r, "((GET|POST)+) (.*)", req, 2);
    assert_int_equal(r.row.nfields, 2);
    assert_text(&r, 0, 0, "GET");
    assert_text(&r, 1, 0, "/index.html");
    assert_text(&r, 1, 1, "/x y");
    run_free(&r);
}

/* Characters are UTF-8 code points; a malformed byte is a character of its own; fields
 * are cut to VARCHAR(1024) as REGEX_LOG_PARSE's are. */
static void test_fast_regex_text(void **state)
{
    run_t r;
    const char *u[] = {"h\xc3\xa9llo", "abc \xc3\xa9\xc3\xbc", "a\377b", "\xe2\x82"};
    frx(&r, "(..)(.*)", u, 1);
    assert_text(&r, 0, 0, "h\xc3\xa9");
    assert_text(&r, 1, 0, "llo");
    run_free(&r);
    frx(&r, "(<Lower>+) ([\xc3\xa0-\xc3\xbf]+)", u, 2);
    assert_nul(&r, 0, 0);
    assert_text(&r, 0, 1, "abc");
    assert_text(&r, 1, 1, "\xc3\xa9\xc3\xbc");
    run_free(&r);
    frx(&r, "(.)(.)(.)", u, 4);
    assert_nul(&r, 0, 0);
    assert_text(&r, 1, 2, "\xff");
    assert_text(&r, 2, 2, "b");
    assert_nul(&r, 0, 3); /* a cut sequence: two malformed bytes */
    run_free(&r);
    frx(&r, "(..)", u, 4);
    assert_text(&r, 0, 3, "\xe2\x82");
    run_free(&r);

    char *longl = malloc(2001);
    memset(longl, 'x', 2000);
    longl[2000] = 0;
    const char *l[] = {longl};
    frx(&r, "(.*)", l, 1);
    assert_int_equal(r.out[0].v.s[0].len, 1024);
    run_free(&r);
    free(longl);
}

/* Patterns that are refused at planning, each with what is wrong and where. */
static void test_fast_regex_errors(void **state)
{
    frx_bad("", "no group");
    frx_bad("abc", "no group");
    frx_bad("(a", "missing the ')' of the '(' at offset 0");
    frx_bad("(a))", "unbalanced ')' at offset 3");
    frx_bad("(*a)", "quantifier '*' at offset 1 has nothing to repeat");
    frx_bad("(a)+", "group 1 (offset 0) takes the quantifier '+'");
    frx_bad("(a)|(b)", "'|' at offset 3 stands between groups");
    frx_bad("x&(b)", "'&' at offset 1 stands between groups");
    frx_bad("([ab)", "unterminated [ at offset 1");
    frx_bad("([a-)", "range at offset 2 is out of order");
    frx_bad("([])", "empty character class at offset 1");
    frx_bad("([z-a])", "range at offset 2 is out of order");
    frx_bad("(<Foo>)", "unknown pattern <Foo> at offset 1");
    frx_bad("(<digit>)", "unknown pattern <digit>");
    frx_bad("(<9-1>)", "interval <9-1> at offset 1 is out of order");
    frx_bad("(<1-1234567890123456789>)", "more than 18 digits");
    frx_bad("(<Digit)", "unterminated < at offset 1");
    frx_bad("(a{2,1})", "repetition at offset 2");
    frx_bad("(a{1001})", "repetition at offset 2");
    frx_bad("(a{x})", "repetition at offset 2");
    frx_bad("(a{2)", "repetition at offset 2");
    frx_bad("(\\d+)", "escape \\d at offset 1 is not Fast Regex syntax");
    frx_bad("(\"abc)", "unterminated string at offset 1");
    frx_bad("(a\\", "ends with a backslash");
    frx_bad("(a|)", "empty alternative at offset 3");
    frx_bad("(&a)", "empty alternative at offset 1");
    frx_bad("((a{1000}){1000})", "too large");
    frx_bad("((.|..){60}&(.|...){60})", "too large");
    char deep[200] = "";
    for (int i = 0; i < 70; i++) strcat(deep, "(");
    strcat(deep, "a");
    for (int i = 0; i < 70; i++) strcat(deep, ")");
    frx_bad(deep, "more than 64 deep");
    frx_bad("(a***************************************************************************)",
            "more than 64 deep");
}

/* FIXED_COLUMN_LOG_PARSE: 0-based START, FOR, date formats, NOT NULL. */
static void test_fixed(void **state)
{
    char err[256];
    run_t r;
    const char *c[] = {"NAME TYPE VARCHAR(5) NOT NULL START 0 FOR 5, \"when\" TYPE DATE 'yyyyMMdd' "
                       "START 5 FOR 8, N TYPE INTEGER START 13"};
    const char *l[] = {"Alice20240229 42", "Bob  20240230 1", "Carl", ""};
    assert_true(run_fn(&r, "FIXED_COLUMN_LOG_PARSE", 1, c, l, 4, err, sizeof err));
    assert_string_equal(r.row.fields[1].name, "when");
    assert_text(&r, 0, 0, "Alice");
    assert_int(&r, 1, 0, 19782); /* 2024-02-29 */
    assert_int(&r, 2, 0, 42);
    assert_int_equal(r.err[1], 1); /* Feb 30 */
    assert_text(&r, 0, 2, "Carl");
    assert_nul(&r, 1, 2);
    assert_int_equal(r.err[2], 0);
    assert_int_equal(r.err[3], 1); /* NAME is NOT NULL */
    run_free(&r);
    const char *bad[][1] = {{"A TYPE INTEGER"},
                            {"A TYPE NOPE START 0"},
                            {"A INTEGER START 0"},
                            {"A TYPE INTEGER 'yyyy' START 0"},
                            {"A TYPE DATE 'qq' START 0"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_false(run_fn(&r, "FIXED_COLUMN_LOG_PARSE", 1, bad[k], l, 1, err, sizeof err));
}

/* VARIABLE_COLUMN_LOG_PARSE: delimiters of several characters, escapes, quotes. */
static void test_variable(void **state)
{
    char err[256];
    run_t r;
    const char *c[] = {"#3", "::", "\\", "[]"};
    const char *l[] = {"a::b::c", "[x::y]::b\\::c::d", "a", "::"};
    assert_true(run_fn(&r, "VARIABLE_COLUMN_LOG_PARSE", 4, c, l, 4, err, sizeof err));
    assert_int_equal(r.row.nfields, 3);
    assert_text(&r, 0, 0, "a");
    assert_text(&r, 2, 0, "c");
    assert_text(&r, 0, 1, "x::y");
    assert_text(&r, 1, 1, "b::c");
    assert_text(&r, 2, 1, "d");
    assert_text(&r, 0, 2, "a");
    assert_nul(&r, 1, 2);
    assert_text(&r, 0, 3, "");
    assert_text(&r, 1, 3, "");
    assert_nul(&r, 2, 3);
    run_free(&r);

    const char *c2[] = {"A TYPE INTEGER, B TYPE DOUBLE", ","};
    const char *l2[] = {"1,2.5", ",", "x,1"};
    assert_true(run_fn(&r, "VARIABLE_COLUMN_LOG_PARSE", 2, c2, l2, 3, err, sizeof err));
    assert_int(&r, 0, 0, 1);
    assert_true(r.out[1].v.f[0] == 2.5);
    assert_nul(&r, 0, 1); /* empty non-character field: NULL */
    assert_int_equal(r.err[1], 0);
    assert_int_equal(r.err[2], 1);
    run_free(&r);
    const char *bad[] = {"#0", ","};
    assert_false(run_fn(&r, "VARIABLE_COLUMN_LOG_PARSE", 2, bad, l2, 1, err, sizeof err));
}

/* SimpleDateFormat: parsing (strict ranges, zones, 12-hour clock, yy pivot) and formatting. */
static void test_datefmt(void **state)
{
    int64_t ms;
#define P(pat, text) sl_datefmt_parse(pat, strlen(pat), text, strlen(text), &ms)
    assert_true(P("dd/MMM/yyyy:HH:mm:ss Z", "10/Oct/2000:13:55:36 -0700"));
    assert_int_equal(ms, APACHE_EXAMPLE_MS);
    assert_true(P("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2000-10-10T20:55:36.250Z"));
    assert_int_equal(ms, APACHE_EXAMPLE_MS + 250);
    assert_true(P("yyyyMMddHHmmss", "20001010205536"));
    assert_int_equal(ms, APACHE_EXAMPLE_MS);
    assert_true(P("MMMM d, yy h:mm a", "October 10, 00 8:55 PM"));
    assert_int_equal(ms, APACHE_EXAMPLE_MS - 36000);
    assert_true(P("yy", "69"));
    assert_int_equal(ms, sl_days_from_civil(2069, 1, 1) * 86400000);
    assert_true(P("HH:mm", "00:00 trailing text is ignored"));
    assert_int_equal(ms, 0);
    assert_false(P("yyyy-MM-dd", "2023-02-29"));
    assert_false(P("HH:mm", "24:00"));
    assert_false(P("yyyy-MM-dd", "2023-02"));
    assert_false(P("'at' HH", "on 10"));
    assert_false(P("Z", "+2500"));
#undef P
    char out[128];
    const char *pat = "EEEE, d MMMM yyyy hh:mm:ss.SSS a 'o''clock' D";
    sl_datefmt_format(pat, strlen(pat), APACHE_EXAMPLE_MS + 7, out, sizeof out);
    assert_string_equal(out, "Tuesday, 10 October 2000 08:55:36.007 PM o'clock 284");
    sl_datefmt_format("yy-M-d k", 8, -1, out, sizeof out);
    assert_string_equal(out, "69-12-31 23");
    char small[6];
    sl_datefmt_format("yyyy-MM-dd", 10, 0, small, sizeof small);
    assert_string_equal(small, "1970-");
    char e[64];
    assert_false(sl_datefmt_check("yyyy-qq", 7, e, sizeof e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_w3c_common),
        cmocka_unit_test(test_w3c_other_formats),
        cmocka_unit_test(test_w3c_iis),
        cmocka_unit_test(test_w3c_custom),
        cmocka_unit_test(test_sys),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_variable),
        cmocka_unit_test(test_datefmt),
        cmocka_unit_test(test_fast_regex_doc),
        cmocka_unit_test(test_fast_regex_lazy),
        cmocka_unit_test(test_fast_regex_syntax),
        cmocka_unit_test(test_fast_regex_text),
        cmocka_unit_test(test_fast_regex_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
