/*
 * test_functions_agg.c - the registry table and the aggregates COUNT/SUM/AVG/MIN/MAX,
 * including inverse (what sliding windows rely on) and merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
