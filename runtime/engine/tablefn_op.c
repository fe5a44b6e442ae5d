/*
 * tablefn_op.c - the TABLEFN operator: KDA's analytic table functions over a cursor,
 *
 *     SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ...), ...))
 *     ... RANDOM_CUT_FOREST_WITH_EXPLANATION(...) / HOTSPOTS(...)
 *
 * One operator per query instance holds one model: a forest (functions/rcf.h) or a
 * HOTSPOTS detector (functions/hotspots.h), built from the configuration the planner
 * checked (planner/bind_tablefn.c). Each input batch is passed through unchanged (the
 * output batch aliases the input's vectors, ROWTIME included) with the function's columns
 * appended; the adapters of functions/tablefn.h compute them a batch at a time, in row
 * order, so the model sees the stream exactly as it arrives: each row is scored before it
 * is learnt. Rows are never held back, so bounds pass straight through.
 *
 * Run-time options (environment, read when the engine is built; see runtime/README.md):
 *   SLUICE_RCF_SEED     the forests' seed (an unsigned integer; default 1). The output of
 *                       a forest is a function of its seed and its input only, so a replay
 *                       gives the same scores; set a different seed to see another draw.
 *   SLUICE_RCF_THREADS  threads per forest (1..64, default 1); the scores do not depend
 *                       on it.
 *
 * Checkpoints: the engine's operator vtable has no snapshot/restore hook yet (checkpoints
 * record only input positions, runtime/README.md). The state that such a hook must save
 * is the model alone: sl_rcf_snapshot()/sl_rcf_restore() already give a forest's exact
 * image; HOTSPOTS would save its window's last windowSize points. Until the hook exists,
 * a restarted application starts its forests empty (KDA also restarts its scores at 0
 * after maintenance).
 */
#include "engine_int.h"

#include "alloc.h"
#include "tablefn.h"

#include <stdlib.h>
#include <string.h>

/* The operator's state. */
typedef struct tablefn_op {
    sl_operator_t op;
    sl_rcf_t *forest;       /* RCF, RCF_EXPLAIN */
    sl_hotspots_t *hs;      /* HOTSPOTS */
    char **names;           /* the scored columns' names, for ANOMALY_EXPLANATION (owned) */
    int nin;                /* columns passed through */
    int nadd;               /* columns appended (1 or 2) */
    sl_vec_t *cols;         /* the output's vectors: nin aliases, then nadd owned */
    size_t cap;             /* rows allocated in the owned vectors */
    sl_arena_t *arena;      /* strings of the appended columns, reset per batch */
} tablefn_op_t;

/* Grows the owned vectors to hold n rows. */
static void tablefn_reserve(tablefn_op_t *t, size_t n)
{
    if (n <= t->cap) return;
    size_t cap = t->cap ? t->cap : SL_BATCH_CAP;
    while (cap < n) cap *= 2;
    for (int k = 0; k < t->nadd; k++) {
        sl_vec_t *v = &t->cols[t->nin + k];
        sl_type_t ty = v->type;
        sl_vec_free(v);
        sl_vec_alloc(v, ty, cap);
    }
    t->cap = cap;
}

/* Scores (or clusters) every row of b in order and emits b with the results appended. */
static void tablefn_push(sl_operator_t *op, int port, const sl_batch_t *b)
{
    (void)port;
    tablefn_op_t *t = (tablefn_op_t *)op;
    const sl_pnode_t *n = op->node;
    if (!b->n) return;
    tablefn_reserve(t, b->n);
    sl_arena_reset(t->arena);
    for (int c = 0; c < t->nin; c++) t->cols[c] = b->cols[c];
    sl_vec_t *first = &t->cols[t->nin];
    if (t->hs)
        sl_tablefn_hotspots_batch(t->hs, b, n->scored, n->nscored, first, t->arena);
    else
        sl_tablefn_rcf_batch(t->forest, b, n->scored, n->nscored, first,
                             t->nadd > 1 ? first + 1 : NULL, (const char *const *)t->names,
                             n->directionality,
                             t->arena);
    sl_batch_t out = {.n = b->n, .cap = t->cap < b->cap ? t->cap : b->cap, .ncols = n->ncols,
                      .cols = t->cols, .rowtime = b->rowtime, .arena = t->arena};
    sl_op_emit(op, &out);
}

/* Nothing is held back: a bound passes through. */
static void tablefn_bound(sl_operator_t *op, int port, int64_t t)
{
    (void)port;
    sl_op_emit_bound(op, t);
}

/* Frees the model and the owned vectors. */
static void tablefn_close(sl_operator_t *op)
{
    tablefn_op_t *t = (tablefn_op_t *)op;
    sl_rcf_free(t->forest);
    sl_hotspots_free(t->hs);
    for (int k = 0; k < t->nadd; k++) sl_vec_free(&t->cols[t->nin + k]);
    sl_free(t->cols);
    for (int k = 0; t->names && k < op->node->nscored; k++) sl_free(t->names[k]);
    sl_free(t->names);
    sl_arena_free(t->arena);
}

static const sl_op_vt_t tablefn_vt = {tablefn_push, tablefn_bound, tablefn_close};

/*
 * Reads an unsigned integer option from the environment into *v. Returns false (and
 * leaves *v) when it is unset; sets *err when it is set but malformed or above max.
 */
static bool env_uint(const char *name, unsigned long long max, unsigned long long *v, char **err)
{
    const char *s = getenv(name);
    if (!s || !*s) return false;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || *s == '-' || x > max) {
        *err = sl_asprintf("%s='%s' is not an integer between 0 and %llu", name, s, max);
        return false;
    }
    *v = x;
    return true;
}

/* Builds the operator of a TABLEFN node; see engine_int.h. */
sl_operator_t *sl_tablefn_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    const sl_pnode_t *in = e->plan->nodes[n->inputs[0]];
    tablefn_op_t *t = SL_NEW(tablefn_op_t);
    t->op.node = n;
    char *msg = NULL;
    t->nin = in->ncols;
    t->nadd = n->ncols - in->ncols;
    t->cols = SL_NEWN(sl_vec_t, n->ncols);
    for (int k = 0; k < t->nadd; k++) t->cols[t->nin + k].type = n->cols[t->nin + k].type;
    t->arena = sl_arena_new(64 * 1024);
    if (n->tfn == SL_TFN_HOTSPOTS) {
        t->hs = sl_hotspots_new(&n->hotspots);
    } else {
        sl_rcf_config_t cfg = n->rcf;
        unsigned long long v;
        if (env_uint("SLUICE_RCF_SEED", UINT64_MAX, &v, &msg)) cfg.seed = v;
        if (!msg && env_uint("SLUICE_RCF_THREADS", SL_RCF_MAX_THREADS, &v, &msg))
            cfg.threads = v ? (int)v : 1;
        if (!msg) t->forest = sl_rcf_new(&cfg);
        t->names = SL_NEWN(char *, n->nscored ? n->nscored : 1);
        for (int k = 0; k < n->nscored; k++) {
            const char *nm = in->cols[n->scored[k]].name;
            t->names[k] = nm ? sl_strdup(nm) : sl_asprintf("EXPR$%d", n->scored[k]);
        }
    }
    if (!msg && !t->forest && !t->hs)
        msg = sl_asprintf("%d:%d: the table function's configuration is invalid", n->line, n->col);
    if (msg) {
        *err = msg;
        tablefn_close(&t->op);
        sl_free(t);
        return NULL;
    }
    tablefn_reserve(t, SL_BATCH_CAP);
    t->op.vt = &tablefn_vt;
    return &t->op;
}
