/*
 * bind_query.c - binding of queries and their lowering into plan nodes: FROM (streams,
 * subqueries, joins, reference tables), WHERE, GROUP BY / WINDOWED BY STAGGER with the
 * monotonic-key rule, OVER windows with the allowed-shape rules, select lists, DISTINCT,
 * ORDER BY, and UNION ALL.
 */
#include "planner_int.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Reports an error at n; returns -1. */
static int qfail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int qfail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sl_diag_add(b->d, n ? n->line : 1, n ? n->col : 1, "%s", msg);
    return -1;
}

/* Frees a scope; see planner_int.h. */
void sl_scope_free(sl_scope_t *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        sl_free(s->cols[i].rel);
        sl_free(s->cols[i].name);
    }
    sl_free(s->cols);
    s->cols = NULL;
    s->n = 0;
}

/* Appends a column to a scope. */
static void scope_add(sl_scope_t *s, const char *rel, const char *name, sl_type_t t, bool hidden)
{
    s->cols = sl_realloc(s->cols, sizeof(sl_scol_t) * (size_t)(s->n + 1));
    sl_scol_t *c = &s->cols[s->n++];
    c->rel = rel ? sl_strdup(rel) : NULL;
    c->name = name ? sl_strdup(name) : NULL;
    c->type = t;
    c->hidden = hidden;
    c->merged = false;
}

/* A scope over a node's output columns, qualified by rel. */
static void scope_of_node(sl_binder_t *b, int node, const char *rel, sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    out->node = node;
    out->is_stream = true;
    const sl_pnode_t *n = b->plan->nodes[node];
    for (int i = 0; i < n->ncols; i++)
        scope_add(out, rel, n->cols[i].name, n->cols[i].type, n->cols[i].hidden);
}

/* Sets a node's output columns from names and types. */
static void node_set_cols(sl_pnode_t *n, int ncols)
{
    n->ncols = ncols;
    n->cols = SL_NEWN(sl_pcol_t, ncols ? ncols : 1);
}

/* Makes a MAP node over `input` with the given expressions (consumed) and names. */
static sl_pnode_t *make_map(sl_binder_t *b, const sl_ast_t *at, int input, sl_expr_t *filter,
                            sl_expr_t **exprs, char **names, int n)
{
    sl_pnode_t *m = sl_pb_node(b, SL_PN_MAP, at);
    sl_pb_add_input(m, input);
    m->filter = filter;
    node_set_cols(m, n);
    m->exprs = SL_NEWN(sl_expr_t *, n ? n : 1);
    for (int i = 0; i < n; i++) {
        m->exprs[i] = exprs[i];
        m->cols[i].type = exprs[i]->type;
        m->cols[i].name = names && names[i] ? sl_strdup(names[i]) : NULL;
    }
    return m;
}

/* A reference table's columns, from its schema. */
static bool scope_of_ref(sl_binder_t *b, int ref_ix, const char *rel, const sl_ast_t *at,
                         sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    out->node = -1;
    out->ref_ix = ref_ix;
    const sl_app_ref_t *r = &b->app->refs[ref_ix];
    for (size_t i = 0; i < r->schema.ncols; i++) {
        sl_type_t t;
        if (!sl_type_parse(r->schema.cols[i].sql_type, &t)) {
            qfail(b, at, "reference table %s: column %s has an unknown SQL type '%s'",
                  r->table_name, r->schema.cols[i].name, r->schema.cols[i].sql_type);
            return false;
        }
        scope_add(out, rel, r->schema.cols[i].name, t, false);
    }
    return true;
}

/* Finds a reference table by name (exact, then case-insensitive); -1 when absent. */
static int find_ref(sl_binder_t *b, const char *name)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->app->nrefs; i++)
            if (pass ? !strcasecmp(b->app->refs[i].table_name, name)
                     : !strcmp(b->app->refs[i].table_name, name))
                return (int)i;
    return -1;
}

/* Reads a window spec's frame: RANGE INTERVAL ms or ROWS n, PRECEDING only. */
static bool frame_of(sl_binder_t *b, const sl_ast_t *spec, bool *rows, int64_t *width)
{
    const sl_ast_t *frame = spec->nkids > 2 ? spec->kids[2] : NULL;
    if (!frame) {
        qfail(b, spec, "a streaming window needs a frame: RANGE INTERVAL '<n>' <unit> "
                       "PRECEDING or ROWS <n> PRECEDING");
        return false;
    }
    const sl_ast_t *start = frame->kids[0], *end = frame->nkids > 1 ? frame->kids[1] : NULL;
    if (end && end->op != SL_BOUND_CURRENT_ROW) {
        qfail(b, end, "a streaming window must end at CURRENT ROW");
        return false;
    }
    if (start->op == SL_BOUND_UNBOUNDED_PRECEDING) {
        qfail(b, start, "UNBOUNDED PRECEDING is not allowed in a streaming window");
        return false;
    }
    if (start->op != SL_BOUND_PRECEDING) {
        qfail(b, start, "a streaming window frame must be '<n> PRECEDING'");
        return false;
    }
    const sl_ast_t *off = start->kids[0];
    *rows = frame->op == SL_FRAME_ROWS;
    if (*rows) {
        if (off->kind != SL_AST_LITERAL || off->op != SL_LIT_INTEGER) {
            qfail(b, off, "ROWS needs an integer count");
            return false;
        }
        long long v = atoll(off->text);
        if (v <= 0) {
            qfail(b, off, "ROWS 0 PRECEDING is not allowed; the count must be positive");
            return false;
        }
        *width = v;
        return true;
    }
    if (off->kind != SL_AST_LITERAL || off->op != SL_LIT_INTERVAL) {
        qfail(b, off, "RANGE needs an INTERVAL: RANGE INTERVAL '<n>' <unit> PRECEDING");
        return false;
    }
    bool ym;
    int64_t v;
    if (!sl_interval_value(off->text, &off->qual, off->flags & SL_AF_NEGATIVE, &v, &ym) || ym ||
        v <= 0) {
        qfail(b, off, "RANGE needs a positive day-time INTERVAL (SECOND, MINUTE, HOUR, DAY)");
        return false;
    }
    *width = v;
    return true;
}

static int bind_from(sl_binder_t *b, const sl_ast_t *n, sl_scope_t *out);

/* The index of the one visible column called name in s, -1 when there is none, -2 when
 * there are several. */
static int named_col(const sl_scope_t *s, const char *name)
{
    int found = -1;
    for (int i = 0; i < s->n; i++)
        if (s->cols[i].name && !s->cols[i].hidden && !s->cols[i].merged &&
            !strcmp(s->cols[i].name, name)) {
            if (found >= 0) return -2;
            found = i;
        }
    return found;
}

