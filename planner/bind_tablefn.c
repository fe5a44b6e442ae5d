/*
 * bind_tablefn.c - binding of the table functions in FROM:
 *
 *     FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ...) [, numberOfTrees,
 *                subSampleSize, timeDecay, shingleSize])) [AS alias [(cols)]]
 *     FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(...) [, ..., withDirectionality]))
 *     FROM TABLE(HOTSPOTS(CURSOR(...), windowSize, scanRadius,
 *                minimumNumberOfPointsInAHotspot))
 *     FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'columnName', K, windowSize))
 *     FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'columnName', windowSize))
 *     FROM TABLE(GROUP_RANK(CURSOR(...), 'rankByColumnName', 'rankOutColumnName',
 *                'sortOrder', 'outputOrder', maxIdle, outputMax))
 *
 * The cursor's query is bound like a subquery; the function becomes one TABLEFN node over
 * it whose output is the cursor's columns, unchanged and in order (ROWTIME kept), followed
 * by the function's own: ANOMALY_SCORE DOUBLE; ANOMALY_EXPLANATION VARCHAR for the
 * explanation variant; HOTSPOTS_RESULT VARCHAR for HOTSPOTS. The tumbling functions output
 * only their own columns, per window: the counted column and MOST_FREQUENT_VALUES BIGINT
 * (TOP_K), NUMBER_OF_DISTINCT_ITEMS BIGINT (COUNT_DISTINCT). GROUP_RANK passes the
 * cursor's columns through and appends the rank column (INTEGER, named by its argument). The KDA rules on columns and
 * arguments live in functions/tablefn.c; this file maps the AST onto them and puts each
 * error at the place it comes from: a bad argument at that argument, a column problem at
 * the CURSOR, a wrong argument count at the function's name.
 */
#include "planner_int.h"

#include "alloc.h"
#include "tumblefn.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const tfn_names[] = {
#define SL_TFN_NAME(name, sql) sql,
    SL_TABLEFNS(SL_TFN_NAME)
#undef SL_TFN_NAME
};

/* Reports an error at n; returns -1. */
static int tfail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tfail(sl_binder_t *b, const sl_ast_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sl_diag_add(b->d, n ? n->line : 1, n ? n->col : 1, "%s", msg);
    return -1;
}

/*
 * Reads a numeric literal argument (optionally negated: `-1` parses as NEG of 1) into *v.
 * *integral tells whether it was written as an integer. Returns false when the argument is
 * not a numeric literal.
 */
static bool arg_number(const sl_ast_t *a, double *v, bool *integral, int64_t *iv)
{
    bool neg = false;
    while (a->kind == SL_AST_UNARY && (a->op == SL_OP_NEG || a->op == SL_OP_POS) && a->nkids) {
        if (a->op == SL_OP_NEG) neg = !neg;
        a = a->kids[0];
    }
    if (a->kind != SL_AST_LITERAL || !a->text) return false;
    if (a->op != SL_LIT_INTEGER && a->op != SL_LIT_DECIMAL && a->op != SL_LIT_APPROX) return false;
    *integral = a->op == SL_LIT_INTEGER;
    errno = 0;
    double d = strtod(a->text, NULL);
    *v = neg ? -d : d;
    if (*integral) {
        long long x = strtoll(a->text, NULL, 10);
        /* Out of int64 range: saturate, so the range check still rejects it. */
        if (errno == ERANGE) x = LLONG_MAX;
        *iv = neg ? -x : x;
    }
    return true;
}

/* The KDA name of argument i (after the cursor) of function f, for messages. */
static const char *arg_name(sl_tfn_t f, int i)
{
    static const char *const rcf[] = {"numberOfTrees", "subSampleSize", "timeDecay", "shingleSize",
                                      "withDirectionality"};
    static const char *const hs[] = {"windowSize", "scanRadius", "minimumNumberOfPointsInAHotspot"};
    if (f == SL_TFN_HOTSPOTS) return i < 3 ? hs[i] : "argument";
    return i < 5 ? rcf[i] : "argument";
}

/*
 * Reads the literal arguments after the cursor (argv[0..argc-1]) and sets the node's
 * configuration. Returns false after reporting an error.
 */
