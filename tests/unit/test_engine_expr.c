/*
 * test_engine_expr.c - expression programs: three-valued logic, row errors (division by
 * zero) that do not leak out of untaken CASE branches, DECIMAL division, and the record
 * decoder's JSON paths with one flattened array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "decode.h"
#include "buf.h"
#include "expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column reference expression. */
static sl_expr_t *col(int i, sl_type_t t)
{
    sl_expr_t *e = SL_NEW(sl_expr_t);
    e->kind = SL_EX_COL;
    e->col_ix = i;
    e->type = t;
    return e;
}

/* An operator expression over a and b. */
static sl_expr_t *op(int o, sl_type_t t, sl_expr_t *a, sl_expr_t *b)
{
    sl_expr_t *e = SL_NEW(sl_expr_t);
    e->kind = SL_EX_OP;
    e->op = o;
    e->type = t;
    e->nargs = b ? 2 : 1;
    e->args = SL_NEWN(sl_expr_t *, 2);
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

/* AND / OR over TRUE, FALSE, NULL give SQL's three-valued results. */
static void test_three_valued(void **state)
{
    sl_type_t bt = sl_type_make(SL_T_BOOLEAN);
    sl_pcol_t cols[2] = {{"A", bt, false}, {"B", bt, false}};
    sl_type_t types[2] = {bt, bt};
    sl_batch_t *b = sl_batch_new(2, types, 9);
    /* all 9 combinations of (T, F, NULL) x (T, F, NULL) */
    for (int i = 0; i < 9; i++) {
        int x = i / 3, y = i % 3;
        b->cols[0].v.i[i] = x == 0;
        b->cols[0].null[i] = x == 2;
        b->cols[1].v.i[i] = y == 0;
        b->cols[1].null[i] = y == 2;
    }
    b->n = 9;
    sl_expr_t *xs[2] = {op(SL_XOP_AND, bt, col(0, bt), col(1, bt)), op(SL_XOP_OR, bt, col(0, bt), col(1, bt))};
    sl_prog_t *p = sl_prog_new(xs, 2, cols, 2);
    sl_prog_eval(p, b);
    /* expected: value or -1 for NULL */
    static const int and_want[9] = {1, 0, -1, 0, 0, 0, -1, 0, -1};
    static const int or_want[9] = {1, 1, 1, 1, 0, -1, 1, -1, -1};
    const sl_vec_t *a = sl_prog_result(p, 0), *o = sl_prog_result(p, 1);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(a->null[i] ? -1 : (int)a->v.i[i], and_want[i]);
        assert_int_equal(o->null[i] ? -1 : (int)o->v.i[i], or_want[i]);
    }
    sl_prog_free(p);
    sl_expr_free(xs[0]);
    sl_expr_free(xs[1]);
    sl_batch_free(b);
}

/* Division by zero marks the row as an error (null byte 2) and names it. */
static void test_division_by_zero(void **state)
{
    sl_type_t it = sl_type_make(SL_T_INTEGER);
    sl_pcol_t cols[2] = {{"A", it, false}, {"B", it, false}};
    sl_type_t types[2] = {it, it};
    sl_batch_t *b = sl_batch_new(2, types, 3);
    int64_t av[3] = {7, 8, 9}, bv[3] = {2, 0, -3};
    for (int i = 0; i < 3; i++) {
        b->cols[0].v.i[i] = av[i];
        b->cols[1].v.i[i] = bv[i];
    }
    b->n = 3;
    sl_expr_t *x = op(SL_XOP_DIV, it, col(0, it), col(1, it));
    sl_prog_t *p = sl_prog_new(&x, 1, cols, 2);
    sl_prog_eval(p, b);
    const sl_vec_t *r = sl_prog_result(p, 0);
    assert_int_equal(r->v.i[0], 3);
    assert_int_equal(r->null[1], SL_NULL_ERROR);
    assert_int_equal(r->v.i[2], -3);
    assert_string_equal(sl_prog_error_name(p), "DivisionByZero");
    sl_prog_free(p);
    sl_expr_free(x);
    sl_batch_free(b);
}

