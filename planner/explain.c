/*
 * explain.c - EXPLAIN: the operator DAG as indented text, one line per node, each stream
 * followed by the pumps that feed it.
 */
#include "planner_int.h"

#include "alloc.h"
#include "clock.h"

#include <string.h>

static const char *const xop_names[] = {
#define SL_XOP_NAME(name, sp) sp,
    SL_XOPS(SL_XOP_NAME)
#undef SL_XOP_NAME
};

static const char *const node_labels[] = {
#define SL_PNODE_LABEL(name, label) label,
    SL_PNODES(SL_PNODE_LABEL)
#undef SL_PNODE_LABEL
};

/* Prints a constant. */
static void print_const(sl_buf_t *out, const sl_expr_t *e)
{
    if (e->null) {
        sl_buf_puts(out, "NULL");
        return;
    }
    char tmp[32];
    switch (e->type.id) {
    case SL_T_BOOLEAN: sl_buf_puts(out, e->i ? "TRUE" : "FALSE"); break;
    case SL_T_DECIMAL: {
        int64_t p = sl_pow10(e->type.scale), v = e->i < 0 ? -e->i : e->i;
        sl_buf_printf(out, "%s%lld", e->i < 0 ? "-" : "", (long long)(v / p));
        if (e->type.scale) sl_buf_printf(out, ".%0*lld", e->type.scale, (long long)(v % p));
        break;
    }
    case SL_T_REAL:
    case SL_T_DOUBLE: sl_buf_printf(out, "%.17g", e->f); break;
    case SL_T_TIMESTAMP:
        sl_clock_format_ms(e->i, tmp);
        sl_buf_printf(out, "TIMESTAMP '%s'", tmp);
        break;
    case SL_T_INTERVAL_DS: {
        /* In the largest unit that divides it, as KDA writes intervals. */
        static const struct {
            int64_t ms;
            const char *unit;
        } units[] = {{86400000, "DAY"}, {3600000, "HOUR"}, {60000, "MINUTE"}, {1000, "SECOND"}};
        int64_t v = e->i;
        size_t u = 0;
        while (u < 4 && v % units[u].ms) u++;
        if (u < 4) {
            sl_buf_printf(out, "INTERVAL '%lld' %s", (long long)(v / units[u].ms), units[u].unit);
        } else {
            int64_t a = v < 0 ? -v : v;
            sl_buf_printf(out, "INTERVAL '%s%lld.%03lld' SECOND", v < 0 ? "-" : "", (long long)(a / 1000),
                          (long long)(a % 1000));
        }
        break;
    }
    case SL_T_INTERVAL_YM: sl_buf_printf(out, "INTERVAL '%lld' MONTH", (long long)e->i); break;
    default:
        if (sl_type_phys(e->type) == SL_PHYS_STR) {
            sl_buf_putc(out, '\'');
            sl_buf_append(out, e->s, e->slen);
            sl_buf_putc(out, '\'');
        } else {
            sl_buf_put_i64(out, e->i);
        }
    }
}

