/*
 * plan.c - the plan's life cycle and its statements: the catalog of streams (inputs and
 * CREATE STREAM), pumps (INSERT into a stream), output validation, and freeing.
 */
#include "planner_int.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Adds a node; see planner_int.h. */
sl_pnode_t *sl_pb_node(sl_binder_t *b, sl_pnode_kind_t kind, const sl_ast_t *at)
{
    sl_plan_t *p = b->plan;
    sl_pnode_t *n = SL_NEW(sl_pnode_t);
    n->kind = kind;
    n->id = p->nnodes;
    n->time_key = -1;
    n->ref_ix = -1;
    n->input_ix = -1;
    n->win_left = n->win_right = -1;
    if (at) {
        n->line = at->line;
        n->col = at->col;
    }
    p->nodes = sl_realloc(p->nodes, sizeof(sl_pnode_t *) * (size_t)(p->nnodes + 1));
    p->nodes[p->nnodes++] = n;
    return n;
}

/* Appends an input; see planner_int.h. */
void sl_pb_add_input(sl_pnode_t *n, int input)
{
    n->inputs = sl_realloc(n->inputs, sizeof(int) * (size_t)(n->ninputs + 1));
    n->inputs[n->ninputs++] = input;
}

/* Finds a stream; see plan.h. Input streams also answer to their NamePrefix. */
int sl_plan_find_stream(const sl_plan_t *p, const char *name)
{
    for (int i = 0; i < p->nstreams; i++)
        if (!strcmp(p->streams[i].name, name)) return i;
    for (int i = 0; i < p->nstreams; i++)
        if (!strcasecmp(p->streams[i].name, name)) return i;
    if (p->app) {
        for (size_t k = 0; k < p->app->ninputs; k++) {
            const char *pre = p->app->inputs[k].name_prefix;
            if (pre && !strcasecmp(pre, name)) {
                char *full = sl_asprintf("%s_001", pre);
                int r = -1;
                for (int i = 0; i < p->nstreams; i++)
                    if (!strcmp(p->streams[i].name, full)) r = i;
                sl_free(full);
                if (r >= 0) return r;
            }
        }
    }
    return -1;
}

/* Registers a stream in the catalog. */
static void add_stream(sl_plan_t *p, const char *name, int node, bool is_input)
{
    p->streams = sl_realloc(p->streams, sizeof(sl_pstream_t) * (size_t)(p->nstreams + 1));
    sl_pstream_t *s = &p->streams[p->nstreams++];
    s->name = sl_strdup(name);
    s->node = node;
    s->is_input = is_input;
}

/* Creates the SOURCE nodes of the application's inputs. */
static void plan_inputs(sl_binder_t *b)
{
    for (size_t i = 0; i < b->app->ninputs; i++) {
        const sl_app_input_t *in = &b->app->inputs[i];
        int par = in->parallelism > 0 ? in->parallelism : 1;
        for (int k = 1; k <= par; k++) {
            char *name = sl_asprintf("%s_%03d", in->name_prefix ? in->name_prefix : "SOURCE_SQL_STREAM", k);
            sl_pnode_t *n = sl_pb_node(b, SL_PN_SOURCE, NULL);
            n->input_ix = (int)i;
            n->name = name;
            n->ncols = (int)in->schema.ncols + 1;
            n->cols = SL_NEWN(sl_pcol_t, n->ncols);
            for (size_t c = 0; c < in->schema.ncols; c++) {
                const sl_schema_col_t *sc = &in->schema.cols[c];
                n->cols[c].name = sl_strdup(sc->name);
                if (!sl_type_parse(sc->sql_type, &n->cols[c].type))
                    sl_diag_add(b->d, 1, 1, "input %s, column %s: unknown SQL type '%s'", name,
                                sc->name, sc->sql_type);
            }
            n->cols[n->ncols - 1].name = sl_strdup("APPROXIMATE_ARRIVAL_TIME");
            n->cols[n->ncols - 1].type = sl_type_make(SL_T_TIMESTAMP);
            n->cols[n->ncols - 1].hidden = true;
            add_stream(b->plan, name, n->id, true);
        }
    }
}