static bool bind_args(sl_binder_t *b, sl_pnode_t *t, const sl_ast_t *call, sl_ast_t *const *argv,
                      int argc)
{
    sl_tfn_t f = (sl_tfn_t)t->tfn;
    const char *fn = tfn_names[f];
    char err[256];
    if (f == SL_TFN_HOTSPOTS) {
        if (argc != 3) {
            tfail(b, call,
                  "HOTSPOTS takes a CURSOR, windowSize, scanRadius and "
                  "minimumNumberOfPointsInAHotspot (%d argument%s after the CURSOR given)",
                  argc, argc == 1 ? "" : "s");
            return false;
        }
        double v[3];
        for (int i = 0; i < 3; i++) {
            bool integral;
            int64_t iv;
            if (!arg_number(argv[i], &v[i], &integral, &iv)) {
                tfail(b, argv[i], "HOTSPOTS: %s must be a numeric literal", arg_name(f, i));
                return false;
            }
        }
        /* Check one argument more at a time, so an error points at the first bad one. The
         * missing ones are given valid stand-ins (100, 1, 2) meanwhile. */
        for (int k = 1; k <= 3; k++) {
            double w[3] = {100, 1, 2};
            for (int i = 0; i < k; i++) w[i] = v[i];
            if (!sl_tablefn_hotspots_config(&t->hotspots, t->nscored, w, 3, err, sizeof err)) {
                tfail(b, argv[k - 1], "%s", err);
                return false;
            }
        }
        return true;
    }
    bool explain = f == SL_TFN_RCF_EXPLAIN;
    int max = explain ? 5 : 4;
    if (argc > max) {
        tfail(b, call,
              "%s takes a CURSOR and at most %d more arguments (numberOfTrees, subSampleSize, "
              "timeDecay, shingleSize%s), %d given",
              fn, max, explain ? ", withDirectionality" : "", argc);
        return false;
    }
    int64_t v[5] = {0};
    for (int i = 0; i < argc; i++) {
        if (explain && i == 4) {
            const sl_ast_t *a = argv[i];
            if (a->kind == SL_AST_LITERAL && (a->op == SL_LIT_TRUE || a->op == SL_LIT_FALSE)) {
                v[i] = a->op == SL_LIT_TRUE;
                continue;
            }
            tfail(b, a, "%s: withDirectionality must be TRUE or FALSE", fn);
            return false;
        }
        double d;
        bool integral;
        if (!arg_number(argv[i], &d, &integral, &v[i]) || !integral) {
            tfail(b, argv[i], "%s: %s must be an integer literal", fn, arg_name(f, i));
            return false;
        }
    }
    /* One argument more at a time: the first prefix that fails names the bad argument
     * (subSampleSize < timeDecay is reported at timeDecay, or at subSampleSize when the
     * default timeDecay is the one it clashes with). */
    for (int k = 1; k <= argc; k++)
        if (!sl_tablefn_rcf_config(&t->rcf, t->nscored, v, k, explain, &t->directionality, err,
                                   sizeof err)) {
            tfail(b, argv[k - 1], "%s", err);
            return false;
        }
    if (argc == 0 &&
        !sl_tablefn_rcf_config(&t->rcf, t->nscored, v, 0, explain, &t->directionality, err,
                               sizeof err)) {
        tfail(b, call, "%s", err);
        return false;
    }
    return true;
}

/*
 * The scope of a TABLEFN node t bound from FUNCTION_REF n: every output column, qualified
 * by the alias; AS alias (c1, ...) renames from the left, as for a subquery. Returns t's
 * id, or -1 after reporting an error (out then holds no scope).
 */
static int tfn_scope(sl_binder_t *b, const sl_ast_t *n, const sl_pnode_t *t, sl_scope_t *out)
{
    out->node = t->id;
    out->is_stream = true;
    out->n = t->ncols;
    out->cols = SL_NEWN(sl_scol_t, t->ncols);
    for (int i = 0; i < t->ncols; i++) {
        out->cols[i].rel = n->alias ? sl_strdup(n->alias) : NULL;
        out->cols[i].name = t->cols[i].name ? sl_strdup(t->cols[i].name) : NULL;
        out->cols[i].type = t->cols[i].type;
        out->cols[i].hidden = t->cols[i].hidden;
    }
    if (n->kids[SL_REL_COLS]) {
        const sl_ast_t *cl = n->kids[SL_REL_COLS];
        if (cl->nkids > out->n) {
            tfail(b, cl, "too many column aliases");
            sl_scope_free(out);
            out->node = -2;
            return -1;
        }
        for (int i = 0; i < cl->nkids; i++) {
            sl_free(out->cols[i].name);
            out->cols[i].name = sl_strdup(cl->kids[i]->name);
        }
    }
    return t->id;
}

