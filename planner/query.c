/*
 * query.c - one extra query planned beside an application: what the REPL runs when a
 * `SELECT STREAM ...` is typed at its prompt.
 *
 * An application's SELECTs only have an effect inside pumps, so sl_plan_build() rejects a
 * bare one. The REPL needs the plan (for \explain) and the query's output columns (names
 * and types, to size its table and to declare the stream it prints) of exactly such a
 * query. sl_plan_build_query() plans the application as sl_plan_build() does, then binds
 * the query with the same binder over the finished catalog and registers its last node as
 * an in-app stream of the given name, so sl_plan_find_stream() and the engine's printed
 * outputs see it like any stream. Its columns are the select list's (unnamed expressions
 * have a NULL name).
 */
#include "planner_int.h"

#include "alloc.h"

#include <string.h>

/* See plan.h. */
sl_plan_t *sl_plan_build_query(const sl_ast_t *script, const sl_app_desc_t *app,
                               const sl_ast_t *query, const char *name, sl_diag_t *diags)
{
    sl_plan_t *p = sl_plan_build(script, app, diags);
    if (!p) return NULL;
    sl_binder_t b = {0};
    b.plan = p;
    b.d = diags;
    b.app = app;
    b.errors_at_start = diags->count;
    b.pump = (char *)name; /* names the query's nodes in EXPLAIN, as a pump's would */
    sl_scope_t sc;
    int node = sl_bind_query(&b, query, &sc);
    sl_scope_free(&sc);
    if (node < 0 || diags->count > b.errors_at_start) {
        sl_plan_free(p);
        return NULL;
    }
    p->streams = sl_realloc(p->streams, sizeof *p->streams * (size_t)(p->nstreams + 1));
    sl_pstream_t *s = &p->streams[p->nstreams++];
    s->name = sl_strdup(name);
    s->node = node;
    s->is_input = false;
    return p;
}