/*
 * USING (c, ...) and NATURAL (every name both sides show): the condition l.c = r.c AND ...
 * (NULL with nothing to join on, reported), and in `all` the copy of each c that is not
 * kept marked hidden and merged, so that `*` shows c once and c alone names the kept copy
 * (the left one; the right one for a RIGHT OUTER join, whose left side may be missing).
 * A FULL OUTER join would need COALESCE(l.c, r.c) there: it is refused.
 */
static sl_expr_t *using_condition(sl_binder_t *b, const sl_ast_t *n, const sl_scope_t *l,
                                  const sl_scope_t *r, sl_scope_t *all, int jt)
{
    const sl_ast_t *names = n->kids[SL_JOIN_USING];
    bool natural = (n->flags & SL_AF_NATURAL) != 0;
    const char *what = natural ? "NATURAL JOIN" : "JOIN ... USING";
    if (jt == SL_JOIN_FULL_OUTER) {
        qfail(b, n, "%s is not supported with FULL OUTER; write ON and COALESCE the columns",
              what);
        return NULL;
    }
    sl_expr_t *on = NULL;
    int count = natural ? l->n : names->nkids;
    for (int k = 0; k < count; k++) {
        const sl_ast_t *at = natural ? n : names->kids[k];
        const char *name = natural ? l->cols[k].name : names->kids[k]->name;
        if (natural && (!name || l->cols[k].hidden || named_col(r, name) == -1)) continue;
        int li = named_col(l, name), ri = named_col(r, name);
        if (li < 0 || ri < 0) {
            bool left = li < 0;
            int ix = left ? li : ri;
            qfail(b, at, "%s: column %s %s the %s side of the join", what, name,
                  ix == -2 ? "is ambiguous on" : "is not on", left ? "left" : "right");
            sl_expr_free(on);
            return NULL;
        }
        sl_expr_t *eq = sl_bind_compare(b, at, SL_XOP_EQ, sl_expr_col(li, l->cols[li].type),
                                        sl_expr_col(l->n + ri, r->cols[ri].type));
        if (!eq) {
            sl_expr_free(on);
            return NULL;
        }
        on = on ? sl_expr_and(on, eq) : eq;
        sl_scol_t *drop = &all->cols[jt == SL_JOIN_RIGHT_OUTER ? li : l->n + ri];
        drop->hidden = true;
        drop->merged = true;
    }
    if (!on) qfail(b, n, "NATURAL JOIN: the two sides have no column name in common");
    return on;
}

/* Binds a join of two relations. */
static int bind_join(sl_binder_t *b, const sl_ast_t *n, sl_scope_t *out)
{
    sl_scope_t l, r;
    int ln = bind_from(b, n->kids[SL_JOIN_LEFT], &l);
    if (ln < 0 && l.node != -1) return -1;
    if (!l.cols && ln < 0) return -1;
    int rn = bind_from(b, n->kids[SL_JOIN_RIGHT], &r);
    if (rn < 0 && !r.cols && r.node != -1) {
        sl_scope_free(&l);
        return -1;
    }
    int rc = -1;
    sl_scope_t all = {0};
    all.is_stream = true;
    for (int i = 0; i < l.n; i++)
        scope_add(&all, l.cols[i].rel, l.cols[i].name, l.cols[i].type, l.cols[i].hidden);
    for (int i = 0; i < r.n; i++)
        scope_add(&all, r.cols[i].rel, r.cols[i].name, r.cols[i].type, r.cols[i].hidden);
    int jt = n->op;
    if (!l.is_stream) {
        qfail(b, n, "a reference table must be on the right of a join with a stream");
        goto out;
    }
    sl_expr_t *on = NULL;
    if (n->flags & SL_AF_NATURAL || n->kids[SL_JOIN_USING]) {
        on = using_condition(b, n, &l, &r, &all, jt);
        if (!on) goto out;
    } else if (n->kids[SL_JOIN_ON]) {
        on = sl_bind_expr(b, &all, n->kids[SL_JOIN_ON], 0);
        if (!on) goto out;
        if (on->type.id != SL_T_BOOLEAN) {
            qfail(b, n->kids[SL_JOIN_ON], "ON needs a BOOLEAN condition");
            sl_expr_free(on);
            goto out;
        }
    } else if (jt != SL_JOIN_CROSS && jt != SL_JOIN_COMMA) {
        qfail(b, n, "this join needs an ON condition");
        goto out;
    }
    if (!r.is_stream) {
        /* Stream-table: ON must be a conjunction with at least one stream.col = table.col. */
        if (jt == SL_JOIN_RIGHT_OUTER || jt == SL_JOIN_FULL_OUTER) {
            qfail(b, n, "a join with a reference table can only be INNER or LEFT OUTER");
            sl_expr_free(on);
            goto out;
        }
        sl_pnode_t *j = sl_pb_node(b, SL_PN_REFJOIN, n);
        sl_pb_add_input(j, ln);
        j->join_type = jt;
        j->ref_ix = r.ref_ix;
        j->left_ncols = l.n;
        j->on = on;
        /* Collect equality keys from the top-level AND chain. */
        sl_expr_t *stack[64];
        int sp = 0;
        if (on) stack[sp++] = on;
        while (sp) {
            sl_expr_t *e = stack[--sp];
            if (e->kind == SL_EX_OP && e->op == SL_XOP_AND && sp < 62) {
                stack[sp++] = e->args[0];
                stack[sp++] = e->args[1];
            } else if (e->kind == SL_EX_OP && e->op == SL_XOP_EQ) {
                sl_expr_t *a = e->args[0], *c = e->args[1];
                while (a->kind == SL_EX_CAST) a = a->args[0];
                while (c->kind == SL_EX_CAST) c = c->args[0];
                if (a->kind == SL_EX_COL && c->kind == SL_EX_COL &&
                    (a->col_ix < l.n) != (c->col_ix < l.n)) {
                    int sc = a->col_ix < l.n ? a->col_ix : c->col_ix;
                    int tc = a->col_ix < l.n ? c->col_ix : a->col_ix;
                    j->probe_cols = sl_realloc(j->probe_cols, sizeof(int) * (size_t)(j->nprobe + 1));
                    j->table_cols = sl_realloc(j->table_cols, sizeof(int) * (size_t)(j->nprobe + 1));
                    j->probe_cols[j->nprobe] = sc;
                    j->table_cols[j->nprobe] = tc - l.n;
                    j->nprobe++;
                }
            }
        }
        if (!j->nprobe) {
            qfail(b, n, "a join with a reference table needs an equality stream.col = table.col in ON");
            goto out;
        }
        node_set_cols(j, all.n);
        for (int i = 0; i < all.n; i++) {
            j->cols[i].name = all.cols[i].name ? sl_strdup(all.cols[i].name) : NULL;
            j->cols[i].type = all.cols[i].type;
            if (i >= l.n) j->cols[i].type.not_null = 0;
            j->cols[i].hidden = all.cols[i].hidden;
        }
        rc = j->id;
    } else {
        const sl_ast_t *lo = n->kids[SL_JOIN_LEFT]->kind == SL_AST_JOIN
                                 ? NULL
                                 : n->kids[SL_JOIN_LEFT]->kids[SL_REL_OVER];
        const sl_ast_t *ro = n->kids[SL_JOIN_RIGHT]->kind == SL_AST_JOIN
                                 ? NULL
                                 : n->kids[SL_JOIN_RIGHT]->kids[SL_REL_OVER];
        if (!lo && !ro) {
            qfail(b, n, "a join of two streams needs a window on at least one side, e.g. "
                        "JOIN s2 OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t");
            sl_expr_free(on);
            goto out;
        }
        int64_t wl = -1, wr = -1;
        bool rows;
        if (lo && (lo->kids[0] || !frame_of(b, lo, &rows, &wl) || rows)) {
            if (lo->kids[0]) qfail(b, lo, "partitioned windows are not allowed in joins");
            else if (rows) qfail(b, lo, "join windows must be RANGE INTERVAL ... PRECEDING");
            sl_expr_free(on);
            goto out;
        }
        if (ro && (ro->kids[0] || !frame_of(b, ro, &rows, &wr) || rows)) {
            if (ro->kids[0]) qfail(b, ro, "partitioned windows are not allowed in joins");
            else if (rows) qfail(b, ro, "join windows must be RANGE INTERVAL ... PRECEDING");
            sl_expr_free(on);
            goto out;
        }
        sl_pnode_t *j = sl_pb_node(b, SL_PN_JOIN, n);
        sl_pb_add_input(j, ln);
        sl_pb_add_input(j, rn);
        j->join_type = jt;
        j->win_left = wl;
        j->win_right = wr;
        j->on = on;
        j->left_ncols = l.n;
        node_set_cols(j, all.n);
        for (int i = 0; i < all.n; i++) {
            j->cols[i].name = all.cols[i].name ? sl_strdup(all.cols[i].name) : NULL;
            j->cols[i].type = all.cols[i].type;
            bool nullable = (i < l.n && (jt == SL_JOIN_RIGHT_OUTER || jt == SL_JOIN_FULL_OUTER)) ||
                            (i >= l.n && (jt == SL_JOIN_LEFT_OUTER || jt == SL_JOIN_FULL_OUTER));
            if (nullable) j->cols[i].type.not_null = 0;
            j->cols[i].hidden = all.cols[i].hidden;
        }
        rc = j->id;
    }
out:
    if (rc >= 0) {
        *out = all;
        out->node = rc;
        for (int i = l.n; i < out->n; i++) out->cols[i].type = b->plan->nodes[rc]->cols[i].type;
    } else {
        sl_scope_free(&all);
        memset(out, 0, sizeof *out);
    }
    sl_scope_free(&l);
    sl_scope_free(&r);
    return rc;
}

