/*
 * planner_fixture.h - the application the planner unit tests plan against: one JSON input
 * S_001 (TICKER VARCHAR(8), PRICE DOUBLE, QTY INTEGER, AMOUNT DECIMAL(10,2)) described by
 * hand as sqlapp.c would, and plan_of(), which parses INPUT + a test's SQL and plans it.
 * Included (once) by test_planner_*.c after cmocka.h, alloc.h and plan.h.
 */
#ifndef SL_TEST_PLANNER_FIXTURE_H
#define SL_TEST_PLANNER_FIXTURE_H

#include <stdio.h>
#include <string.h>

static const char *INPUT =
    "CREATE INPUT \"S_001\" FROM STREAM 's' FORMAT JSON (ticker VARCHAR(8) PATH '$.t', "
    "price DOUBLE PATH '$.p', qty INTEGER PATH '$.q', amount DECIMAL(10,2) PATH '$.a');\n";

/* A hand-made description of the input above (what sqlapp.c would produce). */
static void make_app(sl_app_desc_t *app, sl_app_input_t *in, sl_schema_col_t *cols)
{
    memset(app, 0, sizeof *app);
    memset(in, 0, sizeof *in);
    static char n0[] = "TICKER", n1[] = "PRICE", n2[] = "QTY", n3[] = "AMOUNT";
    static char t0[] = "VARCHAR(8)", t1[] = "DOUBLE", t2[] = "INTEGER", t3[] = "DECIMAL(10,2)";
    cols[0] = (sl_schema_col_t){n0, t0, NULL};
    cols[1] = (sl_schema_col_t){n1, t1, NULL};
    cols[2] = (sl_schema_col_t){n2, t2, NULL};
    cols[3] = (sl_schema_col_t){n3, t3, NULL};
    static char prefix[] = "S";
    in->name_prefix = prefix;
    in->parallelism = 1;
    in->schema.cols = cols;
    in->schema.ncols = 4;
    app->inputs = in;
    app->ninputs = 1;
}

/* Plans INPUT + sql; returns the plan (or NULL) and the first error in err. */
static sl_plan_t *plan_of(const char *sql, char *err, size_t errlen, sl_ast_t **script,
                          sl_app_desc_t *app)
{
    static sl_app_input_t in;
    static sl_schema_col_t cols[4];
    make_app(app, &in, cols);
    char *text = sl_asprintf("%s%s", INPUT, sql);
    sl_diag_t d = SL_DIAG_INIT;
    *script = sl_parse("t.sql", text, strlen(text), &d);
    assert_int_equal(d.count, 0);
    sl_plan_t *p = sl_plan_build(*script, app, &d);
    err[0] = 0;
    if (d.count) snprintf(err, errlen, "%d:%d: %s", d.items[0].line, d.items[0].col, d.items[0].msg);
    sl_diag_free(&d);
    sl_free(text);
    return p;
}

#endif
