/*
 * state.c - what a checkpoint needs to know about the engine's state: the low-water mark,
 * the oldest source ROWTIME that some operator's state still depends on (engine.h).
 *
 *     sl_engine_low_water
 *        reach[node] = extent(node) + max over its inputs of reach[input]   (memoised)
 *        for every operator holding rows: oldest(op) - max over its inputs of reach[input]
 *        minimum of those
 *
 * An operator's oldest row is in the ROWTIME of its own input, which is not always the
 * source's: a tumbling window's rows carry the window's end, a sliding window's aggregate
 * covers RANGE before the row. The "reach" of a node is how far before an output row's
 * ROWTIME the source rows it was computed from may lie; re-reading the source from
 * oldest - reach rebuilds, through the operators upstream, every row the state holds.
 *
 * Operators whose reach cannot be bounded statically (ROWS n PRECEDING, whose n rows may be
 * arbitrarily old) count 0 beyond their own state: a ROWS window feeding another stateful
 * operator may then be rebuilt with fewer rows than it had. runtime/app/README.md says so.
 */
#include "engine_int.h"

#include "alloc.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

/* How far before its output ROWTIME a node's own computation reaches into its input. */
static int64_t node_extent(const sl_pnode_t *n)
{
    int64_t x = 0;
    switch (n->kind) {
    case SL_PN_AGG:
        if (n->win == SL_WIN_STAGGER) return n->stagger_ms;
        if (n->step_ms) return n->step_ms;
        /* FLOOR(ROWTIME TO unit): the longest such period (a leap year, a 31-day month). */
        switch (n->floor_unit) {
        case SL_FN_UNIT_YEAR: return 366LL * 86400000;
        case SL_FN_UNIT_MONTH: return 31LL * 86400000;
        case SL_FN_UNIT_DAY: return 86400000;
        case SL_FN_UNIT_HOUR: return 3600000;
        case SL_FN_UNIT_MINUTE: return 60000;
        default: return 1000;
        }
    case SL_PN_WINDOW:
        for (int q = 0; q < n->naggs; q++)
            if (!n->aggs[q].rows && n->aggs[q].range > x) x = n->aggs[q].range;
        return x;
    case SL_PN_TABLEFN: return SL_TFN_TUMBLING(n->tfn) ? n->window_ms : 0;
    case SL_PN_JOIN:
        if (n->win_left > x) x = n->win_left;
        if (n->win_right > x) x = n->win_right;
        return x;
    default: return 0;
    }
}

/* The oldest row an operator holds (INT64_MAX: none), by the file that owns its kind. */
static int64_t op_oldest(const sl_operator_t *op)
{
    switch (op->node->kind) {
    case SL_PN_AGG:
    case SL_PN_WINDOW: return sl_window_state_oldest(op);
    case SL_PN_JOIN: return sl_join_state_oldest(op);
    case SL_PN_STREAM:
    case SL_PN_UNION:
    case SL_PN_SORT:
    case SL_PN_DISTINCT: return sl_ops_state_oldest(op);
    case SL_PN_TABLEFN:
        if (SL_TFN_TUMBLING(op->node->tfn)) return sl_tumblefn_state_oldest(op);
        if (op->node->tfn == SL_TFN_GROUP_RANK) return sl_grouprank_state_oldest(op);
        return INT64_MAX;
    default: return INT64_MAX;
    }
}

/* Extra state for a replay from `from`; see engine.h. */
void sl_engine_state_save(sl_engine_t *e, int64_t from, sl_buf_t *out)
{
    for (int i = 0; i < e->nops; i++)
        if (e->ops[i] && e->ops[i]->node->kind == SL_PN_AGG) sl_window_state_save(e->ops[i], from, out);
}

/* One "%state NODE HASH END" line back; see engine.h. */
bool sl_engine_state_load(sl_engine_t *e, const char *line)
{
    int node;
    unsigned long long hash;
    long long end;
    if (sscanf(line, "%%state %d %llu %lld", &node, &hash, &end) != 3) return false;
    if (node < 0 || node >= e->nops || !e->ops[node]) return false;
    sl_window_state_load(e->ops[node], (uint64_t)hash, (int64_t)end);
    return true;
}