/* Binds a FROM item. For a reference table, returns -1 with out->node == -1 and the
 * table's columns in out (only a join may use that). */
static int bind_from(sl_binder_t *b, const sl_ast_t *n, sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    out->node = -2;
    switch (n->kind) {
    case SL_AST_TABLE_REF: {
        const char *rel = n->alias ? n->alias : n->name;
        int s = sl_plan_find_stream(b->plan, n->name);
        if (s >= 0) {
            scope_of_node(b, b->plan->streams[s].node, rel, out);
            if (n->kids[SL_REL_COLS]) {
                const sl_ast_t *cl = n->kids[SL_REL_COLS];
                if (cl->nkids > out->n) return qfail(b, cl, "too many column aliases");
                for (int i = 0; i < cl->nkids; i++) {
                    sl_free(out->cols[i].name);
                    out->cols[i].name = sl_strdup(cl->kids[i]->name);
                }
            }
            return out->node;
        }
        int r = find_ref(b, n->name);
        if (r >= 0) {
            if (!scope_of_ref(b, r, rel, n, out)) return -1;
            return -1;
        }
        if (!strcasecmp(n->name, "error_stream"))
            return qfail(b, n, "error_stream cannot be read by SQL; route it to an output");
        return qfail(b, n, "unknown stream or table '%s'", n->name);
    }
    case SL_AST_SUBQUERY_REF: {
        sl_scope_t inner;
        int node = sl_bind_query(b, n->kids[SL_REL_BODY], &inner);
        if (node < 0) return -1;
        const char *rel = n->alias;
        for (int i = 0; i < inner.n; i++) {
            sl_free(inner.cols[i].rel);
            inner.cols[i].rel = rel ? sl_strdup(rel) : NULL;
        }
        if (n->kids[SL_REL_COLS]) sl_scope_rename(&inner, n->kids[SL_REL_COLS]);
        *out = inner;
        out->node = node;
        return node;
    }
    case SL_AST_JOIN: return bind_join(b, n, out);
    case SL_AST_FUNCTION_REF: return sl_bind_tablefn(b, n, out);
    default: return qfail(b, n, "unsupported FROM item");
    }
}

/* The name a select item gets: its alias, or the column it names, else NULL. */
static const char *item_name(const sl_ast_t *item)
{
    if (item->name) return item->name;
    const sl_ast_t *e = item->kids[0];
    if (e->kind == SL_AST_COLREF) return e->kids[e->nkids - 1]->name;
    return NULL;
}

/* Aggregates collected while rewriting the select list of a GROUP BY query. */
typedef struct agg_list {
    int n;
    sl_expr_t **calls; /* the SL_EX_AGG / SL_EX_WINAGG nodes (owned) */
} agg_list_t;

/* Registers an aggregate call, reusing an equal one; returns its index. */
static int agg_register(agg_list_t *al, sl_expr_t *call)
{
    for (int i = 0; i < al->n; i++)
        if (sl_expr_equal(al->calls[i], call) && al->calls[i]->over == call->over) {
            sl_expr_free(call);
            return i;
        }
    al->calls = sl_realloc(al->calls, sizeof(sl_expr_t *) * (size_t)(al->n + 1));
    al->calls[al->n] = call;
    return al->n++;
}

/*
 * Rewrites a select/HAVING expression bound over the query's input into one over the AGG
 * node's output: group keys -> their column, aggregates -> theirs (after the keys),
 * unqualified ROWTIME -> the window end. A column outside the keys is an error.
 */
