/*
 * test_functions_agg.c - the registry table and the aggregates COUNT/SUM/AVG/MIN/MAX,
 * including inverse (what sliding windows rely on) and merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "registry.h"

/* Runs `ops` over vals (NULLs skipped as the runtime does) and returns the final vector. */
static void run_agg(const sl_fn_def_t *f, sl_type_t arg, const double *vals, int n,
                    sl_vec_t *out)
{
    sl_fn_call_info_t call = {.nargs = 1, .args = &arg};
    sl_type_t res;
    char err[128];
    assert_true(f->type_rule(&call, &res, err, sizeof err));
    sl_agg_ctx_t c = {arg, res};
    void *st = sl_calloc(1, f->agg->state_size);
    f->agg->init(&c, st);
    sl_vec_t in;
    sl_vec_alloc(&in, arg, (size_t)n);
    for (int i = 0; i < n; i++) {
        if (sl_type_phys(arg) == SL_PHYS_F64) in.v.f[i] = vals[i];
        else in.v.i[i] = (int64_t)vals[i];
        f->agg->step(&c, st, &in, (size_t)i);
    }
    sl_vec_alloc(out, res, 1);
    f->agg->final(&c, st, out, 0);
    if (f->agg->destroy) f->agg->destroy(&c, st);
    sl_free(st);
    sl_vec_free(&in);
}

/*
 * step_rows gives what step gives row by row: for every aggregate that has it, over
 * DOUBLE, BIGINT and VARCHAR arguments with NULLs, rows spread over 7 groups and some rows
 * left out (SL_AGG_SKIP), the final values of every group are equal bit for bit.
 */
static void test_step_rows(void **state)
{
    static const char *names[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
    sl_type_t types[3] = {sl_type_make(SL_T_DOUBLE), sl_type_make(SL_T_BIGINT), sl_type_make(SL_T_VARCHAR)};
    enum { N = 500, G = 7 };
    static const char *words[] = {"pear", "apple", "fig", "kiwi", "apricot", "", "zucchini"};
    uint32_t seed = 12345;
    for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
        const sl_fn_def_t *fn = sl_fn_lookup(names[f]);
        assert_non_null(fn->agg->step_rows);
        for (int t = 0; t < 3; t++) {
            if (t == 2 && (f == 1 || f == 2)) continue; /* no SUM/AVG of strings */
            sl_fn_call_info_t call = {.nargs = 1, .args = &types[t]};
            sl_type_t res;
            char err[128];
            assert_true(fn->type_rule(&call, &res, err, sizeof err));
            sl_agg_ctx_t c = {types[t], res};
            sl_vec_t in;
            sl_vec_alloc(&in, types[t], N);
            uint32_t gid[N];
            for (int i = 0; i < N; i++) {
                seed = seed * 1103515245u + 12345u;
                in.null[i] = (seed >> 16) % 9 == 0;
                gid[i] = (seed >> 8) % 11 == 0 ? SL_AGG_SKIP : (seed >> 20) % G;
                if (t == 0) in.v.f[i] = (double)((int32_t)(seed >> 3) % 100000) / 7.0;
                else if (t == 1) in.v.i[i] = (int32_t)(seed >> 4) % 1000000;
                else in.v.s[i] = (sl_str_t){words[(seed >> 12) % 7], (uint32_t)strlen(words[(seed >> 12) % 7])};
            }
            size_t stride = (fn->agg->state_size + 15) & ~(size_t)15;
            char *a = sl_calloc(G, stride), *b = sl_calloc(G, stride);
            for (int g = 0; g < G; g++) {
                fn->agg->init(&c, a + g * stride);
                fn->agg->init(&c, b + g * stride);
            }
            for (int i = 0; i < N; i++)
                if (gid[i] != SL_AGG_SKIP && !in.null[i]) fn->agg->step(&c, a + gid[i] * stride, &in, (size_t)i);
            fn->agg->step_rows(&c, b, stride, gid, &in, N);
            sl_vec_t oa, ob;
            sl_vec_alloc(&oa, res, G);
            sl_vec_alloc(&ob, res, G);
            for (int g = 0; g < G; g++) {
                fn->agg->final(&c, a + g * stride, &oa, (size_t)g);
                fn->agg->final(&c, b + g * stride, &ob, (size_t)g);
                assert_int_equal(oa.null[g], ob.null[g]);
                if (oa.null[g]) continue;
                if (sl_type_phys(res) == SL_PHYS_F64) assert_memory_equal(&oa.v.f[g], &ob.v.f[g], sizeof(double));
                else if (sl_type_phys(res) == SL_PHYS_I64) assert_int_equal(oa.v.i[g], ob.v.i[g]);
                else {
                    assert_int_equal(oa.v.s[g].len, ob.v.s[g].len);
                    assert_memory_equal(oa.v.s[g].p, ob.v.s[g].p, ob.v.s[g].len);
                }
                if (fn->agg->destroy) {
                    fn->agg->destroy(&c, a + g * stride);
                    fn->agg->destroy(&c, b + g * stride);
                }
            }
            sl_vec_free(&oa);
            sl_vec_free(&ob);
            sl_vec_free(&in);
            sl_free(a);
            sl_free(b);
        }
    }
}

/* The table has the five aggregates and rejects unknown names. */
static void test_lookup(void **state)
{
    assert_non_null(sl_fn_lookup("COUNT"));
    assert_non_null(sl_fn_lookup("AVG"));
    assert_null(sl_fn_lookup("NO_SUCH_FUNCTION"));
    assert_int_equal(sl_fn_lookup("SUM")->kind, SL_FN_AGGREGATE);
}

/* SUM/AVG/MIN/MAX over integers and doubles. */
static void test_basic(void **state)
{
    double v[] = {3, 1, 4, 1, 5};
    sl_vec_t out;
    run_agg(sl_fn_lookup("SUM"), sl_type_make(SL_T_INTEGER), v, 5, &out);
    assert_int_equal(out.v.i[0], 14);
    sl_vec_free(&out);
    run_agg(sl_fn_lookup("AVG"), sl_type_make(SL_T_INTEGER), v, 5, &out);
    assert_int_equal(out.v.i[0], 2);
    sl_vec_free(&out);
    run_agg(sl_fn_lookup("AVG"), sl_type_make(SL_T_DOUBLE), v, 5, &out);
    assert_true(out.v.f[0] > 2.79 && out.v.f[0] < 2.81);
    sl_vec_free(&out);
    run_agg(sl_fn_lookup("MIN"), sl_type_make(SL_T_DOUBLE), v, 5, &out);
    assert_true(out.v.f[0] == 1.0);
    sl_vec_free(&out);
    run_agg(sl_fn_lookup("MAX"), sl_type_make(SL_T_BIGINT), v, 5, &out);
    assert_int_equal(out.v.i[0], 5);
    sl_vec_free(&out);
    run_agg(sl_fn_lookup("SUM"), sl_type_make(SL_T_BIGINT), v, 0, &out);
    assert_int_equal(out.null[0], 1);
    sl_vec_free(&out);
}

/* FLOOR/STEP time helpers. */
static void test_time(void **state)
{
    assert_int_equal(sl_fn_floor_ts(61500, SL_FN_UNIT_MINUTE), 60000);
    assert_int_equal(sl_fn_next_ts(61500, SL_FN_UNIT_MINUTE), 120000);
    assert_int_equal(sl_fn_step(-1, 10), -10);
    assert_int_equal(sl_fn_step(25, 10), 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_step_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