/* Prints an expression; see plan.h. */
void sl_expr_print(sl_buf_t *out, const sl_expr_t *e, const sl_pcol_t *cols)
{
    static const char *units[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    switch (e->kind) {
    case SL_EX_CONST: print_const(out, e); return;
    case SL_EX_COL:
        if (cols && cols[e->col_ix].name) sl_buf_printf(out, "%s", cols[e->col_ix].name);
        else sl_buf_printf(out, "$%d", e->col_ix);
        return;
    case SL_EX_ROWTIME: sl_buf_puts(out, "ROWTIME"); return;
    case SL_EX_CAST: {
        char tn[48];
        sl_type_format(e->type, tn, sizeof tn);
        sl_buf_puts(out, "CAST(");
        sl_expr_print(out, e->args[0], cols);
        sl_buf_printf(out, " AS %s)", tn);
        return;
    }
    case SL_EX_CALL:
    case SL_EX_AGG:
    case SL_EX_WINAGG:
        sl_buf_printf(out, "%s(", e->fn->name);
        if (e->call.count_star) sl_buf_putc(out, '*');
        for (int i = 0; i < e->nargs; i++) {
            if (i) sl_buf_puts(out, ", ");
            sl_expr_print(out, e->args[i], cols);
        }
        sl_buf_putc(out, ')');
        if (e->call.field) sl_buf_printf(out, ".$%d", e->call.field); /* a row function's field */
        return;
    case SL_EX_OP: break;
    }
    switch (e->op) {
    case SL_XOP_NEG:
    case SL_XOP_NOT:
        sl_buf_printf(out, "(%s ", xop_names[e->op]);
        sl_expr_print(out, e->args[0], cols);
        sl_buf_putc(out, ')');
        return;
    case SL_XOP_IS_NULL:
    case SL_XOP_IS_NOT_NULL:
    case SL_XOP_IS_TRUE:
    case SL_XOP_IS_FALSE:
    case SL_XOP_IS_NOT_TRUE:
    case SL_XOP_IS_NOT_FALSE:
        sl_buf_putc(out, '(');
        sl_expr_print(out, e->args[0], cols);
        sl_buf_printf(out, " %s)", xop_names[e->op]);
        return;
    case SL_XOP_FLOOR_TO:
    case SL_XOP_CEIL_TO:
        sl_buf_puts(out, e->op == SL_XOP_FLOOR_TO ? "FLOOR(" : "CEIL(");
        sl_expr_print(out, e->args[0], cols);
        sl_buf_printf(out, " TO %s)", units[e->unit]);
        return;
    case SL_XOP_STEP:
        sl_buf_puts(out, "STEP(");
        sl_expr_print(out, e->args[0], cols);
        sl_buf_puts(out, " BY ");
        sl_expr_print(out, e->args[1], cols);
        sl_buf_putc(out, ')');
        return;
    case SL_XOP_CASE:
        sl_buf_puts(out, "CASE");
        for (int i = 0; i + 1 < e->nargs; i += 2) {
            sl_buf_puts(out, " WHEN ");
            sl_expr_print(out, e->args[i], cols);
            sl_buf_puts(out, " THEN ");
            sl_expr_print(out, e->args[i + 1], cols);
        }
        sl_buf_puts(out, " ELSE ");
        sl_expr_print(out, e->args[e->nargs - 1], cols);
        sl_buf_puts(out, " END");
        return;
    case SL_XOP_COALESCE:
    case SL_XOP_IN:
    case SL_XOP_NOT_IN:
        if (e->op == SL_XOP_COALESCE) {
            sl_buf_puts(out, "COALESCE(");
        } else {
            sl_expr_print(out, e->args[0], cols);
            sl_buf_printf(out, " %s (", xop_names[e->op]);
        }
        for (int i = e->op == SL_XOP_COALESCE ? 0 : 1; i < e->nargs; i++) {
            if (i > (e->op == SL_XOP_COALESCE ? 0 : 1)) sl_buf_puts(out, ", ");
            sl_expr_print(out, e->args[i], cols);
        }
        sl_buf_putc(out, ')');
        return;
    default:
        sl_buf_putc(out, '(');
        sl_expr_print(out, e->args[0], cols);
        sl_buf_printf(out, " %s ", xop_names[e->op]);
        sl_expr_print(out, e->args[1], cols);
        if (e->nargs > 2) { /* LIKE / SIMILAR TO ... ESCAPE e */
            sl_buf_puts(out, " ESCAPE ");
            sl_expr_print(out, e->args[2], cols);
        }
        sl_buf_putc(out, ')');
    }
}

/* Prints "name TYPE, ..." of a column list. */
static void print_cols(sl_buf_t *out, const sl_pnode_t *n)
{
    sl_buf_putc(out, '(');
    for (int i = 0; i < n->ncols; i++) {
        char tn[48];
        sl_type_format(n->cols[i].type, tn, sizeof tn);
        if (i) sl_buf_puts(out, ", ");
        if (n->cols[i].name) sl_buf_printf(out, "%s %s", n->cols[i].name, tn);
        else sl_buf_printf(out, "$%d %s", i, tn);
    }
    sl_buf_putc(out, ')');
}

/* Prints the milliseconds of a window as "10s", "1m", "250ms". */
static void print_ms(sl_buf_t *out, int64_t ms)
{
    if (ms % 3600000 == 0) sl_buf_printf(out, "%lldh", (long long)(ms / 3600000));
    else if (ms % 60000 == 0) sl_buf_printf(out, "%lldm", (long long)(ms / 60000));
    else if (ms % 1000 == 0) sl_buf_printf(out, "%llds", (long long)(ms / 1000));
    else sl_buf_printf(out, "%lldms", (long long)ms);
}

/* Prints one node's own line (without its inputs). */
static void print_node(sl_buf_t *out, const sl_plan_t *p, const sl_pnode_t *n)
{
    static const char *units[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    static const char *joins[] = {"cross", "cross", "inner", "left outer", "right outer", "full outer"};
    const sl_pcol_t *in = n->ninputs ? p->nodes[n->inputs[0]]->cols : NULL;
    sl_buf_printf(out, "#%d %s", n->id, node_labels[n->kind]);
    switch (n->kind) {
    case SL_PN_SOURCE: {
        const sl_app_input_t *ai = &p->app->inputs[n->input_ix];
        sl_buf_printf(out, " %s <- %s '%s' %s ", n->name, ai->endpoint ? "endpoint stream" : "stream",
                      ai->stream ? ai->stream : "?",
                      ai->schema.format == SL_FORMAT_JSON ? "JSON" : "CSV");
        print_cols(out, n);
        break;
    }
    case SL_PN_STREAM:
        sl_buf_printf(out, " %s ", n->name);
        print_cols(out, n);
        break;
    case SL_PN_MAP:
        if (n->name) sl_buf_printf(out, " [pump %s]", n->name);
        if (n->filter) {
            sl_buf_puts(out, " where ");
            sl_expr_print(out, n->filter, in);
        }
        sl_buf_puts(out, " select ");
        for (int i = 0; i < n->ncols; i++) {
            if (i) sl_buf_puts(out, ", ");
            sl_expr_print(out, n->exprs[i], in);
        }
        if (n->rowtime) {
            sl_buf_puts(out, ", ");
            sl_expr_print(out, n->rowtime, in);
            sl_buf_puts(out, " AS ROWTIME");
        }
        break;
    case SL_PN_AGG:
        if (n->win == SL_WIN_STAGGER) {
            sl_buf_puts(out, " stagger ");
            print_ms(out, n->stagger_ms);
        } else if (n->step_ms) {
            sl_buf_puts(out, " tumbling ");
            print_ms(out, n->step_ms);
        } else {
            sl_buf_printf(out, " tumbling %s", units[n->floor_unit]);
        }
        sl_buf_puts(out, " keys [");
        for (int i = 0; i < n->nkeys; i++) sl_buf_printf(out, "%s$%d%s", i ? ", " : "", i, i == n->time_key ? " (time)" : "");
        sl_buf_puts(out, "] aggs [");
        for (int i = 0; i < n->naggs; i++) {
            if (n->aggs[i].arg < 0) sl_buf_printf(out, "%s%s(*)", i ? ", " : "", n->aggs[i].fn->name);
            else sl_buf_printf(out, "%s%s($%d)", i ? ", " : "", n->aggs[i].fn->name, n->aggs[i].arg);
        }
        sl_buf_puts(out, "] emit at window end");
        break;
    case SL_PN_WINDOW:
        for (int i = 0; i < n->naggs; i++) {
            const sl_pagg_t *a = &n->aggs[i];
            sl_buf_printf(out, "%s %s(", i ? ";" : "", a->fn->name);
            if (a->arg < 0) sl_buf_putc(out, '*');
            else sl_buf_printf(out, "$%d", a->arg);
            if (a->frame_fn == SL_FRAME_LAG || a->frame_fn == SL_FRAME_NTH)
                sl_buf_printf(out, ", %lld", (long long)a->nth);
            if (a->frame_fn == SL_FRAME_EXP_AVG) sl_buf_printf(out, ", %lld ms", (long long)a->nth);
            if (a->dflt >= 0 && a->frame_fn == SL_FRAME_LAG) sl_buf_printf(out, ", $%d", a->dflt);
            sl_buf_putc(out, ')');
            if (a->from_last) sl_buf_puts(out, " from last");
            if (a->ignore_nulls) sl_buf_puts(out, " ignore nulls");
            sl_buf_puts(out, " over (");
            if (a->npart) {
                sl_buf_puts(out, "partition by ");
                for (int k = 0; k < a->npart; k++) sl_buf_printf(out, "%s$%d", k ? ", " : "", a->part[k]);
                sl_buf_putc(out, ' ');
            }
            if (a->rows) sl_buf_printf(out, "rows %lld preceding)", (long long)a->range);
            else {
                sl_buf_puts(out, "range ");
                print_ms(out, a->range);
                sl_buf_puts(out, " preceding)");
            }
        }
        break;
    case SL_PN_UNION: break;
    case SL_PN_JOIN:
        sl_buf_printf(out, " %s, windows left ", joins[n->join_type]);
        if (n->win_left < 0) sl_buf_puts(out, "current row");
        else print_ms(out, n->win_left);
        sl_buf_puts(out, " right ");
        if (n->win_right < 0) sl_buf_puts(out, "current row");
        else print_ms(out, n->win_right);
        if (n->on) {
            sl_buf_puts(out, " on ");
            sl_expr_print(out, n->on, n->cols);
        }
        break;
    case SL_PN_REFJOIN:
        sl_buf_printf(out, " %s with table %s on", joins[n->join_type], p->app->refs[n->ref_ix].table_name);
        for (int i = 0; i < n->nprobe; i++)
            sl_buf_printf(out, "%s $%d = table.$%d", i ? " and" : "", n->probe_cols[i], n->table_cols[i]);
        break;
    case SL_PN_DISTINCT: break;
    case SL_PN_TABLEFN: {
        static const char *const fns[] = {
#define SL_TFN_NAME(name, sql) sql,
            SL_TABLEFNS(SL_TFN_NAME)
#undef SL_TFN_NAME
        };
        sl_buf_printf(out, " %s(", fns[n->tfn]);
        if (SL_TFN_TUMBLING(n->tfn)) {
            const char *nm = in ? in[n->item_col].name : NULL;
            if (nm) sl_buf_printf(out, "columnName %s", nm);
            else sl_buf_printf(out, "columnName $%d", n->item_col);
            if (n->tfn == SL_TFN_TOPK) sl_buf_printf(out, ", K %lld", (long long)n->top_k);
            sl_buf_printf(out, ", windowSize %lld) emits (", (long long)(n->window_ms / 1000));
            for (int i = 0; i < n->ncols; i++) {
                char tn[48];
                sl_type_format(n->cols[i].type, tn, sizeof tn);
                sl_buf_printf(out, "%s%s %s", i ? ", " : "", n->cols[i].name, tn);
            }
            sl_buf_puts(out, ") per window");
            break;
        }
        if (n->tfn == SL_TFN_GROUP_RANK) {
            const char *nm = in ? in[n->item_col].name : NULL;
            if (nm) sl_buf_printf(out, "rankBy %s", nm);
            else sl_buf_printf(out, "rankBy $%d", n->item_col);
            sl_buf_printf(out, " %s, output %s, maxIdle %lld, outputMax %lld) adds (%s INTEGER)",
                          n->rank_desc ? "desc" : "asc", n->output_desc ? "desc" : "asc",
                          (long long)n->max_idle_ms, (long long)n->output_max,
                          n->cols[n->ncols - 1].name);
            break;
        }
        if (n->tfn == SL_TFN_HOTSPOTS)
            sl_buf_printf(out, "windowSize %d, scanRadius %.15g, minimumNumberOfPointsInAHotspot %d",
                          n->hotspots.window_size, n->hotspots.scan_radius, n->hotspots.min_points);
        else
            sl_buf_printf(out, "numberOfTrees %d, subSampleSize %d, timeDecay %lld, shingleSize %d%s",
                          n->rcf.trees, n->rcf.sample_size, (long long)n->rcf.time_decay,
                          n->rcf.shingle_size,
                          n->tfn == SL_TFN_RCF_EXPLAIN
                              ? (n->directionality ? ", withDirectionality TRUE"
                                                   : ", withDirectionality FALSE")
                              : "");
        sl_buf_puts(out, ") point [");
        for (int i = 0; i < n->nscored; i++) {
            const char *nm = in ? in[n->scored[i]].name : NULL;
            if (nm) sl_buf_printf(out, "%s%s", i ? ", " : "", nm);
            else sl_buf_printf(out, "%s$%d", i ? ", " : "", n->scored[i]);
        }
        sl_buf_puts(out, "] adds (");
        int first = p->nodes[n->inputs[0]]->ncols;
        for (int i = first; i < n->ncols; i++) {
            char tn[48];
            sl_type_format(n->cols[i].type, tn, sizeof tn);
            sl_buf_printf(out, "%s%s %s", i > first ? ", " : "", n->cols[i].name, tn);
        }
        sl_buf_putc(out, ')');
        break;
    }
    case SL_PN_SORT:
        sl_buf_puts(out, " by");
        for (int i = 0; i < n->nsort; i++)
            sl_buf_printf(out, "%s $%d%s", i ? "," : "", n->sort_cols[i], n->sort_desc[i] ? " DESC" : "");
        if (n->within_ms) {
            sl_buf_puts(out, " within ");
            print_ms(out, n->within_ms);
        }
        break;
    }
    sl_buf_putc(out, '\n');
}

/* Prints a node and, indented, the chain of nodes that feed it (streams stop the walk). */
static void print_tree(sl_buf_t *out, const sl_plan_t *p, int id, int depth, bool top)
{
    const sl_pnode_t *n = p->nodes[id];
    for (int i = 0; i < depth; i++) sl_buf_puts(out, "    ");
    if (!top && (n->kind == SL_PN_STREAM || n->kind == SL_PN_SOURCE)) {
        sl_buf_printf(out, "#%d %s %s\n", n->id, n->kind == SL_PN_SOURCE ? "source" : "stream", n->name);
        return;
    }
    if (!top) sl_buf_puts(out, "<- ");
    print_node(out, p, n);
    for (int i = 0; i < n->ninputs; i++) print_tree(out, p, n->inputs[i], depth + 1, false);
}

/* EXPLAIN; see plan.h. */
void sl_plan_explain(const sl_plan_t *p, sl_buf_t *out)
{
    for (int i = 0; i < p->nstreams; i++) {
        print_tree(out, p, p->streams[i].node, 0, true);
    }
    for (size_t i = 0; i < p->app->noutputs; i++) {
        const sl_app_output_t *o = &p->app->outputs[i];
        sl_buf_printf(out, "output %s: stream %s -> %s%s%s\n", o->id ? o->id : "", o->name,
                      o->kind == SL_SINK_STREAM ? "stream " : o->kind == SL_SINK_STDOUT ? "stdout" : "sink ",
                      o->target ? o->target : "", o->format == SL_FORMAT_CSV ? " (CSV)" : " (JSON)");
    }
}