/*
 * The visible column of scope `in` named by the character literal a, exactly or else
 * case-insensitively when that matches one column only; what (e.g. "columnName") names the
 * argument in messages. Returns its index, or -1 after reporting an error at a.
 */
static int arg_column(sl_binder_t *b, const char *fn, const char *what, const sl_ast_t *a,
                      const sl_scope_t *in)
{
    if (a->kind != SL_AST_LITERAL || a->op != SL_LIT_STRING || !a->text) {
        tfail(b, a, "%s: %s must be a character literal naming a column of the CURSOR, "
                    "such as 'TICKER_SYMBOL'", fn, what);
        return -1;
    }
    int col = -1, ci = -1, nci = 0;
    for (int i = 0; i < in->n; i++) {
        if (in->cols[i].hidden || !in->cols[i].name) continue;
        if (!strcmp(in->cols[i].name, a->text)) col = i;
        if (!strcasecmp(in->cols[i].name, a->text)) {
            ci = i;
            nci++;
        }
    }
    if (col < 0 && nci == 1) col = ci;
    if (col < 0)
        tfail(b, a, "%s: %s '%s' is %s column of the CURSOR", fn, what, a->text,
              nci > 1 ? "more than one (differing in case)" : "not a");
    return col;
}

/*
 * The tumbling functions: TOP_K_ITEMS_TUMBLING(cursor, 'columnName', K, windowSize) and
 * COUNT_DISTINCT_ITEMS_TUMBLING(cursor, 'columnName', windowSize). Reads the arguments
 * after the cursor (argv[0..argc-1]) against the cursor's scope `in` and sets t's
 * configuration and output columns: the counted column (its name and type) and
 * MOST_FREQUENT_VALUES BIGINT, or NUMBER_OF_DISTINCT_ITEMS BIGINT. columnName matches a
 * visible column exactly, else case-insensitively when only one column matches so.
 * Returns false after reporting an error at the argument it is about.
 */
static bool bind_tumbling(sl_binder_t *b, sl_pnode_t *t, const sl_ast_t *call,
                          sl_ast_t *const *argv, int argc, const sl_scope_t *in)
{
    sl_tfn_t f = (sl_tfn_t)t->tfn;
    const char *fn = tfn_names[f];
    bool topk = f == SL_TFN_TOPK;
    int want = topk ? 3 : 2;
    if (argc != want) {
        tfail(b, call, "%s takes a CURSOR, %s (%d argument%s after the CURSOR given)", fn,
              topk ? "columnName, K and windowSize" : "columnName and windowSize", argc,
              argc == 1 ? "" : "s");
        return false;
    }
    int col = arg_column(b, fn, "columnName", argv[0], in);
    if (col < 0) return false;
    int64_t v[2];
    for (int i = 1; i < argc; i++) {
        double d;
        bool integral;
        const char *what = topk && i == 1 ? "K" : "windowSize";
        if (!arg_number(argv[i], &d, &integral, &v[i - 1]) || !integral) {
            tfail(b, argv[i], "%s: %s must be an integer literal", fn, what);
            return false;
        }
        const char *msg = topk && i == 1 ? sl_tumblefn_check_k(v[i - 1])
                                         : sl_tumblefn_check_window(fn, v[i - 1]);
        if (msg) {
            tfail(b, argv[i], "%s", msg);
            return false;
        }
    }
    t->item_col = col;
    t->top_k = topk ? v[0] : 0;
    t->window_ms = v[topk ? 1 : 0] * 1000;
    t->ncols = topk ? 2 : 1;
    t->cols = SL_NEWN(sl_pcol_t, t->ncols);
    if (topk) {
        t->cols[0].name = sl_strdup(in->cols[col].name);
        t->cols[0].type = in->cols[col].type;
        t->cols[1].name = sl_strdup("MOST_FREQUENT_VALUES");
        t->cols[1].type = sl_type_make(SL_T_BIGINT);
    } else {
        t->cols[0].name = sl_strdup("NUMBER_OF_DISTINCT_ITEMS");
        t->cols[0].type = sl_type_make(SL_T_BIGINT);
    }
    return true;
}

