/*
 * test_planner_tablefn.c - the planner on TABLE(RANDOM_CUT_FOREST / _WITH_EXPLANATION /
 * HOTSPOTS / TOP_K_ITEMS_TUMBLING / COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), ...)): the
 * TABLEFN node (configuration, scored columns, output columns), its use under an alias and
 * as a subquery, EXPLAIN, and errors with positions.
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

/* The one TABLEFN node of a plan (fails when there is not exactly one). */
static const sl_pnode_t *tablefn_node(const sl_plan_t *p)
{
    const sl_pnode_t *t = NULL;
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i]->kind == SL_PN_TABLEFN) {
            assert_null(t);
            t = p->nodes[i];
        }
    assert_non_null(t);
    return t;
}

/* Defaults: KDA's 100 / 256 / 100000 / 1; the point is the numeric columns, in order; the
 * cursor's columns pass through and ANOMALY_SCORE DOUBLE is appended. */
static void test_rcf_defaults(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (t VARCHAR(8), s DOUBLE);\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM ticker, ANOMALY_SCORE FROM "
                           "TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ticker, price, qty FROM S_001)));\n",
                           err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    const sl_pnode_t *t = tablefn_node(p);
    assert_int_equal(t->tfn, SL_TFN_RCF);
    assert_int_equal(t->rcf.trees, 100);
    assert_int_equal(t->rcf.sample_size, 256);
    assert_int_equal(t->rcf.time_decay, 100000);
    assert_int_equal(t->rcf.shingle_size, 1);
    assert_int_equal(t->rcf.dims, 2);
    assert_int_equal(t->nscored, 2);
    assert_int_equal(t->scored[0], 1); /* PRICE */
    assert_int_equal(t->scored[1], 2); /* QTY */
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->cols[0].name, "TICKER");
    assert_string_equal(t->cols[3].name, "ANOMALY_SCORE");
    assert_int_equal(t->cols[3].type.id, SL_T_DOUBLE);
    sl_plan_free(p);
    sl_ast_free(script);
}

/* The explanation variant with every argument, under an alias with column names, read by
 * an outer query through a subquery; EXPLAIN names the function and its arguments. */