/* JSONPath mappings: nested members, one flattened array, missing members as NULL. */
static void test_decoder_flatten(void **state)
{
    sl_schema_col_t sc[3] = {{"ID", "INTEGER", "$.id"}, {"SKU", "VARCHAR(4)", "$.items[0:].sku"},
                             {"CITY", "VARCHAR(8)", "$.c.city"}};
    sl_record_schema_t schema = {SL_FORMAT_JSON, "$", "\n", ",", "UTF-8", sc, 3};
    sl_type_t tt[4] = {sl_type_make(SL_T_INTEGER), sl_type_make(SL_T_VARCHAR), sl_type_make(SL_T_VARCHAR),
                       sl_type_make(SL_T_TIMESTAMP)};
    tt[1].len = 4;
    tt[2].len = 8;
    sl_pcol_t cols[4] = {{"ID", tt[0], false}, {"SKU", tt[1], false}, {"CITY", tt[2], false},
                         {"APPROXIMATE_ARRIVAL_TIME", tt[3], true}};
    char *err = NULL;
    sl_decoder_t *d = sl_decoder_new(&schema, cols, 4, &err);
    assert_non_null(d);
    sl_batch_t *b = sl_batch_new(4, tt, 16);
    const char *rec = "{\"id\":5,\"c\":{\"city\":\"Oslo\"},\"items\":[{\"sku\":\"abcdef\"},{\"x\":1}]}";
    const char *msg = NULL;
    assert_int_equal(sl_decoder_decode(d, rec, strlen(rec), b, 1000, 1000, &msg), 2);
    assert_int_equal(b->cols[0].v.i[1], 5);
    assert_int_equal(b->cols[1].v.s[0].len, 4); /* VARCHAR(4): cut */
    assert_int_equal(b->cols[1].null[1], 1);
    assert_memory_equal(b->cols[2].v.s[1].p, "Oslo", 4);
    assert_int_equal(sl_decoder_decode(d, "{\"id\":", 6, b, 1000, 1000, &msg), SL_DECODE_ERROR);
    assert_non_null(strstr(msg, "malformed JSON"));
    sl_batch_free(b);
    sl_decoder_free(d);
}

/* The flat-object fast path remembers the previous record's member names: a sequence of
 * records whose members move, change spacing, grow, turn nested or carry escapes decodes to
 * exactly what the full scanner gives, record by record. */