/* CREATE STREAM: a STREAM node with the declared columns. */
static void plan_create_stream(sl_binder_t *b, const sl_ast_t *st)
{
    if (!strcasecmp(st->name, "error_stream")) {
        sl_diag_add(b->d, st->line, st->col, "error_stream is a system stream and cannot be created");
        return;
    }
    if (sl_plan_find_stream(b->plan, st->name) >= 0) {
        sl_diag_add(b->d, st->line, st->col, "stream '%s' is already defined", st->name);
        return;
    }
    const sl_ast_t *cols = st->kids[0];
    sl_pnode_t *n = sl_pb_node(b, SL_PN_STREAM, st);
    n->name = sl_strdup(st->name);
    n->ncols = cols ? cols->nkids : 0;
    n->cols = SL_NEWN(sl_pcol_t, n->ncols ? n->ncols : 1);
    for (int i = 0; i < n->ncols; i++) {
        const sl_ast_t *cd = cols->kids[i];
        for (int j = 0; j < i; j++)
            if (!strcmp(n->cols[j].name, cd->name))
                sl_diag_add(b->d, cd->line, cd->col, "duplicate column '%s'", cd->name);
        n->cols[i].name = sl_strdup(cd->name);
        n->cols[i].type = sl_type_of_ast(cd->kids[0]);
        n->cols[i].type.not_null = (cd->flags & SL_AF_NOT_NULL) != 0;
    }
    add_stream(b->plan, st->name, n->id, false);
}

/* True when a value of type f may be inserted into a column of type t. */
static bool insertable(sl_type_t f, sl_type_t t)
{
    if (f.id == SL_T_NULL || f.id == t.id) return true;
    if (sl_type_is_numeric(f) && sl_type_is_numeric(t)) return true;
    if (sl_type_is_string(f) && sl_type_is_string(t)) return true;
    if (sl_type_is_binary(f) && sl_type_is_binary(t)) return true;
    if (sl_type_is_datetime(f) && sl_type_is_datetime(t)) return true;
    return false;
}

/* True when node `from` can reach node `to` through inputs (a pump reading its target). */
static bool reaches(const sl_plan_t *p, int from, int to, int depth)
{
    if (from == to) return true;
    if (depth > 1000) return true;
    const sl_pnode_t *n = p->nodes[from];
    for (int i = 0; i < n->ninputs; i++)
        if (reaches(p, n->inputs[i], to, depth + 1)) return true;
    return false;
}

/* Replaces every column reference i of e by a copy of exprs[i] (consumes e). */
static sl_expr_t *subst_cols(sl_expr_t *e, sl_expr_t *const *exprs)
{
    if (e->kind == SL_EX_COL) {
        sl_expr_t *c = sl_expr_copy(exprs[e->col_ix]);
        sl_expr_free(e);
        return c;
    }
    for (int i = 0; i < e->nargs; i++) e->args[i] = subst_cols(e->args[i], exprs);
    return e;
}