static sl_expr_t *agg_rewrite(sl_binder_t *b, sl_expr_t *e, sl_expr_t **keys, int nkeys,
                              agg_list_t *al, bool *ok)
{
    for (int k = 0; k < nkeys; k++)
        if (sl_expr_equal(e, keys[k])) {
            sl_expr_t *c = sl_expr_col(k, keys[k]->type);
            c->line = e->line;
            c->col = e->col;
            sl_expr_free(e);
            return c;
        }
    if (e->kind == SL_EX_AGG) {
        sl_type_t t = e->type;
        int ix = agg_register(al, e);
        return sl_expr_col(nkeys + ix, t);
    }
    if (e->kind == SL_EX_COL) {
        sl_diag_add(b->d, e->line, e->col,
                    "column must appear in GROUP BY or be used in an aggregate function");
        *ok = false;
        return e;
    }
    if (e->kind == SL_EX_ROWTIME && e->qualified) {
        sl_diag_add(b->d, e->line, e->col,
                    "a qualified ROWTIME must appear in GROUP BY (use ROWTIME for the window end)");
        *ok = false;
        return e;
    }
    for (int i = 0; i < e->nargs; i++) e->args[i] = agg_rewrite(b, e->args[i], keys, nkeys, al, ok);
    return e;
}

/* Rewrites OVER aggregates into columns (base + index) of a WINDOW node. */
static sl_expr_t *win_rewrite(sl_expr_t *e, int base, agg_list_t *al)
{
    if (e->kind == SL_EX_WINAGG) {
        sl_type_t t = e->type;
        int ix = agg_register(al, e);
        return sl_expr_col(base + ix, t);
    }
    for (int i = 0; i < e->nargs; i++) e->args[i] = win_rewrite(e->args[i], base, al);
    return e;
}

/* Registers (copies of) the OVER aggregates of e, in order of appearance. */
static void win_collect(const sl_expr_t *e, agg_list_t *al)
{
    if (e->kind == SL_EX_WINAGG) {
        agg_register(al, sl_expr_copy(e));
        return;
    }
    for (int i = 0; i < e->nargs; i++) win_collect(e->args[i], al);
}

/*
 * Fills the frame-function fields of a WINDOW aggregate from its bound call c (LAG,
 * FIRST_VALUE, LAST_VALUE or NTH_VALUE): which function, the null treatment (RESPECT NULLS
 * unless IGNORE NULLS is written), NTH_VALUE's direction (FROM FIRST unless FROM LAST), and
 * the row offset, which must be an integer literal: LAG's >= 0 (default 1; 0 is the current
 * row), NTH_VALUE's >= 1; EXP_AVG's half-life, a positive INTERVAL literal. LAG's default expression is left to the caller (it becomes a
 * column of the pre-MAP). Returns false after reporting an error.
 */
static bool frame_fn_of(sl_binder_t *b, const sl_expr_t *c, sl_pagg_t *pa)
{
    const char *name = c->fn->name;
    pa->ignore_nulls = (c->call.flags & SL_AF_IGNORE_NULLS) != 0;
    pa->from_last = (c->call.flags & SL_AF_FROM_LAST) != 0;
    if (!strcmp(name, "LAG")) pa->frame_fn = SL_FRAME_LAG;
    else if (!strcmp(name, "FIRST_VALUE")) pa->frame_fn = SL_FRAME_FIRST;
    else if (!strcmp(name, "LAST_VALUE")) pa->frame_fn = SL_FRAME_LAST;
    else if (!strcmp(name, "EXP_AVG")) pa->frame_fn = SL_FRAME_EXP_AVG;
    else pa->frame_fn = SL_FRAME_NTH;
    pa->nth = pa->frame_fn == SL_FRAME_LAG ? 1 : 0;
    if (pa->frame_fn == SL_FRAME_EXP_AVG) {
        const sl_expr_t *h = c->args[1];
        if (h->kind != SL_EX_CONST || h->null || h->i <= 0) {
            sl_diag_add(b->d, h->line, h->col, "EXP_AVG: the half-life must be a positive "
                                               "INTERVAL literal");
            return false;
        }
        pa->nth = h->i;
        return true;
    }
    if (pa->frame_fn == SL_FRAME_LAG || pa->frame_fn == SL_FRAME_NTH) {
        if (c->nargs < 2) return true;
        const sl_expr_t *k = c->args[1];
        int64_t min = pa->frame_fn == SL_FRAME_LAG ? 0 : 1;
        if (k->kind != SL_EX_CONST || k->null || !sl_type_is_integer(k->type) || k->i < min) {
            sl_diag_add(b->d, k->line, k->col, "%s: the %s must be an integer literal >= %d",
                        name, pa->frame_fn == SL_FRAME_LAG ? "offset" : "row number n",
                        (int)min);
            return false;
        }
        pa->nth = k->i;
    }
    return true;
}

/* True when e is a ROWTIME-based tumbling key; fills its width. */
static bool time_key_of(const sl_expr_t *e, int64_t *step_ms, int *unit)
{
    if (e->kind != SL_EX_OP) return e->kind == SL_EX_ROWTIME && ((*step_ms = 1), (*unit = 0), true);
    if ((e->op == SL_XOP_FLOOR_TO || e->op == SL_XOP_CEIL_TO) && e->args[0]->kind == SL_EX_ROWTIME) {
        *step_ms = 0;
        *unit = e->unit;
        return true;
    }
    if (e->op == SL_XOP_STEP && e->args[0]->kind == SL_EX_ROWTIME) {
        *step_ms = e->args[1]->i;
        *unit = 0;
        return true;
    }
    return false;
}

/* Looks up a named window of the WINDOW clause. */
static const sl_ast_t *find_window(const sl_ast_t *sel, const char *name)
{
    const sl_ast_t *wl = sel->kids[SL_SEL_WINDOW];
    for (int i = 0; wl && i < wl->nkids; i++)
        if (!strcmp(wl->kids[i]->name, name)) return wl->kids[i]->kids[0];
    return NULL;
}

