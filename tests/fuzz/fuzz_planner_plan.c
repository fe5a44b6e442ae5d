/*
 * fuzz_planner_plan.c - libFuzzer target for the planner and the engine: arbitrary SQL,
 * after a fixed CREATE INPUT, is parsed, planned, EXPLAINed and - when it plans and needs
 * no reference files - run over a few records to the end of input. Planning either gives
 * a plan or diagnostics; running never crashes, hangs or leaks.
 */
#include "alloc.h"
#include "engine.h"
#include "plan.h"
#include "sqlapp.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char PREFIX[] =
    "CREATE INPUT \"SOURCE_SQL_STREAM_001\" FROM STREAM 's' FORMAT JSON (ticker_symbol "
    "VARCHAR(4) PATH '$.t', sector VARCHAR(16) PATH '$.s', change REAL PATH '$.c', price REAL "
    "PATH '$.p', ticker VARCHAR(8) PATH '$.t', volume BIGINT PATH '$.v', event_time TIMESTAMP "
    "PATH '$.e', id INTEGER PATH '$.i', temp DOUBLE PATH '$.c');\n";

/* Plans (and maybe runs) one input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    size_t pl = sizeof PREFIX - 1;
    char *text = sl_malloc(pl + size + 1);
    memcpy(text, PREFIX, pl);
    memcpy(text + pl, data, size);
    text[pl + size] = 0;
    sl_diag_t d = SL_DIAG_INIT;
    sl_ast_t *script = sl_parse("f.sql", text, pl + size, &d);
    sl_app_desc_t app;
    memset(&app, 0, sizeof app);
    bool have_app = false;
    if (!d.count) have_app = sl_app_desc_from_sql(script, "f", text, &app, &d) == 0;
    sl_plan_t *p = !d.count && have_app ? sl_plan_build(script, &app, &d) : NULL;
    if (p) {
        sl_buf_t out = SL_BUF_INIT;
        sl_plan_explain(p, &out);
        sl_buf_free(&out);
        if (!app.nrefs) {
            FILE *null = fopen("/dev/null", "w");
            sl_engine_opts_t o;
            memset(&o, 0, sizeof o);
            o.out = null;
            o.err = null;
            char *err = NULL;
            sl_engine_t *e = sl_engine_new(p, &o, &err);
            if (e) {
                static const char *recs[] = {
                    "{\"t\":\"AMZN\",\"s\":\"TECH\",\"c\":1.5,\"p\":10,\"v\":3,\"e\":\"2024-05-01 00:00:01\",\"i\":1}",
                    "{\"t\":\"MSFT\",\"p\":0,\"v\":0,\"i\":0}", "not json",
                    "{\"t\":\"AMZN\",\"s\":null,\"c\":-2,\"p\":12.5,\"v\":7,\"i\":2}"};
                for (int i = 0; i < 4; i++)
                    sl_engine_record(e, 0, recs[i], strlen(recs[i]), 1000 + i * 40000, 1000, NULL);
                sl_engine_finish(e);
                sl_engine_free(e);
            }
            sl_free(err);
            fclose(null);
        }
        sl_plan_free(p);
    }
    if (have_app) sl_app_desc_free(&app);
    sl_ast_free(script);
    sl_diag_free(&d);
    sl_free(text);
    return 0;
}