/* CREATE PUMP ... AS INSERT INTO stream [(cols)] query. */
static void plan_pump(sl_binder_t *b, const sl_ast_t *st)
{
    const sl_ast_t *ins = st->kids[1];
    int si = sl_plan_find_stream(b->plan, ins->name);
    if (si < 0) {
        sl_diag_add(b->d, ins->line, ins->col, "unknown stream '%s' (create it with CREATE STREAM)",
                    ins->name);
        return;
    }
    if (b->plan->streams[si].is_input) {
        sl_diag_add(b->d, ins->line, ins->col, "cannot insert into the input stream '%s'", ins->name);
        return;
    }
    int target = b->plan->streams[si].node;
    b->pump = st->name;
    sl_scope_t sc;
    int q = sl_bind_query(b, ins->kids[1], &sc);
    b->pump = NULL;
    if (q < 0) return;
    sl_pnode_t *tn = b->plan->nodes[target];
    /* The target columns the query fills, in order. */
    int ntarget = ins->kids[0] ? ins->kids[0]->nkids : tn->ncols;
    int *tcols = SL_NEWN(int, ntarget ? ntarget : 1);
    bool ok = true;
    for (int i = 0; i < ntarget; i++) {
        if (!ins->kids[0]) {
            tcols[i] = i;
            continue;
        }
        const sl_ast_t *nm = ins->kids[0]->kids[i];
        tcols[i] = -1;
        for (int c = 0; c < tn->ncols; c++)
            if (!strcmp(tn->cols[c].name, nm->name) ||
                (tcols[i] < 0 && !strcasecmp(tn->cols[c].name, nm->name)))
                tcols[i] = c;
        if (tcols[i] < 0) {
            sl_diag_add(b->d, nm->line, nm->col, "stream '%s' has no column '%s'", tn->name, nm->name);
            ok = false;
        }
    }
    if (ok && sc.n != ntarget) {
        sl_diag_add(b->d, ins->line, ins->col,
                    "the query gives %d columns but INSERT INTO %s expects %d", sc.n, tn->name,
                    ntarget);
        ok = false;
    }
    sl_expr_t **xs = SL_NEWN(sl_expr_t *, tn->ncols ? tn->ncols : 1);
    for (int i = 0; ok && i < ntarget; i++) {
        sl_type_t f = sc.cols[i].type, t = tn->cols[tcols[i]].type;
        if (!insertable(f, t)) {
            char a[48], c[48];
            sl_type_format(f, a, sizeof a);
            sl_type_format(t, c, sizeof c);
            sl_diag_add(b->d, ins->line, ins->col,
                        "type mismatch: column %s of %s is %s but the query gives %s",
                        tn->cols[tcols[i]].name, tn->name, c, a);
            ok = false;
            break;
        }
        sl_type_t tt = t;
        tt.not_null = 0;
        sl_expr_t *e = sl_expr_col(i, f);
        xs[tcols[i]] = (f.id == t.id && sl_type_scale(f) == sl_type_scale(t) &&
                        (!sl_type_is_string(t) || f.len <= t.len))
                           ? e
                           : sl_expr_coerce(e, tt);
    }
    if (ok && reaches(b->plan, q, target, 0)) {
        sl_diag_add(b->d, st->line, st->col, "pump '%s' reads the stream it writes", st->name);
        ok = false;
    }
    if (ok) {
        for (int c = 0; c < tn->ncols; c++)
            if (!xs[c]) {
                sl_type_t t = tn->cols[c].type;
                t.not_null = 0;
                xs[c] = sl_expr_new(SL_EX_CONST, t, NULL);
                xs[c]->null = true;
            }
        sl_pnode_t *qn = b->plan->nodes[q];
        if (qn->kind == SL_PN_MAP) {
            /* Fuse the casts into the query's own final MAP (one program, one pass). */
            for (int c = 0; c < tn->ncols; c++) xs[c] = subst_cols(xs[c], qn->exprs);
            for (int c = 0; c < qn->ncols; c++) {
                sl_expr_free(qn->exprs[c]);
                sl_free(qn->cols[c].name);
            }
            sl_free(qn->exprs);
            sl_free(qn->cols);
            sl_free(qn->name);
            qn->name = sl_strdup(st->name);
            qn->ncols = tn->ncols;
            qn->exprs = xs;
            qn->cols = SL_NEWN(sl_pcol_t, tn->ncols ? tn->ncols : 1);
            for (int c = 0; c < tn->ncols; c++) {
                qn->cols[c].name = sl_strdup(tn->cols[c].name);
                qn->cols[c].type = tn->cols[c].type;
            }
            sl_pb_add_input(tn, q);
            sl_free(tcols);
            sl_scope_free(&sc);
            return;
        }
        /* A MAP that casts to the stream's types; named after the pump for error rows. */
        sl_pnode_t *m = sl_pb_node(b, SL_PN_MAP, st);
        sl_pb_add_input(m, q);
        m->name = sl_strdup(st->name);
        m->ncols = tn->ncols;
        m->cols = SL_NEWN(sl_pcol_t, tn->ncols ? tn->ncols : 1);
        m->exprs = xs;
        for (int c = 0; c < tn->ncols; c++) {
            m->cols[c].name = sl_strdup(tn->cols[c].name);
            m->cols[c].type = tn->cols[c].type;
        }
        sl_pb_add_input(tn, m->id);
    } else {
        for (int c = 0; c < tn->ncols; c++) sl_expr_free(xs[c]);
        sl_free(xs);
    }
    sl_free(tcols);
    sl_scope_free(&sc);
}