/* Binds the ORDER BY of a streaming query into a SORT node over `node`. */
static int bind_order(sl_binder_t *b, const sl_ast_t *q, int node, sl_scope_t *sc)
{
    const sl_ast_t *ol = q->kids[SL_Q_ORDER];
    sl_pnode_t *in = b->plan->nodes[node];
    int visible = in->ncols; /* the select list; sort-only keys are appended after it */
    int *keys = SL_NEWN(int, ol->nkids);
    bool *desc = SL_NEWN(bool, ol->nkids);
    for (int i = 0; i < ol->nkids; i++) {
        const sl_ast_t *k = ol->kids[i]->kids[0];
        int ix = -1;
        desc[i] = ol->kids[i]->op == SL_ORDER_DESC;
        if (k->kind == SL_AST_LITERAL && k->op == SL_LIT_INTEGER) {
            ix = atoi(k->text) - 1;
            if (ix < 0 || ix >= visible) {
                sl_free(keys);
                sl_free(desc);
                return qfail(b, k, "ORDER BY position out of range");
            }
        } else if (k->kind == SL_AST_COLREF) {
            const char *nm = k->kids[k->nkids - 1]->name;
            for (int c = 0; c < visible; c++)
                if (in->cols[c].name && !strcasecmp(in->cols[c].name, nm)) ix = c;
            /* ROWTIME, or the column the select list turned into ROWTIME (expr AS ROWTIME). */
            if (ix < 0 && (!strcmp(nm, "ROWTIME") || (in->kind == SL_PN_MAP && in->rowtime))) ix = -2;
        }
        if (ix == -1 && in->kind == SL_PN_MAP && in->exprs && k->kind != SL_AST_LITERAL) {
            /* An expression of the select list, written out again (ORDER BY FLOOR(s.ROWTIME
             * TO MINUTE) for a FLOOR(s.ROWTIME TO MINUTE) item). */
            sl_expr_t *x = sl_bind_expr(b, sc, k, 0);
            if (!x) {
                sl_free(keys);
                sl_free(desc);
                return -1;
            }
            for (int c = 0; c < in->ncols && ix < 0; c++)
                if (sl_expr_equal(in->exprs[c], x)) ix = c;
            /* Another expression of the FROM's columns (KDA's RANDOM_CUT_FOREST example:
             * SELECT STREAM * ... ORDER BY FLOOR(s.ROWTIME TO SECOND), ANOMALY_SCORE DESC):
             * the MAP computes it as an extra column, the sort uses it, and a MAP after
             * the sort drops it again. Only where the MAP reads the FROM directly. */
            if (ix < 0 && in->ninputs == 1 && in->inputs[0] == sc->node && !in->agg_rowtime) {
                in->exprs = sl_realloc(in->exprs, sizeof *in->exprs * (size_t)(in->ncols + 1));
                in->cols = sl_realloc(in->cols, sizeof *in->cols * (size_t)(in->ncols + 1));
                in->exprs[in->ncols] = x;
                in->cols[in->ncols] = (sl_pcol_t){NULL, x->type, true};
                ix = in->ncols++;
                x = NULL;
            }
            sl_expr_free(x);
        }
        if (ix == -1) {
            sl_free(keys);
            sl_free(desc);
            return qfail(b, k, "ORDER BY of a stream must name a column of the select list "
                               "(by name, alias or position) or an expression of its FROM");
        }
        keys[i] = ix == -2 ? -1 : ix;
    }
    sl_pnode_t *s = sl_pb_node(b, SL_PN_SORT, ol);
    sl_pb_add_input(s, node);
    node_set_cols(s, in->ncols);
    for (int i = 0; i < in->ncols; i++) {
        s->cols[i].name = in->cols[i].name ? sl_strdup(in->cols[i].name) : NULL;
        s->cols[i].type = in->cols[i].type;
        s->cols[i].hidden = in->cols[i].hidden;
    }
    s->nsort = ol->nkids;
    s->sort_cols = keys;
    s->sort_desc = desc;
    if (q->kids[SL_Q_WITHIN]) {
        const sl_ast_t *w = q->kids[SL_Q_WITHIN];
        bool ym;
        if (w->kind != SL_AST_LITERAL || w->op != SL_LIT_INTERVAL ||
            !sl_interval_value(w->text, &w->qual, false, &s->within_ms, &ym) || ym)
            return qfail(b, w, "ORDER BY ... WITHIN needs a day-time INTERVAL");
        if (s->sort_cols[0] >= 0 && in->cols[s->sort_cols[0]].type.id != SL_T_TIMESTAMP)
            return qfail(b, ol, "ORDER BY ... WITHIN needs a leading TIMESTAMP key");
        if (s->sort_desc[0]) return qfail(b, ol, "ORDER BY ... WITHIN: the leading key cannot be DESC");
    } else if (s->sort_cols[0] >= 0 && in->cols[s->sort_cols[0]].type.id != SL_T_TIMESTAMP) {
        return qfail(b, ol, "a streaming ORDER BY needs a leading time-based key (e.g. "
                            "FLOOR(s.ROWTIME TO MINUTE)), or ORDER BY ... WITHIN");
    }
    if (s->ncols == visible) return s->id;
    /* Drop the sort-only keys again. */
    sl_expr_t **xs = SL_NEWN(sl_expr_t *, visible ? visible : 1);
    char **names = SL_NEWN(char *, visible ? visible : 1);
    for (int c = 0; c < visible; c++) {
        xs[c] = sl_expr_col(c, s->cols[c].type);
        names[c] = s->cols[c].name;
    }
    sl_pnode_t *m = make_map(b, ol, s->id, NULL, xs, names, visible);
    m->name = b->pump ? sl_strdup(b->pump) : NULL;
    sl_free(xs);
    sl_free(names);
    return m->id;
}