/* Reads 'asc' / 'desc' (any case) into *desc; false after an error at a. */
static bool arg_order(sl_binder_t *b, const char *what, const sl_ast_t *a, bool *desc)
{
    if (a->kind == SL_AST_LITERAL && a->op == SL_LIT_STRING && a->text) {
        if (!strcasecmp(a->text, "asc") || !strcasecmp(a->text, "desc")) {
            *desc = !strcasecmp(a->text, "desc");
            return true;
        }
    }
    tfail(b, a, "GROUP_RANK: %s must be 'asc' or 'desc'", what);
    return false;
}

/*
 * GROUP_RANK(cursor, rankByColumnName, rankOutColumnName, sortOrder, outputOrder, maxIdle,
 * outputMax): the cursor's columns (all, hidden ones too) then the rank column, INTEGER,
 * named by rankOutColumnName as written. Returns false after reporting an error at the
 * argument it is about.
 */
static bool bind_group_rank(sl_binder_t *b, sl_pnode_t *t, const sl_ast_t *call,
                            sl_ast_t *const *argv, int argc, const sl_scope_t *in)
{
    if (argc != 6) {
        tfail(b, call,
              "GROUP_RANK takes a CURSOR, rankByColumnName, rankOutColumnName, sortOrder, "
              "outputOrder, maxIdle and outputMax (%d argument%s after the CURSOR given)",
              argc, argc == 1 ? "" : "s");
        return false;
    }
    int col = arg_column(b, "GROUP_RANK", "rankByColumnName", argv[0], in);
    if (col < 0) return false;
    const sl_ast_t *a = argv[1];
    if (a->kind != SL_AST_LITERAL || a->op != SL_LIT_STRING || !a->text || !*a->text) {
        tfail(b, a, "GROUP_RANK: rankOutColumnName must be a character literal, the name of "
                    "the rank column, such as 'groupRank'");
        return false;
    }
    for (int i = 0; i < in->n; i++)
        if (in->cols[i].name && !strcmp(in->cols[i].name, a->text)) {
            tfail(b, a, "GROUP_RANK: rankOutColumnName '%s' is already a column of the CURSOR",
                  a->text);
            return false;
        }
    if (!arg_order(b, "sortOrder", argv[2], &t->rank_desc) ||
        !arg_order(b, "outputOrder", argv[3], &t->output_desc))
        return false;
    int64_t v[2];
    static const char *const what[] = {"maxIdle", "outputMax"};
    for (int i = 0; i < 2; i++) {
        double d;
        bool integral;
        if (!arg_number(argv[4 + i], &d, &integral, &v[i]) || !integral || v[i] < 0 ||
            v[i] > INT32_MAX) {
            tfail(b, argv[4 + i], "GROUP_RANK: %s must be an integer between 0 and 2147483647%s",
                  what[i], i ? "" : " (milliseconds)");
            return false;
        }
    }
    t->item_col = col;
    t->max_idle_ms = v[0];
    t->output_max = v[1];
    t->ncols = in->n + 1;
    t->cols = SL_NEWN(sl_pcol_t, t->ncols);
    for (int i = 0; i < in->n; i++) {
        t->cols[i].name = in->cols[i].name ? sl_strdup(in->cols[i].name) : NULL;
        t->cols[i].type = in->cols[i].type;
        t->cols[i].hidden = in->cols[i].hidden;
    }
    t->cols[in->n].name = sl_strdup(a->text);
    t->cols[in->n].type = sl_type_make(SL_T_INTEGER);
    return true;
}

/* Binds a FUNCTION_REF (TABLE(f(CURSOR(q), args...)) [AS alias [(cols)]]); see
 * planner_int.h. */