/* The reach of node i: its own extent plus the largest reach among its inputs. Memoised in
 * reach[] (-1: not computed; -2: being computed - a cycle, which the planner does not
 * build, counts 0). Not a single pass in node order: a STREAM node is created before the
 * pumps that feed it. */
static int64_t node_reach(const sl_plan_t *p, int i, int64_t *reach)
{
    if (reach[i] >= 0) return reach[i];
    if (reach[i] == -2) return 0;
    reach[i] = -2;
    const sl_pnode_t *n = p->nodes[i];
    int64_t in = 0;
    for (int k = 0; k < n->ninputs; k++) {
        int64_t x = node_reach(p, n->inputs[k], reach);
        if (x > in) in = x;
    }
    reach[i] = in + node_extent(n);
    return reach[i];
}

/* The low-water mark; see engine.h. */
int64_t sl_engine_low_water(const sl_engine_t *e)
{
    const sl_plan_t *p = e->plan;
    int64_t *reach = SL_NEWN(int64_t, p->nnodes ? p->nnodes : 1);
    for (int i = 0; i < p->nnodes; i++) reach[i] = -1;
    int64_t lw = INT64_MAX;
    for (int i = 0; i < p->nnodes; i++) {
        if (!e->ops[i]) continue;
        int64_t oldest = op_oldest(e->ops[i]);
        if (oldest == INT64_MAX) continue;
        const sl_pnode_t *n = p->nodes[i];
        int64_t in = 0;
        for (int k = 0; k < n->ninputs; k++) {
            int64_t x = node_reach(p, n->inputs[k], reach);
            if (x > in) in = x;
        }
        int64_t need = oldest > INT64_MIN + in ? oldest - in : INT64_MIN;
        if (need < lw) lw = need;
    }
    sl_free(reach);
    return lw;
}

/* ---- models ---------------------------------------------------------------------------- */

#define MODELS_MAGIC   "SLMODELS"
#define MODELS_VERSION 1u
#define MODELS_ENDIAN  0x01020304u

/* True when op keeps a model (see engine_int.h: only RCF and HOTSPOTS TABLEFN operators
 * do). */
static bool op_has_model(const sl_operator_t *op)
{
    return op && op->node && op->node->kind == SL_PN_TABLEFN && SL_TFN_HAS_MODEL(op->node->tfn);
}