/* Binds a SELECT. */
static int bind_select(sl_binder_t *b, const sl_ast_t *q, sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    /* KDA also runs a plain SELECT over a table function of a cursor as a stream: its
     * documented HOTSPOTS example reads `SELECT "x", ... FROM TABLE(HOTSPOTS(CURSOR(...)))`. */
    const sl_ast_t *from_ast = q->kids[SL_SEL_FROM];
    bool over_tablefn = from_ast && from_ast->kind == SL_AST_FUNCTION_REF;
    if (!(q->flags & SL_AF_STREAM) && !over_tablefn)
        return qfail(b, q, "only SELECT STREAM queries are supported on streams (a relational "
                           "SELECT needs a table)");
    if (!q->kids[SL_SEL_FROM]) return qfail(b, q, "SELECT STREAM needs a FROM clause");
    sl_scope_t sc;
    int from = bind_from(b, q->kids[SL_SEL_FROM], &sc);
    if (from < 0) {
        if (sc.node == -1) {
            qfail(b, q->kids[SL_SEL_FROM], "SELECT STREAM cannot read a reference table alone; join it to a stream");
            sl_scope_free(&sc);
        }
        return -1;
    }
    int rc = -1, nitems = 0;
    sl_expr_t **items = NULL, *where = NULL, *having = NULL, *rowtime = NULL;
    char **names = NULL, **row_names = NULL; /* row_names: names of row fields (owned) */
    int nrow_names = 0;
    agg_list_t al = {0, NULL};
    sl_expr_t **keys = NULL;
    int nkeys = 0;
    const sl_ast_t *group = q->kids[SL_SEL_GROUP], *stagger = q->kids[SL_SEL_STAGGER];
    bool grouped = group || stagger;
    int allow = grouped ? SL_BIND_AGG : SL_BIND_OVER;
    bool ok = true;

    /* Select list: expand stars, bind each item over the input. */
    const sl_ast_t *il = q->kids[SL_SEL_ITEMS];
    for (int i = 0; i < il->nkids; i++) {
        const sl_ast_t *it = il->kids[i];
        if (it->kind == SL_AST_SELECT_ITEM && it->nkids && it->kids[0] && it->kids[0]->kind == SL_AST_STAR)
            it = it->kids[0];
        if (it->kind == SL_AST_STAR) {
            const char *rel = it->nkids ? it->kids[it->nkids - 1]->name : NULL;
            int added = 0;
            for (int c = 0; c < sc.n; c++) {
                if (sc.cols[c].hidden) continue;
                if (rel && (!sc.cols[c].rel || strcasecmp(sc.cols[c].rel, rel))) continue;
                items = sl_realloc(items, sizeof *items * (size_t)(nitems + 1));
                names = sl_realloc(names, sizeof *names * (size_t)(nitems + 1));
                items[nitems] = sl_expr_col(c, sc.cols[c].type);
                items[nitems]->line = it->line;
                items[nitems]->col = it->col;
                names[nitems++] = sc.cols[c].name;
                added++;
            }
            if (rel && !added) {
                qfail(b, it, "unknown stream or alias '%s'", rel);
                ok = false;
            }
            continue;
        }
        sl_expr_t **rf;
        char **rn;
        char unnamed[24];
        snprintf(unnamed, sizeof unnamed, "EXPR$%d", i);
        int nf = sl_bind_row_item(b, &sc, it->kids[0], it->name ? it->name : unnamed, allow, &rf, &rn);
        if (nf != 0) { /* a row-valued item: one column per field */
            if (nf < 0) ok = false;
            for (int k = 0; k < nf; k++) {
                items = sl_realloc(items, sizeof *items * (size_t)(nitems + 1));
                names = sl_realloc(names, sizeof *names * (size_t)(nitems + 1));
                row_names = sl_realloc(row_names, sizeof *row_names * (size_t)(nrow_names + 1));
                items[nitems] = rf[k];
                names[nitems++] = row_names[nrow_names++] = rn[k];
            }
            if (nf > 0) {
                sl_free(rf);
                sl_free(rn);
            }
            continue;
        }
        sl_expr_t *e = sl_bind_expr(b, &sc, it->kids[0], allow);
        if (!e) {
            ok = false;
            continue;
        }
        if (it->name && !strcmp(it->name, "ROWTIME")) {
            if (e->type.id != SL_T_TIMESTAMP) {
                qfail(b, it, "an expression AS ROWTIME must be a TIMESTAMP");
                sl_expr_free(e);
                ok = false;
                continue;
            }
            sl_expr_free(rowtime);
            rowtime = e;
            continue;
        }
        items = sl_realloc(items, sizeof *items * (size_t)(nitems + 1));
        names = sl_realloc(names, sizeof *names * (size_t)(nitems + 1));
        items[nitems] = e;
        names[nitems++] = (char *)item_name(it);
    }
    if (q->kids[SL_SEL_WHERE]) {
        where = sl_bind_expr(b, &sc, q->kids[SL_SEL_WHERE], 0);
        if (!where) ok = false;
        else if (where->type.id != SL_T_BOOLEAN && where->type.id != SL_T_NULL) {
            qfail(b, q->kids[SL_SEL_WHERE], "WHERE needs a BOOLEAN condition");
            ok = false;
        }
    }
    if (q->kids[SL_SEL_HAVING]) {
        if (!grouped) {
            qfail(b, q->kids[SL_SEL_HAVING], "HAVING needs GROUP BY or WINDOWED BY STAGGER");
            ok = false;
        } else {
            having = sl_bind_expr(b, &sc, q->kids[SL_SEL_HAVING], SL_BIND_AGG);
            if (!having) ok = false;
        }
    }
    if (!ok) goto done;

    int cur = from;
    if (grouped) {
        const sl_ast_t *kl = group ? group : stagger->kids[0];
        int time_key = -1;
        int64_t step_ms = 0, stagger_ms = 0;
        int unit = 0;
        for (int i = 0; kl && i < kl->nkids; i++) {
            sl_expr_t *k = sl_bind_expr(b, &sc, kl->kids[i], 0);
            if (!k) {
                ok = false;
                continue;
            }
            int64_t sm;
            int un;
            if (group && time_key_of(k, &sm, &un)) {
                if (time_key >= 0) {
                    qfail(b, kl->kids[i], "GROUP BY may hold only one ROWTIME-based key");
                    ok = false;
                }
                time_key = nkeys;
                step_ms = sm;
                unit = un;
            } else if (group && kl->kids[i]->kind == SL_AST_CALL &&
                       !strcmp(kl->kids[i]->name, "MONOTONIC")) {
                /* A declared-monotonic key other than ROWTIME would close its groups when
                 * its value changes; only ROWTIME-based keys close groups here. */
                qfail(b, kl->kids[i], "GROUP BY MONOTONIC(expression) is supported only for "
                                      "a ROWTIME-based key, such as MONOTONIC(FLOOR(s.ROWTIME "
                                      "TO MINUTE)); group by STEP or FLOOR of ROWTIME");
                ok = false;
            } else if (sl_expr_has(k, SL_EX_ROWTIME) && group) {
                qfail(b, kl->kids[i], "ROWTIME in GROUP BY must be used as STEP(s.ROWTIME BY "
                                      "INTERVAL ...) or FLOOR(s.ROWTIME TO unit)");
                ok = false;
            }
            keys = sl_realloc(keys, sizeof *keys * (size_t)(nkeys + 1));
            keys[nkeys++] = k;
        }
        if (!ok) goto done;
        if (group && time_key < 0) {
            qfail(b, group,
                  "a streaming GROUP BY needs a monotonic time key, such as STEP(s.ROWTIME BY "
                  "INTERVAL '1' MINUTE) or FLOOR(s.ROWTIME TO MINUTE): grouped by these keys "
                  "alone a group would never close");
            goto done;
        }
        if (stagger) {
            const sl_ast_t *iv = stagger->kids[1];
            bool ym;
            if (!sl_interval_value(iv->text, &iv->qual, iv->flags & SL_AF_NEGATIVE, &stagger_ms,
                                   &ym) || ym || stagger_ms <= 0) {
                qfail(b, iv, "STAGGER needs a positive day-time RANGE INTERVAL");
                goto done;
            }
        }
        /* Rewrite the select list and HAVING over the AGG output. */
        for (int i = 0; i < nitems; i++) items[i] = agg_rewrite(b, items[i], keys, nkeys, &al, &ok);
        if (having) having = agg_rewrite(b, having, keys, nkeys, &al, &ok);
        if (rowtime) rowtime = agg_rewrite(b, rowtime, keys, nkeys, &al, &ok);
        if (!ok) goto done;
        /* pre-MAP: keys then aggregate arguments. */
        int npre = nkeys;
        for (int i = 0; i < al.n; i++) npre += al.calls[i]->nargs > 0;
        sl_expr_t **pre = SL_NEWN(sl_expr_t *, npre ? npre : 1);
        for (int i = 0; i < nkeys; i++) pre[i] = sl_expr_copy(keys[i]);
        int *argcol = SL_NEWN(int, al.n ? al.n : 1);
        int p = nkeys;
        for (int i = 0; i < al.n; i++) {
            if (al.calls[i]->nargs > 0) {
                argcol[i] = p;
                pre[p++] = sl_expr_copy(al.calls[i]->args[0]);
            } else {
                argcol[i] = -1;
            }
        }
        sl_pnode_t *m = make_map(b, q, cur, where, pre, NULL, npre);
        where = NULL;
        sl_free(pre);
        cur = m->id;
        sl_pnode_t *a = sl_pb_node(b, SL_PN_AGG, group ? group : stagger);
        sl_pb_add_input(a, cur);
        a->win = stagger ? SL_WIN_STAGGER : SL_WIN_TUMBLING;
        a->nkeys = nkeys;
        a->time_key = time_key;
        a->step_ms = step_ms;
        a->floor_unit = unit;
        a->stagger_ms = stagger_ms;
        a->naggs = al.n;
        a->aggs = SL_NEWN(sl_pagg_t, al.n ? al.n : 1);
        node_set_cols(a, nkeys + al.n);
        for (int i = 0; i < nkeys; i++) {
            a->cols[i].type = keys[i]->type;
            const sl_ast_t *ka = kl->kids[i];
            if (ka->kind == SL_AST_COLREF) a->cols[i].name = sl_strdup(ka->kids[ka->nkids - 1]->name);
        }
        for (int i = 0; i < al.n; i++) {
            sl_expr_t *c = al.calls[i];
            a->aggs[i].fn = c->fn;
            a->aggs[i].arg = argcol[i];
            a->aggs[i].ctx.arg = c->nargs ? c->args[0]->type : sl_type_make(SL_T_BIGINT);
            a->aggs[i].ctx.result = c->type;
            a->cols[nkeys + i].type = c->type;
            a->cols[nkeys + i].name = sl_asprintf("%s$%d", c->fn->name, i);
        }
        sl_free(argcol);
        cur = a->id;
        sl_pnode_t *post = make_map(b, q, cur, having, items, names, nitems);
        having = NULL;
        post->rowtime = rowtime;
        rowtime = NULL;
        post->agg_rowtime = true;
        post->name = b->pump ? sl_strdup(b->pump) : NULL;
        cur = post->id;
        nitems = 0;
    } else {
        bool has_over = false;
        for (int i = 0; i < nitems; i++) has_over |= sl_expr_has(items[i], SL_EX_WINAGG);
        if (!has_over) {
            for (int i = 0; i < nitems; i++)
                if (sl_expr_has(items[i], SL_EX_AGG)) {
                    sl_diag_add(b->d, items[i]->line, items[i]->col, "aggregate without GROUP BY");
                    ok = false;
                }
            if (!ok) goto done;
            sl_pnode_t *m = make_map(b, q, cur, where, items, names, nitems);
            where = NULL;
            m->rowtime = rowtime;
            rowtime = NULL;
            m->name = b->pump ? sl_strdup(b->pump) : NULL;
            cur = m->id;
            nitems = 0;
        } else {
            /* pre-MAP: every input column, then partition keys and arguments per aggregate. */
            int base = sc.n;
            for (int i = 0; i < nitems; i++) win_collect(items[i], &al);
            int npre = base;
            sl_pagg_t *ws = SL_NEWN(sl_pagg_t, al.n ? al.n : 1);
            sl_expr_t **pre = NULL;
            pre = sl_realloc(pre, sizeof *pre * (size_t)(npre ? npre : 1));
            for (int c = 0; c < base; c++) pre[c] = sl_expr_col(c, sc.cols[c].type);
            for (int i = 0; i < al.n && ok; i++) {
                sl_expr_t *c = al.calls[i];
                const sl_ast_t *spec = c->over;
                if (spec->name && !spec->kids[2]) {
                    const sl_ast_t *named = find_window(q, spec->name);
                    if (!named) {
                        qfail(b, spec, "unknown window '%s'", spec->name);
                        ok = false;
                        break;
                    }
                    spec = named;
                }
                if (spec->kids[1]) {
                    qfail(b, spec->kids[1], "ORDER BY is not allowed in a windowed aggregation "
                                            "(rows are in ROWTIME order)");
                    ok = false;
                    break;
                }
                if (!frame_of(b, spec, &ws[i].rows, &ws[i].range)) {
                    ok = false;
                    break;
                }
                ws[i].fn = c->fn;
                ws[i].ctx.arg = c->nargs ? c->args[0]->type : sl_type_make(SL_T_BIGINT);
                ws[i].ctx.result = c->type;
                ws[i].dflt = -1;
                if (c->fn->kind == SL_FN_ANALYTIC && !frame_fn_of(b, c, &ws[i])) {
                    ok = false;
                    break;
                }
                const sl_ast_t *pl = spec->kids[0];
                ws[i].npart = pl ? pl->nkids : 0;
                ws[i].part = SL_NEWN(int, ws[i].npart ? ws[i].npart : 1);
                for (int k = 0; k < ws[i].npart; k++) {
                    sl_expr_t *pe = sl_bind_expr(b, &sc, pl->kids[k], 0);
                    if (!pe) {
                        ok = false;
                        break;
                    }
                    if (pe->kind == SL_EX_COL) {
                        ws[i].part[k] = pe->col_ix;
                        sl_expr_free(pe);
                    } else {
                        pre = sl_realloc(pre, sizeof *pre * (size_t)(npre + 1));
                        ws[i].part[k] = npre;
                        pre[npre++] = pe;
                    }
                }
                if (c->nargs) {
                    sl_expr_t *ae = sl_expr_copy(c->args[0]);
                    if (ws[i].frame_fn) {
                        /* The frame keeps its values in the result type (LAG's default may
                         * widen it). */
                        ae = sl_expr_coerce(ae, c->type);
                        ws[i].ctx.arg = c->type;
                    }
                    if (ae->kind == SL_EX_COL) {
                        ws[i].arg = ae->col_ix;
                        sl_expr_free(ae);
                    } else {
                        pre = sl_realloc(pre, sizeof *pre * (size_t)(npre + 1));
                        ws[i].arg = npre;
                        pre[npre++] = ae;
                    }
                } else {
                    ws[i].arg = -1;
                }
                if (ws[i].frame_fn == SL_FRAME_LAG && c->nargs == 3) {
                    /* LAG's default, computed per row by the pre-MAP in the result type. */
                    pre = sl_realloc(pre, sizeof *pre * (size_t)(npre + 1));
                    ws[i].dflt = npre;
                    pre[npre++] = sl_expr_coerce(sl_expr_copy(c->args[2]), c->type);
                }
            }
            if (!ok) {
                for (int i = 0; i < npre; i++) sl_expr_free(pre[i]);
                sl_free(pre);
                for (int i = 0; i < al.n; i++) sl_free(ws[i].part);
                sl_free(ws);
                goto done;
            }
            char **pnames = SL_NEWN(char *, npre ? npre : 1);
            for (int c = 0; c < base; c++) pnames[c] = sc.cols[c].name;
            sl_pnode_t *m = make_map(b, q, cur, where, pre, pnames, npre);
            for (int c = 0; c < base; c++) m->cols[c].hidden = sc.cols[c].hidden;
            where = NULL;
            sl_free(pre);
            sl_free(pnames);
            sl_pnode_t *w = sl_pb_node(b, SL_PN_WINDOW, q);
            sl_pb_add_input(w, m->id);
            w->naggs = al.n;
            w->aggs = ws;
            node_set_cols(w, npre + al.n);
            for (int c = 0; c < npre; c++) {
                w->cols[c].type = m->cols[c].type;
                w->cols[c].name = m->cols[c].name ? sl_strdup(m->cols[c].name) : NULL;
            }
            for (int i = 0; i < al.n; i++) {
                w->cols[npre + i].type = ws[i].ctx.result;
                w->cols[npre + i].name = sl_asprintf("%s$%d", ws[i].fn->name, i);
            }
            for (int i = 0; i < nitems; i++) items[i] = win_rewrite(items[i], npre, &al);
            sl_pnode_t *post = make_map(b, q, w->id, NULL, items, names, nitems);
            post->rowtime = rowtime;
            rowtime = NULL;
            post->name = b->pump ? sl_strdup(b->pump) : NULL;
            cur = post->id;
            nitems = 0;
        }
    }
    if (q->flags & SL_AF_DISTINCT) {
        sl_pnode_t *in = b->plan->nodes[cur];
        sl_pnode_t *d = sl_pb_node(b, SL_PN_DISTINCT, q);
        sl_pb_add_input(d, cur);
        node_set_cols(d, in->ncols);
        for (int i = 0; i < in->ncols; i++) {
            d->cols[i].name = in->cols[i].name ? sl_strdup(in->cols[i].name) : NULL;
            d->cols[i].type = in->cols[i].type;
        }
        cur = d->id;
    }
    if (q->kids[SL_Q_ORDER]) {
        cur = bind_order(b, q, cur, &sc);
        if (cur < 0) goto done;
    }
    scope_of_node(b, cur, NULL, out);
    rc = cur;
done:
    for (int i = 0; i < nitems; i++) sl_expr_free(items[i]);
    sl_free(items);
    sl_free(names);
    for (int i = 0; i < nrow_names; i++) sl_free(row_names[i]);
    sl_free(row_names);
    sl_expr_free(where);
    sl_expr_free(having);
    sl_expr_free(rowtime);
    for (int i = 0; i < nkeys; i++) sl_expr_free(keys[i]);
    sl_free(keys);
    for (int i = 0; i < al.n; i++) sl_expr_free(al.calls[i]);
    sl_free(al.calls);
    sl_scope_free(&sc);
    return rc;
}