static void test_decoder_flat_shapes(void **state)
{
    sl_schema_col_t sc[3] = {{"TICKER", "VARCHAR(4)", "$.ticker"}, {"PRICE", "DOUBLE", "$.price"},
                             {"VOL", "BIGINT", "$.vol"}};
    sl_record_schema_t schema = {SL_FORMAT_JSON, "$", "\n", ",", "UTF-8", sc, 3};
    sl_type_t tt[4] = {sl_type_make(SL_T_VARCHAR), sl_type_make(SL_T_DOUBLE), sl_type_make(SL_T_BIGINT),
                       sl_type_make(SL_T_TIMESTAMP)};
    tt[0].len = 4;
    sl_pcol_t cols[4] = {{"TICKER", tt[0], false}, {"PRICE", tt[1], false}, {"VOL", tt[2], false},
                         {"APPROXIMATE_ARRIVAL_TIME", tt[3], true}};
    static const char *recs[] = {
        "{\"ticker\":\"AAPL\",\"price\":1.5,\"vol\":10}",
        "{\"ticker\":\"MSFT\",\"price\":2.25,\"vol\":20}",       /* same shape */
        "{\"price\":3.5,\"ticker\":\"IBM\",\"vol\":30}",         /* members moved */
        "{\"ticker\" : \"GE\", \"price\":4,\"vol\":-40}",        /* blanks */
        "{\"tick\":\"X\",\"price\":5,\"vol\":50}",               /* a prefix of a name */
        "{\"tickers\":\"Y\",\"price\":6,\"vol\":60}",            /* a longer name */
        "{\"ticker\":\"TOOLONG\",\"price\":\"7.5\",\"vol\":\"70\"}", /* cut, strings */
        "{\"ticker\":\"A\\\"B\",\"price\":8,\"vol\":80}",       /* an escape */
        "{\"ticker\":{\"x\":1},\"price\":9,\"vol\":90}",          /* nested */
        "{\"ticker\":\"Z\",\"price\":null,\"vol\":1e3}",         /* null, exponent */
        "{\"ticker\":\"AAPL\",\"price\":1.5,\"vol\":10}",        /* back to the first */
        "{\"ticker\":\"AAPL\",\"price\":1.5}",                    /* a member missing */
    };
    char *err = NULL;
    sl_decoder_t *fast = sl_decoder_new(&schema, cols, 4, &err), *slow = sl_decoder_new(&schema, cols, 4, &err);
    assert_non_null(fast);
    assert_non_null(slow);
    sl_decoder_fast_path(slow, false);
    sl_batch_t *bf = sl_batch_new(4, tt, 4), *bs = sl_batch_new(4, tt, 4);
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < sizeof recs / sizeof *recs; k++) {
            sl_batch_reset(bf);
            sl_batch_reset(bs);
            const char *mf = NULL, *ms = NULL;
            int rf = sl_decoder_decode(fast, recs[k], strlen(recs[k]), bf, 1000, 1000, &mf);
            int rs = sl_decoder_decode(slow, recs[k], strlen(recs[k]), bs, 1000, 1000, &ms);
            assert_int_equal(rf, rs);
            if (rf < 0) {
                assert_string_equal(mf, ms);
                continue;
            }
            for (int c = 0; c < 3; c++) {
                assert_int_equal(bf->cols[c].null[0], bs->cols[c].null[0]);
                if (bf->cols[c].null[0]) continue;
                if (c == 0) {
                    assert_int_equal(bf->cols[0].v.s[0].len, bs->cols[0].v.s[0].len);
                    assert_memory_equal(bf->cols[0].v.s[0].p, bs->cols[0].v.s[0].p, bs->cols[0].v.s[0].len);
                } else if (c == 1) {
                    assert_true(bf->cols[1].v.f[0] == bs->cols[1].v.f[0]);
                } else {
                    assert_int_equal(bf->cols[2].v.i[0], bs->cols[2].v.i[0]);
                }
            }
        }
    }
    /* Spot checks against the expected values, not only against the other path. */
    sl_batch_reset(bf);
    const char *msg = NULL;
    assert_int_equal(sl_decoder_decode(fast, recs[2], strlen(recs[2]), bf, 1000, 1000, &msg), 1);
    assert_memory_equal(bf->cols[0].v.s[0].p, "IBM", 3);
    assert_true(bf->cols[1].v.f[0] == 3.5);
    assert_int_equal(bf->cols[2].v.i[0], 30);
    sl_batch_free(bf);
    sl_batch_free(bs);
    sl_decoder_free(fast);
    sl_decoder_free(slow);
}

/* DOUBLE text (the output of every double column) against glibc: the shortest of %.15g,
 * %.16g, %.17g that reads back, with ".0" added to integers - over random doubles of every
 * magnitude the fast paths cover, and around powers of two and ten. */
static void test_double_text(void **state)
{
    sl_vec_t v;
    sl_vec_alloc(&v, sl_type_make(SL_T_DOUBLE), 1);
    sl_buf_t got = SL_BUF_INIT;
    srand(12345);
    for (int i = 0; i < 300000; i++) {
        double d;
        int kind = i % 4;
        if (kind == 0) d = ldexp((double)rand() / RAND_MAX + 0.5, rand() % 60 - 14);
        else if (kind == 1) d = floor((double)rand() / RAND_MAX * 1e6) / 100.0;
        else if (kind == 2) d = ((double)rand() / RAND_MAX) * pow(10, rand() % 19 - 4);
        else d = nextafter(ldexp(1.0, rand() % 60 - 13), (rand() & 1) ? 0 : 1e300);
        if (rand() & 1) d = -d;
        char want[64];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(want, sizeof want, "%.*g", prec, d);
            if (strtod(want, NULL) == d) break;
        }
        if (!strpbrk(want, ".eEn")) strcat(want, ".0");
        v.v.f[0] = d;
        v.null[0] = 0;
        sl_buf_reset(&got);
        sl_value_text(&got, &v, 0);
        if (strcmp(got.p, want)) fail_msg("%.17g: got %s, want %s", d, got.p, want);
    }
    sl_buf_free(&got);
    sl_vec_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_valued),
        cmocka_unit_test(test_division_by_zero),
        cmocka_unit_test(test_decoder_flatten),
        cmocka_unit_test(test_decoder_flat_shapes),
        cmocka_unit_test(test_double_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
