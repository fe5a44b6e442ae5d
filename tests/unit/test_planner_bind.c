/*
 * test_planner_bind.c - the planner on small applications: node shapes, types, implicit
 * casts, and the KDA validity rules with their line:col positions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "planner_fixture.h"

/* A tumbling GROUP BY lowers to MAP -> AGG -> MAP -> MAP -> STREAM with typed columns. */
static void test_tumbling_shape(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (t VARCHAR(8), n BIGINT, a DOUBLE);\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM ticker, COUNT(*), AVG(price) "
                           "FROM S_001 GROUP BY ticker, STEP(S_001.ROWTIME BY INTERVAL '10' SECOND);\n",
                           err, sizeof err, &script, &app);
    assert_non_null(p);
    int aggs = 0;
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i]->kind == SL_PN_AGG) {
            aggs++;
            assert_int_equal(p->nodes[i]->step_ms, 10000);
            assert_int_equal(p->nodes[i]->time_key, 1);
            assert_int_equal(p->nodes[i]->naggs, 2);
        }
    assert_int_equal(aggs, 1);
    sl_buf_t out = SL_BUF_INIT;
    sl_plan_explain(p, &out);
    assert_non_null(strstr(out.p, "tumbling 10s"));
    sl_buf_free(&out);
    sl_plan_free(p);
    sl_ast_free(script);
}

/* Errors name the place and the rule. */
static void test_errors(void **state)
{
    static const struct {
        const char *sql, *want;
    } cases[] = {
        {"CREATE STREAM O (t VARCHAR(8), n BIGINT);\nCREATE PUMP P AS INSERT INTO O SELECT STREAM "
         "ticker, COUNT(*) FROM S_001 GROUP BY ticker;\n",
         "3:83: a streaming GROUP BY needs a monotonic time key"},
        {"CREATE STREAM O (t VARCHAR(8));\nCREATE PUMP P AS INSERT INTO O SELECT STREAM tick FROM S_001;\n",
         "3:46: unknown column 'TICK'"},
        {"CREATE STREAM O (t VARCHAR(8));\nCREATE PUMP P AS INSERT INTO O SELECT STREAM ticker FROM S_001 "
         "WHERE ticker = 1;\n",
         "3:70: type mismatch: cannot compare VARCHAR(8) with INTEGER"},
        {"CREATE STREAM O (t VARCHAR(8));\nCREATE PUMP P AS INSERT INTO O SELECT STREAM ticker FROM S_001 "
         "UNION SELECT STREAM ticker FROM S_001;\n",
         "3:32: only UNION ALL applies to streams"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512];
        sl_ast_t *script;
        sl_app_desc_t app;
        sl_plan_t *p = plan_of(cases[i].sql, err, sizeof err, &script, &app);
        assert_null(p);
        if (strncmp(err, cases[i].want, strlen(cases[i].want))) fail_msg("got '%s', want '%s'", err, cases[i].want);
        sl_ast_free(script);
    }
}

/* DECIMAL arithmetic types: + keeps the larger scale, * adds scales; INTEGER widens. */
static void test_decimal_types(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (a DECIMAL(18,2), b DECIMAL(18,4), c DOUBLE);\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM amount + qty, amount * amount, "
                           "price + qty FROM S_001;\n",
                           err, sizeof err, &script, &app);
    assert_non_null(p);
    const sl_pnode_t *m = NULL;
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i]->kind == SL_PN_MAP && p->nodes[i]->exprs[0]->kind == SL_EX_OP) m = p->nodes[i];
    assert_non_null(m);
    assert_int_equal(m->exprs[0]->type.id, SL_T_DECIMAL);
    assert_int_equal(m->exprs[0]->type.scale, 2);
    assert_int_equal(m->exprs[1]->type.scale, 4);
    assert_int_equal(m->exprs[2]->type.id, SL_T_DOUBLE);
    assert_int_equal(m->exprs[2]->args[1]->kind, SL_EX_CAST); /* qty widened explicitly */
    sl_plan_free(p);
    sl_ast_free(script);
}

/* Frame functions become WINDOW aggregates with their literal arguments, null treatment
 * and direction in sl_pagg_t; LAG's default is a pre-MAP column in the widened type. */
static void test_frame_functions(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (a DOUBLE, b DOUBLE, c DOUBLE, d DOUBLE);\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM LAG(qty, 3, price) IGNORE NULLS "
                           "OVER w, NTH_VALUE(price, 2) FROM LAST OVER w, FIRST_VALUE(price) OVER w, "
                           "EXP_AVG(qty, INTERVAL '2' SECOND) OVER w FROM S_001 "
                           "WINDOW w AS (PARTITION BY ticker ROWS 5 PRECEDING);\n",
                           err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    const sl_pnode_t *w = NULL;
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i]->kind == SL_PN_WINDOW) w = p->nodes[i];
    assert_non_null(w);
    assert_int_equal(w->naggs, 4);
    const sl_pagg_t *lag = &w->aggs[0], *nth = &w->aggs[1], *first = &w->aggs[2], *ea = &w->aggs[3];
    assert_int_equal(lag->frame_fn, SL_FRAME_LAG);
    assert_int_equal(lag->nth, 3);
    assert_true(lag->ignore_nulls);
    assert_true(lag->dflt >= 0);
    assert_int_equal(lag->ctx.result.id, SL_T_DOUBLE); /* INTEGER value, DOUBLE default */
    assert_int_equal(lag->ctx.arg.id, SL_T_DOUBLE);    /* the frame keeps the result type */
    assert_int_equal(nth->frame_fn, SL_FRAME_NTH);
    assert_int_equal(nth->nth, 2);
    assert_true(nth->from_last);
    assert_false(nth->ignore_nulls);
    assert_int_equal(nth->dflt, -1);
    assert_int_equal(first->frame_fn, SL_FRAME_FIRST);
    assert_int_equal(ea->frame_fn, SL_FRAME_EXP_AVG);
    assert_int_equal(ea->nth, 2000);
    assert_true(lag->rows && lag->range == 5 && lag->npart == 1);
    sl_buf_t out = SL_BUF_INIT;
    sl_plan_explain(p, &out);
    assert_non_null(strstr(out.p, "ignore nulls"));
    assert_non_null(strstr(out.p, "NTH_VALUE($1, 2) from last"));
    sl_buf_free(&out);
    sl_plan_free(p);
    sl_ast_free(script);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tumbling_shape),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_decimal_types),
        cmocka_unit_test(test_frame_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