/* Builds a plan; see plan.h. */
sl_plan_t *sl_plan_build(const sl_ast_t *script, const sl_app_desc_t *app, sl_diag_t *diags)
{
    sl_binder_t b = {0};
    b.plan = SL_NEW(sl_plan_t);
    b.plan->app = app;
    b.d = diags;
    b.app = app;
    b.errors_at_start = diags->count;
    plan_inputs(&b);
    for (int i = 0; i < script->nkids; i++) {
        const sl_ast_t *st = script->kids[i];
        switch (st->kind) {
        case SL_AST_CREATE_STREAM: plan_create_stream(&b, st); break;
        case SL_AST_CREATE_PUMP: plan_pump(&b, st); break;
        case SL_AST_CREATE_INPUT:
        case SL_AST_CREATE_REFERENCE:
        case SL_AST_CREATE_OUTPUT: break; /* already in the application description */
        case SL_AST_CREATE_FUNCTION: sl_bind_create_function(&b, st); break;
        default:
            sl_diag_add(diags, st->line, st->col,
                        "a %s outside a pump has no effect in an application; wrap it in "
                        "CREATE PUMP ... AS INSERT INTO ...",
                        sl_ast_kind_name(st->kind));
            break;
        }
    }
    for (size_t i = 0; i < app->noutputs; i++) {
        const sl_app_output_t *o = &app->outputs[i];
        if (!strcasecmp(o->name, "error_stream")) continue;
        if (sl_plan_find_stream(b.plan, o->name) < 0)
            sl_diag_add(diags, 1, 1, "output '%s' names no in-app stream of the application",
                        o->name);
    }
    sl_binder_free_udfs(&b);
    if (diags->count > b.errors_at_start) {
        sl_plan_free(b.plan);
        return NULL;
    }
    return b.plan;
}

/* Frees a plan; see plan.h. */
void sl_plan_free(sl_plan_t *p)
{
    if (!p) return;
    for (int i = 0; i < p->nnodes; i++) {
        sl_pnode_t *n = p->nodes[i];
        sl_free(n->name);
        sl_free(n->inputs);
        for (int c = 0; c < n->ncols; c++) {
            sl_free(n->cols[c].name);
            if (n->exprs) sl_expr_free(n->exprs[c]);
        }
        sl_free(n->cols);
        sl_free(n->exprs);
        sl_expr_free(n->filter);
        sl_expr_free(n->rowtime);
        for (int a = 0; a < n->naggs; a++) sl_free(n->aggs[a].part);
        sl_free(n->aggs);
        sl_expr_free(n->on);
        sl_free(n->probe_cols);
        sl_free(n->table_cols);
        sl_free(n->sort_cols);
        sl_free(n->sort_desc);
        sl_free(n->scored);
        sl_free(n);
    }
    sl_free(p->nodes);
    for (int i = 0; i < p->nstreams; i++) sl_free(p->streams[i].name);
    sl_free(p->streams);
    sl_free(p);
}