static void test_explanation_alias_explain(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of(
        "CREATE STREAM O (s DOUBLE, e VARCHAR(512));\n"
        "CREATE PUMP P AS INSERT INTO O SELECT STREAM x.sc, x.ex FROM (SELECT STREAM r.sc, r.ex "
        "FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM price FROM S_001), "
        "20, 64, 5000, 4, TRUE)) AS r (pr, sc, ex) WHERE r.sc > 1) AS x;\n",
        err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    const sl_pnode_t *t = tablefn_node(p);
    assert_int_equal(t->tfn, SL_TFN_RCF_EXPLAIN);
    assert_int_equal(t->rcf.trees, 20);
    assert_int_equal(t->rcf.sample_size, 64);
    assert_int_equal(t->rcf.time_decay, 5000);
    assert_int_equal(t->rcf.shingle_size, 4);
    assert_true(t->directionality);
    assert_int_equal(t->ncols, 3);
    assert_string_equal(t->cols[2].name, "ANOMALY_EXPLANATION");
    assert_int_equal(t->cols[2].type.id, SL_T_VARCHAR);
    sl_buf_t out = SL_BUF_INIT;
    sl_plan_explain(p, &out);
    sl_buf_putc(&out, 0);
    assert_non_null(strstr(out.p, "table function RANDOM_CUT_FOREST_WITH_EXPLANATION(numberOfTrees "
                                  "20, subSampleSize 64, timeDecay 5000, shingleSize 4, "
                                  "withDirectionality TRUE) point [PRICE]"));
    sl_buf_free(&out);
    sl_plan_free(p);
    sl_ast_free(script);
}

/* HOTSPOTS: its three arguments (scanRadius a DOUBLE) and HOTSPOTS_RESULT VARCHAR. */
static void test_hotspots(void **state)
{
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (h VARCHAR(10000));\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM HOTSPOTS_RESULT FROM "
                           "TABLE(HOTSPOTS(CURSOR(SELECT STREAM price, qty FROM S_001), 1000, 0.25, 17));\n",
                           err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    const sl_pnode_t *t = tablefn_node(p);
    assert_int_equal(t->tfn, SL_TFN_HOTSPOTS);
    assert_int_equal(t->hotspots.window_size, 1000);
    assert_true(t->hotspots.scan_radius == 0.25);
    assert_int_equal(t->hotspots.min_points, 17);
    assert_int_equal(t->hotspots.dims, 2);
    assert_string_equal(t->cols[2].name, "HOTSPOTS_RESULT");
    assert_int_equal(t->cols[2].type.id, SL_T_VARCHAR);
    sl_plan_free(p);
    sl_ast_free(script);
}

/* The tumbling ones: only their own columns, the counted column by its own name and type
 * (columnName matched case-insensitively), K and the window in ms. */
static void test_tumbling(void **state)
{
    (void)state;
    char err[512];
    sl_ast_t *script;
    sl_app_desc_t app;
    sl_plan_t *p = plan_of("CREATE STREAM O (t VARCHAR(8), n BIGINT);\n"
                           "CREATE PUMP P AS INSERT INTO O SELECT STREAM * FROM "
                           "TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM price, ticker FROM S_001), "
                           "'ticker', 7, 60));\n",
                           err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    const sl_pnode_t *t = tablefn_node(p);
    assert_int_equal(t->tfn, SL_TFN_TOPK);
    assert_int_equal(t->item_col, 1);
    assert_int_equal(t->top_k, 7);
    assert_int_equal(t->window_ms, 60000);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->cols[0].name, "TICKER");
    assert_int_equal(t->cols[0].type.id, SL_T_VARCHAR);
    assert_string_equal(t->cols[1].name, "MOST_FREQUENT_VALUES");
    assert_int_equal(t->cols[1].type.id, SL_T_BIGINT);
    sl_plan_free(p);
    sl_ast_free(script);
    p = plan_of("CREATE STREAM O (n BIGINT);\n"
                "CREATE PUMP P AS INSERT INTO O SELECT STREAM NUMBER_OF_DISTINCT_ITEMS FROM "
                "TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM S_001), 'QTY', 3600));\n",
                err, sizeof err, &script, &app);
    if (!p) fail_msg("%s", err);
    t = tablefn_node(p);
    assert_int_equal(t->tfn, SL_TFN_DISTINCT);
    assert_int_equal(t->item_col, 2);
    assert_int_equal(t->window_ms, 3600000);
    assert_int_equal(t->ncols, 1);
    assert_string_equal(t->cols[0].name, "NUMBER_OF_DISTINCT_ITEMS");
    sl_plan_free(p);
    sl_ast_free(script);
}

/* Errors sit at the argument, the CURSOR or the function name. */
static void test_errors(void **state)
{
    static const char *const pre = "CREATE STREAM O (s DOUBLE);\nCREATE PUMP P AS INSERT INTO O "
                                   "SELECT STREAM ANOMALY_SCORE FROM TABLE(";
    static const struct {
        const char *call, *want;
    } cases[] = {
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM S_001)))",
         "3:89: RANDOM_CUT_FOREST does not support DECIMAL columns (AMOUNT); use DOUBLE"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ticker FROM S_001)))",
         "3:89: RANDOM_CUT_FOREST needs at least one numeric column"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM price FROM S_001), 100, 256, 100000, 1, 1))",
         "3:71: RANDOM_CUT_FOREST takes a CURSOR and at most 4 more arguments"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM price FROM S_001), 100, -3))",
         "3:134: RANDOM_CUT_FOREST: subSampleSize must be between 10 and 1000"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM price FROM S_001), 100, 300, 200))",
         "3:139: RANDOM_CUT_FOREST: subSampleSize must be less than timeDecay"},
        {"RANDOM_CUT_FOREST(S_001))", "3:89: the first argument of RANDOM_CUT_FOREST must be CURSOR"},
        {"HOTSPOTS(CURSOR(SELECT STREAM price FROM S_001), 1000, 0.5))",
         "3:71: HOTSPOTS takes a CURSOR, windowSize, scanRadius and minimumNumberOfPointsInAHotspot"},
        {"HOTSPOTS(CURSOR(SELECT STREAM price FROM S_001), 1000, 0.5, 1))",
         "3:131: HOTSPOTS: minimumNumberOfPointsInAHotspot must be between 2 and windowSize"},
        {"NO_SUCH_FN(CURSOR(SELECT STREAM price FROM S_001)))", "3:71: unknown table function 'NO_SUCH_FN'"},
        {"TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM price FROM S_001), 'price', 100001, 60))",
         "3:141: TOP_K_ITEMS_TUMBLING: K must be between 1 and 100000"},
        {"TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM price FROM S_001), 'qty', 5, 60))",
         "3:132: TOP_K_ITEMS_TUMBLING: columnName 'qty' is not a column of the CURSOR"},
        {"COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM price FROM S_001), 'price', 3601))",
         "3:150: COUNT_DISTINCT_ITEMS_TUMBLING: windowSize must be between 1 and 3600 seconds"},
        {"COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM price FROM S_001), 'price'))",
         "3:71: COUNT_DISTINCT_ITEMS_TUMBLING takes a CURSOR, columnName and windowSize"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512], *sql = sl_asprintf("%s%s;\n", pre, cases[i].call);
        sl_ast_t *script;
        sl_app_desc_t app;
        sl_plan_t *p = plan_of(sql, err, sizeof err, &script, &app);
        assert_null(p);
        if (strncmp(err, cases[i].want, strlen(cases[i].want))) fail_msg("got '%s', want '%s'", err, cases[i].want);
        sl_ast_free(script);
        sl_free(sql);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rcf_defaults),
        cmocka_unit_test(test_explanation_alias_explain),
        cmocka_unit_test(test_hotspots),
        cmocka_unit_test(test_tumbling),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