/* Binds a query; see planner_int.h. */
int sl_bind_query(sl_binder_t *b, const sl_ast_t *q, sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    if (q->kind == SL_AST_SELECT) return bind_select(b, q, out);
    if (q->kind == SL_AST_VALUES) return qfail(b, q, "VALUES is a relation, not a stream; it cannot feed a pump");
    if (q->kind != SL_AST_SETOP) return qfail(b, q, "unsupported query");
    if (q->op != SL_SETOP_UNION || !(q->flags & SL_AF_ALL))
        return qfail(b, q, "only UNION ALL applies to streams");
    sl_scope_t l, r;
    int ln = sl_bind_query(b, q->kids[SL_SET_LEFT], &l);
    if (ln < 0) return -1;
    int rn = sl_bind_query(b, q->kids[SL_SET_RIGHT], &r);
    if (rn < 0) {
        sl_scope_free(&l);
        return -1;
    }
    int rc = -1;
    if (l.n != r.n) {
        qfail(b, q, "UNION ALL operands have %d and %d columns", l.n, r.n);
        goto out;
    }
    sl_type_t *ts = SL_NEWN(sl_type_t, l.n ? l.n : 1);
    bool cast_l = false, cast_r = false;
    for (int i = 0; i < l.n; i++) {
        if (!sl_type_common(l.cols[i].type, r.cols[i].type, &ts[i])) {
            char a[48], c[48];
            sl_type_format(l.cols[i].type, a, sizeof a);
            sl_type_format(r.cols[i].type, c, sizeof c);
            qfail(b, q, "UNION ALL column %d: type mismatch between %s and %s", i + 1, a, c);
            sl_free(ts);
            goto out;
        }
        if (ts[i].id != l.cols[i].type.id || ts[i].scale != l.cols[i].type.scale) cast_l = true;
        if (ts[i].id != r.cols[i].type.id || ts[i].scale != r.cols[i].type.scale) cast_r = true;
    }
    for (int side = 0; side < 2; side++) {
        if (!(side ? cast_r : cast_l)) continue;
        sl_scope_t *s = side ? &r : &l;
        sl_expr_t **xs = SL_NEWN(sl_expr_t *, s->n);
        char **nm = SL_NEWN(char *, s->n);
        for (int i = 0; i < s->n; i++) {
            xs[i] = sl_expr_coerce(sl_expr_col(i, s->cols[i].type), ts[i]);
            nm[i] = s->cols[i].name;
        }
        sl_pnode_t *m = make_map(b, q, side ? rn : ln, NULL, xs, nm, s->n);
        if (side) rn = m->id;
        else ln = m->id;
        sl_free(xs);
        sl_free(nm);
    }
    sl_pnode_t *u = sl_pb_node(b, SL_PN_UNION, q);
    sl_pb_add_input(u, ln);
    sl_pb_add_input(u, rn);
    node_set_cols(u, l.n);
    for (int i = 0; i < l.n; i++) {
        u->cols[i].name = l.cols[i].name ? sl_strdup(l.cols[i].name) : NULL;
        u->cols[i].type = ts[i];
    }
    sl_free(ts);
    scope_of_node(b, u->id, NULL, out);
    rc = u->id;
out:
    sl_scope_free(&l);
    sl_scope_free(&r);
    return rc;
}