int sl_bind_tablefn(sl_binder_t *b, const sl_ast_t *n, sl_scope_t *out)
{
    memset(out, 0, sizeof *out);
    out->node = -2;
    const sl_ast_t *call = n->kids[SL_REL_BODY];
    if (!call || call->kind != SL_AST_CALL) return tfail(b, n, "TABLE(...) needs a function call");
    int f = -1;
    for (int i = 0; i < SL_TFN_COUNT; i++)
        if (!strcasecmp(call->name, tfn_names[i])) f = i;
    if (f < 0)
        return tfail(b, call,
                     "unknown table function '%s' (sluice has RANDOM_CUT_FOREST, "
                     "RANDOM_CUT_FOREST_WITH_EXPLANATION, HOTSPOTS, TOP_K_ITEMS_TUMBLING, "
                     "COUNT_DISTINCT_ITEMS_TUMBLING and GROUP_RANK)",
                     call->name);
    if (n->kids[SL_REL_OVER])
        return tfail(b, n->kids[SL_REL_OVER], "a table function cannot carry a window (OVER)");
    const sl_ast_t *args = call->kids[0];
    int argc = args ? args->nkids : 0;
    if (argc == 0 || args->kids[0]->kind != SL_AST_CURSOR)
        return tfail(b, argc ? args->kids[0] : call,
                     "the first argument of %s must be CURSOR(SELECT STREAM ...)", tfn_names[f]);
    for (int i = 1; i < argc; i++)
        if (args->kids[i]->kind == SL_AST_CURSOR)
            return tfail(b, args->kids[i], "%s takes one CURSOR, as its first argument",
                         tfn_names[f]);
    const sl_ast_t *cursor = args->kids[0];
    sl_scope_t in;
    int node = sl_bind_query(b, cursor->kids[0], &in);
    if (node < 0) return -1;
    if (SL_TFN_TUMBLING(f) || f == SL_TFN_GROUP_RANK) {
        sl_pnode_t *t = sl_pb_node(b, SL_PN_TABLEFN, call);
        sl_pb_add_input(t, node);
        t->tfn = f;
        bool ok = f == SL_TFN_GROUP_RANK
                      ? bind_group_rank(b, t, call, args->kids + 1, argc - 1, &in)
                      : bind_tumbling(b, t, call, args->kids + 1, argc - 1, &in);
        sl_scope_free(&in);
        if (!ok) return -1;
        return tfn_scope(b, n, t, out);
    }

    /* The point: the cursor's numeric columns (hidden ones, such as
     * APPROXIMATE_ARRIVAL_TIME, are passed through but never scored). */
    int rc = -1;
    sl_type_t *types = SL_NEWN(sl_type_t, in.n ? in.n : 1);
    const char **names = SL_NEWN(const char *, in.n ? in.n : 1);
    int *vis = SL_NEWN(int, in.n ? in.n : 1), nvis = 0;
    for (int i = 0; i < in.n; i++)
        if (!in.cols[i].hidden) {
            vis[nvis] = i;
            names[nvis] = in.cols[i].name;
            types[nvis++] = in.cols[i].type;
        }
    int *cols = SL_NEWN(int, nvis ? nvis : 1);
    char err[256];
    int nscored = sl_tablefn_numeric_columns_named(tfn_names[f], types, names, nvis, cols, err,
                                                   sizeof err);
    sl_free(types);
    sl_free(names);
    if (nscored < 0) {
        tfail(b, cursor, "%s", err);
        goto done;
    }
    sl_pnode_t *t = sl_pb_node(b, SL_PN_TABLEFN, call);
    sl_pb_add_input(t, node);
    t->tfn = f;
    t->nscored = nscored;
    t->scored = SL_NEWN(int, nscored);
    for (int k = 0; k < nscored; k++) t->scored[k] = vis[cols[k]];
    if (!bind_args(b, t, call, args->kids + 1, argc - 1)) goto done;

    /* Output: the cursor's columns, then the function's. */
    static const char *const added[SL_TFN_COUNT][2] = {
        {"ANOMALY_SCORE", NULL}, {"ANOMALY_SCORE", "ANOMALY_EXPLANATION"}, {"HOTSPOTS_RESULT", NULL}};
    int nadd = added[f][1] ? 2 : 1;
    t->ncols = in.n + nadd;
    t->cols = SL_NEWN(sl_pcol_t, t->ncols);
    for (int i = 0; i < in.n; i++) {
        t->cols[i].name = in.cols[i].name ? sl_strdup(in.cols[i].name) : NULL;
        t->cols[i].type = in.cols[i].type;
        t->cols[i].hidden = in.cols[i].hidden;
    }
    for (int k = 0; k < nadd; k++) {
        sl_pcol_t *c = &t->cols[in.n + k];
        c->name = sl_strdup(added[f][k]);
        c->type = sl_type_make(f == SL_TFN_RCF || (f == SL_TFN_RCF_EXPLAIN && k == 0)
                                   ? SL_T_DOUBLE
                                   : SL_T_VARCHAR);
    }

    rc = tfn_scope(b, n, t, out);
    if (rc < 0) goto done;
done:
    sl_free(cols);
    sl_free(vis);
    sl_scope_free(&in);
    if (rc < 0) out->node = -2;
    return rc;
}