/* FNV-1a 64 of n bytes. */
static uint64_t models_fnv(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

/* Every model's image; see engine.h. */
int sl_engine_models_save(sl_engine_t *e, sl_buf_t *out)
{
    uint32_t count = 0;
    for (int i = 0; i < e->nops; i++) count += op_has_model(e->ops[i]);
    if (!count) return 0;
    size_t start = out->len;
    uint32_t ver = MODELS_VERSION, endian = MODELS_ENDIAN;
    sl_buf_append(out, MODELS_MAGIC, 8);
    sl_buf_append(out, &ver, sizeof ver);
    sl_buf_append(out, &endian, sizeof endian);
    sl_buf_append(out, &count, sizeof count);
    sl_buf_t one = SL_BUF_INIT;
    for (int i = 0; i < e->nops; i++) {
        if (!op_has_model(e->ops[i])) continue;
        int32_t id = i;
        uint64_t fp = sl_tablefn_fingerprint(e->ops[i]);
        sl_buf_reset(&one);
        sl_tablefn_snapshot(e->ops[i], &one);
        uint64_t n = one.len;
        sl_buf_append(out, &id, sizeof id);
        sl_buf_append(out, &fp, sizeof fp);
        sl_buf_append(out, &n, sizeof n);
        sl_buf_append(out, one.p, one.len);
    }
    sl_buf_free(&one);
    uint64_t sum = models_fnv(out->p + start, out->len - start);
    sl_buf_append(out, &sum, sizeof sum);
    return (int)count;
}

/* An image's checksum; see engine.h. */
uint64_t sl_engine_models_sum(const void *data, size_t len)
{
    uint64_t sum = 0;
    if (len >= 8 + 3 * sizeof(uint32_t) + sizeof sum)
        memcpy(&sum, (const char *)data + len - sizeof sum, sizeof sum);
    return sum;
}

/*
 * Restores the models of an image; see engine.h. The whole image is checked (header,
 * checksum, every entry's bounds) before any operator is touched, so that a damaged file
 * restores nothing rather than some models; each entry is then matched by node id and
 * fingerprint, and an operator left without a model is named in the log.
 */
int sl_engine_models_load(sl_engine_t *e, const void *data, size_t len, sl_buf_t *log)
{
    const unsigned char *p = data;
    size_t head = 8 + 3 * sizeof(uint32_t), tail = sizeof(uint64_t);
    uint32_t ver = 0, endian = 0, count = 0;
    if (len < head + tail || memcmp(p, MODELS_MAGIC, 8) != 0) {
        sl_buf_printf(log, "the saved models are not a model image (%zu bytes): ignored, every model starts fresh\n", len);
        return 0;
    }
    memcpy(&ver, p + 8, 4);
    memcpy(&endian, p + 12, 4);
    memcpy(&count, p + 16, 4);
    if (ver != MODELS_VERSION || endian != MODELS_ENDIAN) {
        sl_buf_printf(log, "the saved models are of another version or byte order: ignored, every model starts fresh\n");
        return 0;
    }
    if (models_fnv(p, len - tail) != sl_engine_models_sum(data, len)) {
        sl_buf_printf(log, "the saved models are corrupt or truncated (checksum): ignored, every model starts fresh\n");
        return 0;
    }
    /* Walk the entries once to check their bounds. */
    size_t at = head, end = len - tail;
    for (uint32_t k = 0; k < count; k++) {
        uint64_t n;
        if (end - at < 4 + 8 + 8) break;
        memcpy(&n, p + at + 12, 8);
        if (n > end - at - 20) break;
        at += 20 + (size_t)n;
    }
    if (at != end) {
        sl_buf_printf(log, "the saved models are corrupt (entries): ignored, every model starts fresh\n");
        return 0;
    }
    bool *done = SL_NEWN(bool, e->nops ? e->nops : 1); /* restored */
    bool *seen = SL_NEWN(bool, e->nops ? e->nops : 1); /* had an entry */
    int restored = 0;
    at = head;
    for (uint32_t k = 0; k < count; k++) {
        int32_t id;
        uint64_t fp, n;
        memcpy(&id, p + at, 4);
        memcpy(&fp, p + at + 4, 8);
        memcpy(&n, p + at + 12, 8);
        const unsigned char *body = p + at + 20;
        at += 20 + (size_t)n;
        if (id < 0 || id >= e->nops || !op_has_model(e->ops[id]) || done[id]) {
            sl_buf_printf(log, "a saved model (plan node %d) has no counterpart in the "
                               "application: ignored\n", (int)id);
            continue;
        }
        const sl_pnode_t *node = e->ops[id]->node;
        seen[id] = true;
        if (fp != sl_tablefn_fingerprint(e->ops[id])) {
            sl_buf_printf(log, "%d:%d: the saved model was learnt by another version of the "
                               "table function (its parameters or input changed): it starts "
                               "fresh\n", node->line, node->col);
            continue;
        }
        char *err = NULL;
        if (!sl_tablefn_restore(e->ops[id], body, (size_t)n, &err)) {
            sl_buf_printf(log, "%d:%d: the saved model cannot be restored (%s): it starts "
                               "fresh\n", node->line, node->col, err ? err : "invalid");
            sl_free(err);
            continue;
        }
        done[id] = true;
        restored++;
    }
    for (int i = 0; i < e->nops; i++)
        if (op_has_model(e->ops[i]) && !seen[i])
            sl_buf_printf(log, "%d:%d: no saved model for this table function: it starts fresh\n",
                          e->ops[i]->node->line, e->ops[i]->node->col);
    sl_free(done);
    sl_free(seen);
    return restored;
}
