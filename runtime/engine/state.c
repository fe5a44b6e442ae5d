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
