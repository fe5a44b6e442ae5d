/*
 * rcf.c - Robust Random Cut Forest (see rcf.h for the contract, functions/README.md for
 * the algorithm and the KDA-compatibility choices).
 *
 * Layout, chosen for speed:
 *   - one point store shared by all trees: each sampled point (shingle) is stored once,
 *     as dim doubles in a flat array, and referenced by slot index with a reference count
 *     (how many tree samplers hold it);
 *   - compact trees: one array of internal nodes, each a 24-byte header (cut value, two
 *     int16 children, cut dimension, the box's range sum) followed by its cached
 *     bounding box (lo[dim], hi[dim]); masses in another array; a child index < 0 is a
 *     leaf, ~child its index in the leaf arrays (point slot, mass);
 *   - one weighted reservoir sampler per tree, a max-heap on the A-Res key
 *     log(-log u) - lambda * t (smallest keys are kept), with lambda = 1/time_decay.
 *
 * Threads: a call is split by trees. Workers only read the point store (new points are
 * stored before they start) and write their own trees plus per-tree result slots; the
 * calling thread then sums results in tree order and applies the reference counts, so
 * results do not depend on the thread count.
 */
#include "rcf.h"

#include "alloc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL INT32_MIN /* no node: the empty tree's root */

/* ---- PRNG: xoshiro256** seeded through splitmix64 (Blackman & Vigna) --------------- */

/* One PRNG stream. */
typedef struct rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static inline double rng_u01(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

/* Uniform in (0, 1): never 0, so log(u) is finite. */
static inline double rng_open01(rng_t *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1p-53;
}

static void rng_seed(rng_t *r, uint64_t *sm)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(sm);
}

/* ---- the point store ---------------------------------------------------------------- */

/* Points shared by all trees, one slot per distinct sampled shingle. Grown only by the
 * calling thread, between parallel phases. */
typedef struct pstore {
    int dim;       /* doubles per point (dims * shingle_size) */
    int32_t cap;   /* slots allocated */
    int32_t used;  /* slots ever handed out (slots >= used are untouched) */
    double *x;     /* cap * dim coordinates */
    int32_t *ref;  /* per slot: samplers holding it; -1 when the slot is free */
    int32_t *free; /* stack of free slots below used */
    int32_t nfree;
} pstore_t;

static int32_t pstore_alloc(pstore_t *ps)
{
    if (ps->nfree > 0) {
        int32_t s = ps->free[--ps->nfree];
        ps->ref[s] = 0;
        return s;
    }
    if (ps->used == ps->cap) {
        int32_t ncap = ps->cap ? ps->cap * 2 : 1024;
        ps->x = sl_realloc(ps->x, (size_t)ncap * (size_t)ps->dim * sizeof(double));
        ps->ref = sl_realloc(ps->ref, (size_t)ncap * sizeof(int32_t));
        ps->free = sl_realloc(ps->free, (size_t)ncap * sizeof(int32_t));
        ps->cap = ncap;
    }
    ps->ref[ps->used] = 0;
    return ps->used++;
}

static void pstore_release(pstore_t *ps, int32_t s)
{
    ps->ref[s] = -1;
    ps->free[ps->nfree++] = s;
}

static inline const double *pstore_pt(const pstore_t *ps, int32_t s)
{
    return ps->x + (size_t)s * (size_t)ps->dim;
}

/* ---- trees and their samplers --------------------------------------------------------- */

/* An internal node's header: what a descent reads, packed in 24 bytes because descents
 * are chains of dependent loads. In a tree's node array each header is followed by the
 * node's cached bounding box, lo[dim] then hi[dim] (see NODE), so that the walk back up
 * after a descent finds the boxes next to the headers it has just read. */
typedef struct node {
    double cval;    /* cut value, min <= cut < max of the node's box */
    int16_t kid[2]; /* children: [0] on the x[cdim] <= cval side, [1] on the > side;
                     * a node index, or ~leaf (sample_size <= 1000 fits) */
    int16_t cdim;   /* cut dimension (< 30 * 30) */
    int16_t unused;
    double rsum; /* range sum of the node's box, sum_i (hi_i - lo_i), kept with the box
                  * (scoring needs it at every ancestor) */
} node_t;

/* One random cut tree over at most cap points, with its sampler. Internal nodes and
 * leaves live in fixed arrays of cap - 1 and cap entries with free stacks. */
typedef struct tree {
    int32_t root;   /* node index, ~leaf index, or NIL */
    char *nodes;    /* [cap-1] internal nodes of `stride` bytes: header then box */
    size_t stride;  /* sizeof(node_t) + 2 * dim * sizeof(double) */
    int32_t *mass;  /* [cap-1] points below each internal node (duplicates counted) */
    int32_t *nfree; /* [cap-1] free internal nodes (stack) */
    int32_t nnfree;
    int32_t *leaf_pt;   /* [cap] point store slot of each leaf */
    int32_t *leaf_mass; /* [cap] copies of the point in the sample */
    int32_t *lfree;     /* [cap] free leaves (stack) */
    int32_t nlfree;
    rng_t rng; /* cut draws */
    /* sampler: a max-heap of (key, slot) holding the tree's sampled points */
    int32_t n;       /* points sampled (<= cap) */
    double *key;     /* [cap] keys, relative to key_base */
    int32_t *slot;   /* [cap] the point slot the tree uses for each sample */
    double key_base; /* time the keys are relative to (moved for long streams) */
    rng_t srng;      /* sampler draws */
    /* A cache that spares the two logs of a key for most rejected points: up to stream
     * time thr_until, with the heap's largest key unchanged, a draw u < thr_lo is surely
     * rejected (see tree_offer). Not saved in snapshots: it only short-cuts decisions
     * the exact computation would take. */
    bool thr_valid;
    uint64_t thr_until;
    double thr_lo;
} tree_t;

/* What one tree did with one point, for the calling thread to apply to the store. */
typedef struct tree_event {
    int32_t added;   /* slot the sampler now holds for the point, or -1 when rejected */
    int32_t evicted; /* slot whose sample was evicted, or -1 */
} tree_event_t;

/* ---- the forest ----------------------------------------------------------------------- */

/* Work handed to the pool for one call: n points (already in the store), each scored by
 * every tree (unless still in warm-up) and then offered to every tree's sampler. */
typedef struct job {
    int n;                /* points in this job */
    const int32_t *pt;    /* [n] point slots */
    const uint64_t *t;    /* [n] stream time of each point */
    const uint8_t *score; /* [n] 1: score the point before learning it */
    bool learn;           /* offer the points to the samplers (always, so far) */
    bool attr;            /* compute attributions (then n == 1) */
    double *tscore;       /* [n * trees] per-tree scores */
    double *tattr;        /* [trees * 2 * dim] per-tree high then low, when attr */
    tree_event_t *ev;     /* [n * trees] sampler outcomes, when learn */
} job_t;

/* A small pool: parts 1..nthreads-1 run on workers, part 0 on the caller. */
typedef struct pool {
    int nthreads;
    pthread_t *th;
    pthread_mutex_t mu;
    pthread_cond_t cv_go;   /* gen moved or stop set */
    pthread_cond_t cv_done; /* pending reached 0 */
    uint64_t gen;           /* incremented per dispatched job */
    int pending;            /* workers still running the current job */
    bool stop;
    struct sl_rcf *f; /* the forest whose job runs */
    job_t *job;
} pool_t;

struct sl_rcf {
    sl_rcf_config_t cfg;
    int dim;          /* dims * shingle_size */
    double lambda;    /* 1 / time_decay */
    double scale;     /* log2(sample_size) in kda_compat mode */
    uint64_t npoints; /* points (shingles) learnt */
    uint64_t nrows;   /* finite rows seen (shingle fill) */
    double *shingle;  /* [shingle_size * dims] ring of the last rows */
    int shead;        /* ring slot the next row goes to */
    pstore_t ps;
    tree_t *trees; /* [trees] */
    pool_t *pool;  /* NULL with one thread */
    /* scratch reused across calls (grown as needed) */
    int scratch_n;
    int32_t *s_pt;
    uint64_t *s_t;
    uint8_t *s_score;
    double *s_tscore;
    tree_event_t *s_ev;
    double *s_tattr; /* [trees * 2 * dim] */
    double *s_hl;    /* [2 * dim] per-shingle-position attribution sums */
    size_t *s_row;   /* [scratch_n] the input row of each point of a chunk */
};

/* ---- configuration --------------------------------------------------------------------- */

void sl_rcf_config_default(sl_rcf_config_t *cfg, int dims)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dims = dims;
    cfg->trees = 100;
    cfg->sample_size = 256;
    cfg->time_decay = 100000;
    cfg->shingle_size = 1;
    cfg->seed = 1;
    cfg->threads = 1;
    cfg->kda_compat = true;
}

const char *sl_rcf_config_check(const sl_rcf_config_t *cfg)
{
    if (cfg->dims < 1)
        return "RANDOM_CUT_FOREST needs at least one numeric column (DOUBLE, INTEGER, FLOAT, "
               "TINYINT, SMALLINT, REAL or BIGINT)";
    if (cfg->dims > SL_RCF_MAX_COLUMNS) return "RANDOM_CUT_FOREST takes at most 30 numeric columns";
    if (cfg->trees < 1 || cfg->trees > SL_RCF_MAX_TREES)
        return "numberOfTrees must be between 1 and 1000";
    if (cfg->sample_size < SL_RCF_MIN_SAMPLE || cfg->sample_size > SL_RCF_MAX_SAMPLE)
        return "subSampleSize must be between 10 and 1000";
    if (cfg->time_decay < 1 || cfg->time_decay > SL_RCF_MAX_DECAY)
        return "timeDecay must be between 1 and 2147483647";
    if (cfg->time_decay <= cfg->sample_size) return "subSampleSize must be less than timeDecay";
    if (cfg->shingle_size < 1 || cfg->shingle_size > SL_RCF_MAX_SHINGLE)
        return "shingleSize must be between 1 and 30";
    if (cfg->threads < 1 || cfg->threads > SL_RCF_MAX_THREADS)
        return "threads must be between 1 and 64";
    return NULL;
}

/* ---- tree helpers ---------------------------------------------------------------------- */

/* Internal node v of tree tr. */
#define NODE(tr, v) ((node_t *)((tr)->nodes + (size_t)(v) * (tr)->stride))

static inline double *node_lo(const sl_rcf_t *f, const tree_t *tr, int32_t v)
{
    (void)f;
    return (double *)(NODE(tr, v) + 1);
}

static inline double *node_hi(const sl_rcf_t *f, const tree_t *tr, int32_t v)
{
    return (double *)(NODE(tr, v) + 1) + f->dim;
}

/* Box of a child: an internal node's cached box, or a leaf's point (lo == hi). */
static inline void child_box(const sl_rcf_t *f, const tree_t *tr, int32_t c, const double **lo,
                             const double **hi)
{
    if (c >= 0) {
        *lo = node_lo(f, tr, c);
        *hi = node_hi(f, tr, c);
    } else {
        *lo = *hi = pstore_pt(&f->ps, tr->leaf_pt[~c]);
    }
}

static inline int32_t child_mass(const tree_t *tr, int32_t c)
{
    return c >= 0 ? tr->mass[c] : tr->leaf_mass[~c];
}

/* The range sum of node v's box, always summed in this order (restored snapshots
 * recompute it and must get the same bits). */
static inline double box_rsum(const sl_rcf_t *f, const tree_t *tr, int32_t v)
{
    const double *lo = node_lo(f, tr, v), *hi = node_hi(f, tr, v);
    double r = 0;
    for (int i = 0; i < f->dim; i++) r += hi[i] - lo[i];
    return r;
}

static inline bool pt_equal(const double *a, const double *b, int dim)
{
    for (int i = 0; i < dim; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static void tree_alloc(tree_t *tr, int cap, int dim)
{
    int ni = cap - 1;
    tr->root = NIL;
    tr->stride = sizeof(node_t) + 2 * (size_t)dim * sizeof(double);
    tr->nodes = sl_calloc((size_t)ni, tr->stride);
    tr->mass = SL_NEWN(int32_t, ni);
    tr->nfree = SL_NEWN(int32_t, ni);
    tr->leaf_pt = SL_NEWN(int32_t, cap);
    tr->leaf_mass = SL_NEWN(int32_t, cap);
    tr->lfree = SL_NEWN(int32_t, cap);
    tr->key = SL_NEWN(double, cap);
    tr->slot = SL_NEWN(int32_t, cap);
    /* Free stacks pop the lowest index first. */
    for (int i = 0; i < ni; i++) tr->nfree[i] = ni - 1 - i;
    tr->nnfree = ni;
    for (int i = 0; i < cap; i++) tr->lfree[i] = cap - 1 - i;
    tr->nlfree = cap;
}

static void tree_release(tree_t *tr)
{
    sl_free(tr->nodes);
    sl_free(tr->mass);
    sl_free(tr->nfree);
    sl_free(tr->leaf_pt);
    sl_free(tr->leaf_mass);
    sl_free(tr->lfree);
    sl_free(tr->key);
    sl_free(tr->slot);
}

/*
 * Draws a random cut of the box lo/hi grown to contain x: a dimension with probability
 * proportional to its range, then a value uniform in [min, max) of that range. The box
 * grown by x must have a positive range somewhere (x differs from a point of the box or
 * lies outside it).
 */
static void draw_cut(rng_t *r, const double *lo, const double *hi, const double *x, int dim,
                     int32_t *cd, double *cv)
{
    double sum = 0;
    for (int i = 0; i < dim; i++) {
        double a = lo[i] < x[i] ? lo[i] : x[i];
        double b = hi[i] > x[i] ? hi[i] : x[i];
        sum += b - a;
    }
    double rem = rng_u01(r) * sum;
    int last = -1;
    for (int i = 0; i < dim; i++) {
        double a = lo[i] < x[i] ? lo[i] : x[i];
        double b = hi[i] > x[i] ? hi[i] : x[i];
        double range = b - a;
        if (range <= 0) continue;
        last = i;
        if (rem < range) {
            double c = a + rem;
            if (c >= b) c = nextafter(b, a);
            *cd = i;
            *cv = c;
            return;
        }
        rem -= range;
    }
    /* Rounding left rem >= the total: cut just below the top of the last non-flat
     * dimension (still within [min, max)). */
    double a = lo[last] < x[last] ? lo[last] : x[last];
    double b = hi[last] > x[last] ? hi[last] : x[last];
    *cd = last;
    *cv = nextafter(b, a);
}

/* Links child c where the node at path position k-1 pointed to `old` (or the root). */
static inline void relink(tree_t *tr, const int32_t *path, int k, int32_t old, int32_t c)
{
    if (k == 0) {
        tr->root = c;
    } else {
        int32_t p = path[k - 1];
        if (NODE(tr, p)->kid[0] == old)
            NODE(tr, p)->kid[0] = (int16_t)c;
        else
            NODE(tr, p)->kid[1] = (int16_t)c;
    }
}

/*
 * Inserts the point in store slot `slot` (top-down, Guha et al. §3): at each node a cut
 * is drawn on the node's box grown by the point; if it separates the point from the box,
 * a new node with that cut takes the node's place, else the box grows and the point goes
 * down. A point equal to a leaf's adds to its mass. Returns the slot the tree now uses
 * for the point: `slot`, or the existing leaf's slot for a duplicate.
 */
static int32_t tree_insert(const sl_rcf_t *f, tree_t *tr, int32_t slot)
{
    int dim = f->dim;
    const double *x = pstore_pt(&f->ps, slot);
    if (tr->root == NIL) {
        int32_t l = tr->lfree[--tr->nlfree];
        tr->leaf_pt[l] = slot;
        tr->leaf_mass[l] = 1;
        tr->root = ~l;
        return slot;
    }
    int32_t parent = NIL;
    int32_t c = tr->root;
    for (;;) {
        const double *lo, *hi;
        child_box(f, tr, c, &lo, &hi);
        if (c < 0 && pt_equal(lo, x, dim)) {
            tr->leaf_mass[~c]++;
            return tr->leaf_pt[~c];
        }
        bool outside = false;
        if (c < 0) {
            outside = true;
        } else {
            for (int i = 0; i < dim; i++)
                if (x[i] < lo[i] || x[i] > hi[i]) {
                    outside = true;
                    break;
                }
        }
        if (outside) {
            int32_t cd;
            double cv;
            draw_cut(&tr->rng, lo, hi, x, dim, &cd, &cv);
            bool x_left = x[cd] <= cv;
            bool separates = x_left ? cv < lo[cd] : hi[cd] <= cv;
            if (separates) {
                int32_t l = tr->lfree[--tr->nlfree];
                tr->leaf_pt[l] = slot;
                tr->leaf_mass[l] = 1;
                int32_t v = tr->nfree[--tr->nnfree];
                NODE(tr, v)->cdim = (int16_t)cd;
                NODE(tr, v)->cval = cv;
                tr->mass[v] = child_mass(tr, c) + 1;
                NODE(tr, v)->kid[0] = (int16_t)(x_left ? ~l : c);
                NODE(tr, v)->kid[1] = (int16_t)(x_left ? c : ~l);
                double *vlo = node_lo(f, tr, v), *vhi = node_hi(f, tr, v);
                for (int i = 0; i < dim; i++) {
                    vlo[i] = lo[i] < x[i] ? lo[i] : x[i];
                    vhi[i] = hi[i] > x[i] ? hi[i] : x[i];
                }
                NODE(tr, v)->rsum = box_rsum(f, tr, v);
                if (parent == NIL)
                    tr->root = v;
                else if (NODE(tr, parent)->kid[0] == c)
                    NODE(tr, parent)->kid[0] = (int16_t)v;
                else
                    NODE(tr, parent)->kid[1] = (int16_t)v;
                return slot;
            }
            /* Not separated (c is internal here: a leaf's cut always separates). */
            double *glo = node_lo(f, tr, c), *ghi = node_hi(f, tr, c);
            for (int i = 0; i < dim; i++) {
                if (x[i] < glo[i]) glo[i] = x[i];
                if (x[i] > ghi[i]) ghi[i] = x[i];
            }
            NODE(tr, c)->rsum = box_rsum(f, tr, c);
        }
        tr->mass[c]++;
        parent = c;
        c = NODE(tr, c)->kid[x[NODE(tr, c)->cdim] > NODE(tr, c)->cval];
    }
}

/* Recomputes node v's box from its children; returns true when it changed. */
static bool refit_box(const sl_rcf_t *f, tree_t *tr, int32_t v)
{
    int dim = f->dim;
    const double *alo, *ahi, *blo, *bhi;
    child_box(f, tr, NODE(tr, v)->kid[0], &alo, &ahi);
    child_box(f, tr, NODE(tr, v)->kid[1], &blo, &bhi);
    double *lo = node_lo(f, tr, v), *hi = node_hi(f, tr, v);
    bool changed = false;
    for (int i = 0; i < dim; i++) {
        double a = alo[i] < blo[i] ? alo[i] : blo[i];
        double b = ahi[i] > bhi[i] ? ahi[i] : bhi[i];
        if (a != lo[i] || b != hi[i]) changed = true;
        lo[i] = a;
        hi[i] = b;
    }
    if (changed) NODE(tr, v)->rsum = box_rsum(f, tr, v);
    return changed;
}

/*
 * Deletes one copy of the point x (which the tree holds): a leaf with mass > 1 loses one;
 * otherwise the leaf goes, its sibling takes its parent's place, and the boxes above are
 * refitted up to the first that does not change. path: scratch of sample_size entries.
 */
static void tree_delete(const sl_rcf_t *f, tree_t *tr, const double *x, int32_t *path)
{
    int depth = 0;
    int32_t c = tr->root;
    while (c >= 0) {
        path[depth++] = c;
        c = NODE(tr, c)->kid[x[NODE(tr, c)->cdim] > NODE(tr, c)->cval];
    }
    int32_t l = ~c;
    if (tr->leaf_mass[l] > 1) {
        tr->leaf_mass[l]--;
        for (int k = 0; k < depth; k++) tr->mass[path[k]]--;
        return;
    }
    tr->lfree[tr->nlfree++] = l;
    if (depth == 0) {
        tr->root = NIL;
        return;
    }
    int32_t p = path[depth - 1];
    int32_t sib = NODE(tr, p)->kid[0] == c ? NODE(tr, p)->kid[1] : NODE(tr, p)->kid[0];
    relink(tr, path, depth - 1, p, sib);
    tr->nfree[tr->nnfree++] = p;
    for (int k = 0; k < depth - 1; k++) tr->mass[path[k]]--;
    for (int k = depth - 2; k >= 0; k--)
        if (!refit_box(f, tr, path[k])) break;
}

/*
 * How far q lies outside the box lo/hi, summed over the dimensions (0 when inside). Four
 * partial sums (a fixed order, so results stay deterministic) keep the additions
 * independent: with shingles this loop is the hot spot of scoring.
 */
static inline double box_gap(const double *lo, const double *hi, const double *q, int dim)
{
    if (dim < 4) { /* one to three columns: the reduction below would only cost */
        double g = 0;
        for (int i = 0; i < dim; i++) {
            double a = lo[i] - q[i], b = q[i] - hi[i];
            g += (a > 0 ? a : 0) + (b > 0 ? b : 0);
        }
        return g;
    }
    double g[4] = {0, 0, 0, 0};
    int i = 0;
    for (; i + 4 <= dim; i += 4)
        for (int k = 0; k < 4; k++) {
            double a = lo[i + k] - q[i + k], b = q[i + k] - hi[i + k];
            g[k] += (a > 0 ? a : 0) + (b > 0 ? b : 0);
        }
    for (; i < dim; i++) {
        double a = lo[i] - q[i], b = q[i] - hi[i];
        g[0] += (a > 0 ? a : 0) + (b > 0 ? b : 0);
    }
    return (g[0] + g[1]) + (g[2] + g[3]);
}

/*
 * The per-tree score of query q, given its path (tree_descend) (KDA's / the AWS library's score
 * visitor): follow q's path to a leaf at depth D. A leaf equal to q scores 1/(D + log2 m) (m its
 * mass; KDA: no damping; 1/(M+1) when the whole tree is that one leaf). Otherwise the leaf scores
 * 1/(D+1) and each ancestor at depth k mixes in 1/(k+1) with the probability p that a
 * random cut of its box grown by q separates q: s = p/(k+1) + (1-p) s, stopping at the
 * first box that contains q. Scaled by log2(sample_size) (KDA) or log2(M+1).
 *
 * With hl != NULL (2 * dim doubles: high then low) the same recursion is split by
 * dimension and side (the attribution); sum(hl) == the returned score.
 */
static double tree_score_path(const sl_rcf_t *f, const tree_t *tr, const double *q, double *hl,
                              const int32_t *path, int depth, int32_t c)
{
    int dim = f->dim;
    if (tr->root == NIL) {
        if (hl) memset(hl, 0, 2 * (size_t)dim * sizeof(double));
        return 0;
    }
    int32_t l = ~c;
    const double *lp = pstore_pt(&f->ps, tr->leaf_pt[l]);
    int32_t total = depth ? tr->mass[path[0]] : tr->leaf_mass[l];
    double scale = f->cfg.kda_compat ? f->scale : log2((double)total + 1.0);
    double s;
    if (pt_equal(lp, q, dim)) {
        double m = tr->leaf_mass[l];
        if (f->cfg.kda_compat)
            s = depth == 0 ? 1.0 / ((double)total + 1.0) : 1.0 / (depth + log2(m));
        else
            s = (1.0 - m / (2.0 * total)) / (depth + log2(m + 1.0));
        if (hl)
            for (int i = 0; i < 2 * dim; i++) hl[i] = s / (2.0 * dim);
        if (hl)
            for (int i = 0; i < 2 * dim; i++) hl[i] *= scale;
        return s * scale;
    }
    s = 1.0 / (depth + 1.0);
    if (hl) {
        double *hi = hl, *lo = hl + dim;
        double sum = 0;
        for (int i = 0; i < dim; i++) sum += fabs(q[i] - lp[i]);
        for (int i = 0; i < dim; i++) {
            hi[i] = q[i] > lp[i] ? s * (q[i] - lp[i]) / sum : 0;
            lo[i] = q[i] < lp[i] ? s * (lp[i] - q[i]) / sum : 0;
        }
    }
    for (int k = depth - 1; k >= 0; k--) {
        int32_t v = path[k];
        const double *blo = node_lo(f, tr, v), *bhi = node_hi(f, tr, v);
        double gap = box_gap(blo, bhi, q, dim);
        if (gap == 0) break;
        double range = NODE(tr, v)->rsum + gap;
        double p = gap / range;
        double w = 1.0 / (k + 1.0);
        s = p * w + (1.0 - p) * s;
        if (hl) {
            double *hi = hl, *lo = hl + dim;
            for (int i = 0; i < dim; i++) {
                double gh = q[i] > bhi[i] ? q[i] - bhi[i] : 0;
                double gl = q[i] < blo[i] ? blo[i] - q[i] : 0;
                hi[i] = gh / range * w + (1.0 - p) * hi[i];
                lo[i] = gl / range * w + (1.0 - p) * lo[i];
            }
        }
    }
    if (hl)
        for (int i = 0; i < 2 * dim; i++) hl[i] *= scale;
    return s * scale;
}

/* q's path from the root: path[0..depth-1] the internal nodes, returns the leaf (~index)
 * or NIL for the empty tree. */
static inline int32_t tree_descend(const tree_t *tr, const double *q, int32_t *path, int *depth)
{
    int d = 0;
    int32_t c = tr->root;
    while (c >= 0) {
        const node_t *nd = NODE(tr, c);
        path[d++] = c;
        c = q[nd->cdim] <= nd->cval ? nd->kid[0] : nd->kid[1];
    }
    *depth = d;
    return c;
}

static double tree_score(const sl_rcf_t *f, const tree_t *tr, const double *q, double *hl,
                         int32_t *path)
{
    int depth;
    int32_t c = tree_descend(tr, q, path, &depth);
    return tree_score_path(f, tr, q, hl, path, depth, c);
}

/* Sampler heap: restores the max-heap order after position i grew / shrank. */
static void heap_down(tree_t *tr, int32_t i)
{
    for (;;) {
        int32_t a = 2 * i + 1, b = a + 1, m = i;
        if (a < tr->n && tr->key[a] > tr->key[m]) m = a;
        if (b < tr->n && tr->key[b] > tr->key[m]) m = b;
        if (m == i) return;
        double k = tr->key[i];
        int32_t s = tr->slot[i];
        tr->key[i] = tr->key[m];
        tr->slot[i] = tr->slot[m];
        tr->key[m] = k;
        tr->slot[m] = s;
        i = m;
    }
}

static void heap_up(tree_t *tr, int32_t i)
{
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (tr->key[p] >= tr->key[i]) return;
        double k = tr->key[i];
        int32_t s = tr->slot[i];
        tr->key[i] = tr->key[p];
        tr->slot[i] = tr->slot[p];
        tr->key[p] = k;
        tr->slot[p] = s;
        i = p;
    }
}

/* Stream times a tree's acceptance bounds are computed for at once. */
#define THR_SPAN 4096

/*
 * Offers the point in `slot` (stream time t) to the tree's sampler: key log(-log u) -
 * lambda (t - key_base); accepted while the sample is not full, else only with a key
 * below the largest, which is evicted (deleted from the tree first, as the AWS library
 * does), then the point is inserted. Fills *ev for the store's reference counts.
 */
static void tree_offer(const sl_rcf_t *f, tree_t *tr, int32_t slot, uint64_t t, tree_event_t *ev,
                       int32_t *path)
{
    int cap = f->cfg.sample_size;
    ev->added = ev->evicted = -1;
    /* Keep keys small for long streams: rebase when lambda * (t - base) passes 64. */
    double age = f->lambda * ((double)t - tr->key_base);
    if (age > 64) {
        for (int32_t i = 0; i < tr->n; i++) tr->key[i] += age;
        tr->key_base = (double)t;
        tr->thr_valid = false;
        age = 0;
    }
    double u = rng_open01(&tr->srng);
    if (tr->n == cap) {
        /* Exactly: accept iff log(-log u) - age < K (K the largest key), i.e. iff
         * u > exp(-exp(K + age)), a bound that only falls as t grows: its value THR_SPAN
         * points ahead (less a margin far above rounding) rejects most draws at once;
         * the others have their key computed. */
        if (!tr->thr_valid || t > tr->thr_until) {
            tr->thr_until = t + THR_SPAN;
            tr->thr_lo =
                exp(-exp(tr->key[0] + f->lambda * ((double)tr->thr_until - tr->key_base))) *
                (1 - 1e-9);
            tr->thr_valid = true;
        }
        if (u < tr->thr_lo) return;
    }
    double key = log(-log(u)) - age;
    if (tr->n == cap) {
        if (!(key < tr->key[0])) return;
        tr->thr_valid = false;
        ev->evicted = tr->slot[0];
        tree_delete(f, tr, pstore_pt(&f->ps, tr->slot[0]), path);
        tr->n--;
        tr->key[0] = tr->key[tr->n];
        tr->slot[0] = tr->slot[tr->n];
        heap_down(tr, 0);
    }
    int32_t used = tree_insert(f, tr, slot);
    tr->key[tr->n] = key;
    tr->slot[tr->n] = used;
    heap_up(tr, tr->n++);
    ev->added = used;
}

/* ---- running a job over a range of trees ------------------------------------------------ */

/* Four descents in lockstep (see job_run): c[k], depth[k], path[k] as tree_descend's. */
static inline void descend4(const tree_t *tr, const double *x, int32_t (*path)[SL_RCF_MAX_SAMPLE],
                            int32_t *c, int *depth)
{
    int32_t c0 = tr[0].root, c1 = tr[1].root, c2 = tr[2].root, c3 = tr[3].root;
    int d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    const tree_t *t0 = &tr[0], *t1 = &tr[1], *t2 = &tr[2], *t3 = &tr[3];
    /* All four done when all are negative (leaves or NIL): their AND is negative. */
    while ((c0 & c1 & c2 & c3) >= 0) {
        if (c0 >= 0) {
            path[0][d0++] = c0;
            const node_t *m0 = NODE(t0, c0);
            c0 = m0->kid[x[m0->cdim] > m0->cval];
        }
        if (c1 >= 0) {
            path[1][d1++] = c1;
            const node_t *m1 = NODE(t1, c1);
            c1 = m1->kid[x[m1->cdim] > m1->cval];
        }
        if (c2 >= 0) {
            path[2][d2++] = c2;
            const node_t *m2 = NODE(t2, c2);
            c2 = m2->kid[x[m2->cdim] > m2->cval];
        }
        if (c3 >= 0) {
            path[3][d3++] = c3;
            const node_t *m3 = NODE(t3, c3);
            c3 = m3->kid[x[m3->cdim] > m3->cval];
        }
    }
    c[0] = c0, c[1] = c1, c[2] = c2, c[3] = c3;
    depth[0] = d0, depth[1] = d1, depth[2] = d2, depth[3] = d3;
}

static void job_run(sl_rcf_t *f, job_t *jb, int part, int nparts)
{
    int T = f->cfg.trees;
    int lo = (int)((int64_t)T * part / nparts), hi = (int)((int64_t)T * (part + 1) / nparts);
    /* Trees go GROUP at a time, each point through the whole group: the group's
     * descents run in lockstep so that their dependent loads overlap, and the group's
     * nodes stay in cache across the job's points. */
    enum { GROUP = 4 };
    static _Thread_local int32_t path[GROUP][SL_RCF_MAX_SAMPLE];
    for (int g = lo; g < hi; g += GROUP) {
        int ng = hi - g < GROUP ? hi - g : GROUP;
        for (int j = 0; j < jb->n; j++) {
            const double *x = pstore_pt(&f->ps, jb->pt[j]);
            if (jb->score[j]) {
                int32_t c[GROUP];
                int depth[GROUP];
                if (ng == GROUP) {
                    descend4(f->trees + g, x, path, c, depth);
                } else {
                    for (int k = 0; k < ng; k++)
                        c[k] = tree_descend(&f->trees[g + k], x, path[k], &depth[k]);
                }
                for (int k = 0; k < ng; k++) {
                    int i = g + k;
                    double *hl = jb->attr ? jb->tattr + (size_t)i * 2 * (size_t)f->dim : NULL;
                    jb->tscore[(size_t)j * (size_t)T + (size_t)i] =
                        tree_score_path(f, &f->trees[i], x, hl, path[k], depth[k], c[k]);
                }
            }
            if (jb->learn)
                for (int k = 0; k < ng; k++)
                    tree_offer(f, &f->trees[g + k], jb->pt[j], jb->t[j],
                               &jb->ev[(size_t)j * (size_t)T + (size_t)(g + k)], path[0]);
        }
    }
}

static void *pool_main(void *arg);

/* The worker's view: which part it runs. */
typedef struct pool_arg {
    pool_t *pool;
    int part;
} pool_arg_t;

static void *pool_main(void *arg)
{
    pool_arg_t *pa = arg;
    pool_t *p = pa->pool;
    int part = pa->part;
    sl_free(pa);
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->gen == seen) pthread_cond_wait(&p->cv_go, &p->mu);
        if (p->stop) break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        job_run(p->f, p->job, part, p->nthreads);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) pthread_cond_signal(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static pool_t *pool_new(sl_rcf_t *f, int nthreads)
{
    pool_t *p = SL_NEW(pool_t);
    p->nthreads = nthreads;
    p->f = f;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_go, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    p->th = SL_NEWN(pthread_t, nthreads);
    for (int i = 1; i < nthreads; i++) {
        pool_arg_t *pa = SL_NEW(pool_arg_t);
        pa->pool = p;
        pa->part = i;
        if (pthread_create(&p->th[i], NULL, pool_main, pa) != 0) {
            fprintf(stderr, "sluice: rcf: cannot start a thread\n");
            abort();
        }
    }
    return p;
}

static void pool_free(pool_t *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv_go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->nthreads; i++) pthread_join(p->th[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv_go);
    pthread_cond_destroy(&p->cv_done);
    sl_free(p->th);
    sl_free(p);
}

/* Work (points x trees x (dimensions + 8), about 10 ns a unit) below which a job does not
 * wake the pool. */
#define DISPATCH_MIN_WORK 8000.0

/* Runs jb over all trees, split across the pool when there is one and the job is big. */
static void job_dispatch(sl_rcf_t *f, job_t *jb)
{
    pool_t *p = f->pool;
    /* Waking the pool costs tens of microseconds: small jobs (one row of few dimensions
     * takes ~10 us) run on the caller alone. The result is the same either way. */
    double work = (double)jb->n * f->cfg.trees * (f->dim + 8);
    if (!p || work < DISPATCH_MIN_WORK) {
        job_run(f, jb, 0, 1);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->job = jb;
    p->pending = p->nthreads - 1;
    p->gen++;
    pthread_cond_broadcast(&p->cv_go);
    pthread_mutex_unlock(&p->mu);
    job_run(f, jb, 0, p->nthreads);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0) pthread_cond_wait(&p->cv_done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* ---- construction -------------------------------------------------------------------------- */

/* Allocates everything but the trees' and samplers' contents. */
static sl_rcf_t *forest_alloc(const sl_rcf_config_t *cfg)
{
    sl_rcf_t *f = SL_NEW(sl_rcf_t);
    f->cfg = *cfg;
    f->dim = cfg->dims * cfg->shingle_size;
    f->lambda = 1.0 / (double)cfg->time_decay;
    f->scale = log2((double)cfg->sample_size);
    f->shingle = SL_NEWN(double, (size_t)cfg->dims *(size_t)cfg->shingle_size);
    f->ps.dim = f->dim;
    f->trees = SL_NEWN(tree_t, cfg->trees);
    for (int i = 0; i < cfg->trees; i++) tree_alloc(&f->trees[i], cfg->sample_size, f->dim);
    f->s_tattr = SL_NEWN(double, (size_t)cfg->trees * 2 * (size_t)f->dim);
    f->s_hl = SL_NEWN(double, 2 * (size_t)f->dim);
    if (cfg->threads > 1) f->pool = pool_new(f, cfg->threads);
    return f;
}

sl_rcf_t *sl_rcf_new(const sl_rcf_config_t *cfg)
{
    if (sl_rcf_config_check(cfg)) return NULL;
    sl_rcf_t *f = forest_alloc(cfg);
    uint64_t sm = cfg->seed;
    for (int i = 0; i < cfg->trees; i++) {
        rng_seed(&f->trees[i].rng, &sm);
        rng_seed(&f->trees[i].srng, &sm);
    }
    return f;
}

void sl_rcf_free(sl_rcf_t *f)
{
    if (!f) return;
    pool_free(f->pool);
    for (int i = 0; i < f->cfg.trees; i++) tree_release(&f->trees[i]);
    sl_free(f->trees);
    sl_free(f->shingle);
    sl_free(f->ps.x);
    sl_free(f->ps.ref);
    sl_free(f->ps.free);
    sl_free(f->s_pt);
    sl_free(f->s_t);
    sl_free(f->s_score);
    sl_free(f->s_tscore);
    sl_free(f->s_ev);
    sl_free(f->s_tattr);
    sl_free(f->s_hl);
    sl_free(f->s_row);
    sl_free(f);
}

const sl_rcf_config_t *sl_rcf_config(const sl_rcf_t *f)
{
    return &f->cfg;
}

uint64_t sl_rcf_points(const sl_rcf_t *f)
{
    return f->npoints;
}

/* ---- scoring and learning -------------------------------------------------------------------- */

static bool row_finite(const double *row, int dims)
{
    for (int i = 0; i < dims; i++)
        if (!isfinite(row[i])) return false;
    return true;
}

/* Writes the shingle that row would complete (oldest row first) into q, without
 * changing the forest. Returns false when the rows seen so far are too few. */
static bool shingle_peek(const sl_rcf_t *f, const double *row, double *q)
{
    int d = f->cfg.dims, s = f->cfg.shingle_size;
    if (f->nrows + 1 < (uint64_t)s) return false;
    /* The ring's oldest row is at shead; skip it, the row takes the last position. */
    for (int k = 1; k < s; k++) {
        int r = (f->shead + k) % s;
        memcpy(q + (size_t)(k - 1) * d, f->shingle + (size_t)r * d, (size_t)d * sizeof(double));
    }
    memcpy(q + (size_t)(s - 1) * d, row, (size_t)d * sizeof(double));
    return true;
}

/* Pushes row into the shingle ring. */
static void shingle_push(sl_rcf_t *f, const double *row)
{
    int d = f->cfg.dims, s = f->cfg.shingle_size;
    memcpy(f->shingle + (size_t)f->shead * d, row, (size_t)d * sizeof(double));
    f->shead = (f->shead + 1) % s;
    f->nrows++;
}

/* Folds per-dimension attributions (2 * dim: high then low) into per-column ones. */
static void fold_attr(const sl_rcf_t *f, const double *hl, double *high, double *low)
{
    int d = f->cfg.dims, s = f->cfg.shingle_size;
    for (int c = 0; c < d; c++) {
        double h = 0, l = 0;
        for (int k = 0; k < s; k++) {
            h += hl[k * d + c];
            l += hl[f->dim + k * d + c];
        }
        if (high) high[c] = h;
        if (low) low[c] = l;
    }
}

static void scratch_reserve(sl_rcf_t *f, int n)
{
    if (n <= f->scratch_n) return;
    size_t T = (size_t)f->cfg.trees;
    f->s_pt = sl_realloc(f->s_pt, (size_t)n * sizeof(int32_t));
    f->s_t = sl_realloc(f->s_t, (size_t)n * sizeof(uint64_t));
    f->s_score = sl_realloc(f->s_score, (size_t)n);
    f->s_tscore = sl_realloc(f->s_tscore, (size_t)n * T * sizeof(double));
    f->s_ev = sl_realloc(f->s_ev, (size_t)n * T * sizeof(tree_event_t));
    f->s_row = sl_realloc(f->s_row, (size_t)n * sizeof(size_t));
    f->scratch_n = n;
}

/* Rows per job without attributions: amortizes the pool's hand-off. */
#define RCF_CHUNK 256

/*
 * The one path of every learning call: rows (n x dims) are shingled and stored, scored
 * by all trees, offered to all samplers, and the store's reference counts are updated,
 * a chunk of rows at a time (one row at a time with attributions, whose per-tree scratch
 * is trees x 2 x dim doubles).
 */
static void run_rows(sl_rcf_t *f, const double *rows, size_t n, double *scores, double *high,
                     double *low)
{
    int d = f->cfg.dims, s = f->cfg.shingle_size, T = f->cfg.trees;
    bool attr = high || low;
    size_t i = 0;
    while (i < n) {
        size_t chunk = attr ? 1 : (n - i < RCF_CHUNK ? n - i : RCF_CHUNK);
        scratch_reserve(f, (int)chunk);
        int np = 0;
        for (size_t r = i; r < i + chunk; r++) {
            const double *row = rows + r * (size_t)d;
            scores[r] = 0;
            if (high) memset(high + r * (size_t)d, 0, (size_t)d * sizeof(double));
            if (low) memset(low + r * (size_t)d, 0, (size_t)d * sizeof(double));
            if (!row_finite(row, d)) continue;
            shingle_push(f, row);
            if (f->nrows < (uint64_t)s) continue;
            int32_t slot = pstore_alloc(&f->ps);
            double *x = f->ps.x + (size_t)slot * (size_t)f->dim;
            for (int k = 0; k < s; k++) /* oldest row first: it sits at shead */
                memcpy(x + (size_t)k * d, f->shingle + (size_t)((f->shead + k) % s) * d,
                       (size_t)d * sizeof(double));
            f->s_pt[np] = slot;
            f->s_t[np] = f->npoints;
            f->s_score[np] = f->npoints >= (uint64_t)f->cfg.sample_size;
            f->s_row[np] = r;
            np++;
            f->npoints++;
        }
        if (np > 0) {
            job_t jb = {np,   f->s_pt,     f->s_t,     f->s_score, true,
                        attr, f->s_tscore, f->s_tattr, f->s_ev};
            job_dispatch(f, &jb);
            for (int j = 0; j < np; j++) {
                if (!f->s_score[j]) continue;
                const double *ts = f->s_tscore + (size_t)j * (size_t)T;
                double sum = 0;
                for (int t = 0; t < T; t++) sum += ts[t];
                size_t r = f->s_row[j];
                scores[r] = sum / T;
                if (attr) {
                    double *hl = f->s_hl;
                    memset(hl, 0, 2 * (size_t)f->dim * sizeof(double));
                    for (int t = 0; t < T; t++) {
                        const double *th = f->s_tattr + (size_t)t * 2 * (size_t)f->dim;
                        for (int k = 0; k < 2 * f->dim; k++) hl[k] += th[k];
                    }
                    for (int k = 0; k < 2 * f->dim; k++) hl[k] /= T;
                    fold_attr(f, hl, high ? high + r * (size_t)d : NULL,
                              low ? low + r * (size_t)d : NULL);
                }
            }
            /* Reference counts: all gains, then all losses, then free what nobody holds. */
            size_t nev = (size_t)np * (size_t)T;
            for (size_t e = 0; e < nev; e++)
                if (f->s_ev[e].added >= 0) f->ps.ref[f->s_ev[e].added]++;
            for (size_t e = 0; e < nev; e++)
                if (f->s_ev[e].evicted >= 0) f->ps.ref[f->s_ev[e].evicted]--;
            for (size_t e = 0; e < nev; e++) {
                int32_t ev = f->s_ev[e].evicted;
                if (ev >= 0 && f->ps.ref[ev] == 0) pstore_release(&f->ps, ev);
            }
            for (int j = 0; j < np; j++)
                if (f->ps.ref[f->s_pt[j]] == 0) pstore_release(&f->ps, f->s_pt[j]);
        }
        i += chunk;
    }
}

double sl_rcf_score_update(sl_rcf_t *f, const double *row)
{
    double s;
    run_rows(f, row, 1, &s, NULL, NULL);
    return s;
}

double sl_rcf_score_update_explain(sl_rcf_t *f, const double *row, double *high, double *low)
{
    double s;
    run_rows(f, row, 1, &s, high, low);
    return s;
}

void sl_rcf_score_update_batch(sl_rcf_t *f, const double *rows, size_t n, double *scores,
                               double *high, double *low)
{
    run_rows(f, rows, n, scores, high, low);
}

double sl_rcf_explain(const sl_rcf_t *f, const double *row, double *high, double *low)
{
    int d = f->cfg.dims, T = f->cfg.trees;
    if (high) memset(high, 0, (size_t)d * sizeof(double));
    if (low) memset(low, 0, (size_t)d * sizeof(double));
    if (!row_finite(row, d) || f->npoints < (uint64_t)f->cfg.sample_size) return 0;
    double *q = sl_malloc((size_t)f->dim * 3 * sizeof(double));
    double *hl = q + f->dim, *acc = NULL;
    if (!shingle_peek(f, row, q)) {
        sl_free(q);
        return 0;
    }
    bool attr = high || low;
    if (attr) acc = SL_NEWN(double, 2 * (size_t)f->dim);
    int32_t path[SL_RCF_MAX_SAMPLE];
    double sum = 0;
    for (int t = 0; t < T; t++) {
        sum += tree_score(f, &f->trees[t], q, attr ? hl : NULL, path);
        if (attr)
            for (int k = 0; k < 2 * f->dim; k++) acc[k] += hl[k];
    }
    if (attr) {
        for (int k = 0; k < 2 * f->dim; k++) acc[k] /= T;
        fold_attr(f, acc, high, low);
        sl_free(acc);
    }
    sl_free(q);
    return sum / T;
}

double sl_rcf_score(const sl_rcf_t *f, const double *row)
{
    return sl_rcf_explain(f, row, NULL, NULL);
}

long sl_rcf_sample_count(const sl_rcf_t *f, const double *point)
{
    int32_t path[SL_RCF_MAX_SAMPLE];
    long n = 0;
    for (int t = 0; t < f->cfg.trees; t++) {
        const tree_t *tr = &f->trees[t];
        int depth;
        int32_t c = tree_descend(tr, point, path, &depth);
        if (c != NIL && pt_equal(pstore_pt(&f->ps, tr->leaf_pt[~c]), point, f->dim))
            n += tr->leaf_mass[~c];
    }
    return n;
}

/* ---- snapshots ---------------------------------------------------------------------------- */

#define SNAP_MAGIC   "SLRCF\x00\x00\x01"
#define SNAP_VERSION 3u
#define SNAP_ENDIAN  0x01020304u

#define PUT(b, v)     sl_buf_append((b), &(v), sizeof(v))
#define PUTN(b, p, n) sl_buf_append((b), (p), (size_t)(n) * sizeof(*(p)))

void sl_rcf_snapshot(const sl_rcf_t *f, sl_buf_t *out)
{
    const sl_rcf_config_t *c = &f->cfg;
    uint32_t ver = SNAP_VERSION, endian = SNAP_ENDIAN;
    uint8_t kda = c->kda_compat;
    sl_buf_append(out, SNAP_MAGIC, 8);
    PUT(out, ver);
    PUT(out, endian);
    PUT(out, c->dims);
    PUT(out, c->trees);
    PUT(out, c->sample_size);
    PUT(out, c->time_decay);
    PUT(out, c->shingle_size);
    PUT(out, c->seed);
    PUT(out, c->threads);
    PUT(out, kda);
    PUT(out, f->npoints);
    PUT(out, f->nrows);
    PUT(out, f->shead);
    PUTN(out, f->shingle, c->dims * c->shingle_size);
    PUT(out, f->ps.used);
    PUT(out, f->ps.nfree);
    PUTN(out, f->ps.x, (size_t)f->ps.used * (size_t)f->dim);
    PUTN(out, f->ps.ref, f->ps.used);
    PUTN(out, f->ps.free, f->ps.nfree);
    int S = c->sample_size;
    for (int i = 0; i < c->trees; i++) {
        const tree_t *tr = &f->trees[i];
        PUT(out, tr->root);
        PUT(out, tr->nnfree);
        PUT(out, tr->nlfree);
        PUT(out, tr->n);
        PUT(out, tr->key_base);
        PUT(out, tr->rng);
        PUT(out, tr->srng);
        sl_buf_append(out, tr->nodes, (size_t)(S - 1) * tr->stride);
        PUTN(out, tr->mass, S - 1);
        PUTN(out, tr->nfree, S - 1);
        PUTN(out, tr->leaf_pt, S);
        PUTN(out, tr->leaf_mass, S);
        PUTN(out, tr->lfree, S);
        PUTN(out, tr->key, S);
        PUTN(out, tr->slot, S);
    }
}

/* A bounds-checked reader over snapshot bytes; `bad` sticks once set. */
typedef struct reader {
    const uint8_t *p;
    size_t left;
    bool bad;
} reader_t;

static void rd(reader_t *r, void *dst, size_t n)
{
    if (r->bad || n > r->left) {
        r->bad = true;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p, n);
    r->p += n;
    r->left -= n;
}

#define GET(r, v)     rd((r), &(v), sizeof(v))
#define GETN(r, p, n) rd((r), (p), (size_t)(n) * sizeof(*(p)))

sl_rcf_t *sl_rcf_restore(const void *data, size_t len, int threads, const char **err)
{
    reader_t r = {data, len, false};
    char magic[8];
    uint32_t ver, endian;
    uint8_t kda;
    sl_rcf_config_t c;
    memset(&c, 0, sizeof c);
    rd(&r, magic, 8);
    GET(&r, ver);
    GET(&r, endian);
    if (r.bad || memcmp(magic, SNAP_MAGIC, 8) != 0) {
        *err = "not a sluice RANDOM_CUT_FOREST snapshot";
        return NULL;
    }
    if (ver != SNAP_VERSION || endian != SNAP_ENDIAN) {
        *err = "RANDOM_CUT_FOREST snapshot of another version or byte order";
        return NULL;
    }
    GET(&r, c.dims);
    GET(&r, c.trees);
    GET(&r, c.sample_size);
    GET(&r, c.time_decay);
    GET(&r, c.shingle_size);
    GET(&r, c.seed);
    GET(&r, c.threads);
    GET(&r, kda);
    c.kda_compat = kda != 0;
    if (threads > 0) c.threads = threads;
    if (r.bad || sl_rcf_config_check(&c)) {
        *err = "RANDOM_CUT_FOREST snapshot with an invalid configuration";
        return NULL;
    }
    sl_rcf_t *f = forest_alloc(&c);
    GET(&r, f->npoints);
    GET(&r, f->nrows);
    GET(&r, f->shead);
    GETN(&r, f->shingle, c.dims * c.shingle_size);
    int32_t used, nfree;
    GET(&r, used);
    GET(&r, nfree);
    int S = c.sample_size;
    /* A forest holds at most trees * sample_size points, plus one chunk in flight. */
    int64_t maxslots = (int64_t)c.trees * S + RCF_CHUNK + 1;
    if (r.bad || used < 0 || used > maxslots || nfree < 0 || nfree > used || f->shead < 0 ||
        f->shead >= c.shingle_size || (uint64_t)used * (uint64_t)f->dim * 8 > r.left) {
        *err = "corrupt RANDOM_CUT_FOREST snapshot";
        sl_rcf_free(f);
        return NULL;
    }
    f->ps.cap = used > 0 ? used : 1;
    f->ps.x = SL_NEWN(double, (size_t)f->ps.cap *(size_t)f->dim);
    f->ps.ref = SL_NEWN(int32_t, f->ps.cap);
    f->ps.free = SL_NEWN(int32_t, f->ps.cap);
    f->ps.used = used;
    f->ps.nfree = nfree;
    GETN(&r, f->ps.x, (size_t)used * (size_t)f->dim);
    GETN(&r, f->ps.ref, used);
    GETN(&r, f->ps.free, nfree);
    for (int i = 0; i < c.trees && !r.bad; i++) {
        tree_t *tr = &f->trees[i];
        GET(&r, tr->root);
        GET(&r, tr->nnfree);
        GET(&r, tr->nlfree);
        GET(&r, tr->n);
        GET(&r, tr->key_base);
        GET(&r, tr->rng);
        GET(&r, tr->srng);
        rd(&r, tr->nodes, (size_t)(S - 1) * tr->stride);
        GETN(&r, tr->mass, S - 1);
        GETN(&r, tr->nfree, S - 1);
        GETN(&r, tr->leaf_pt, S);
        GETN(&r, tr->leaf_mass, S);
        GETN(&r, tr->lfree, S);
        GETN(&r, tr->key, S);
        GETN(&r, tr->slot, S);
    }
    char msg[160];
    if (r.bad || r.left != 0 || !sl_rcf_validate(f, msg, sizeof msg)) {
        *err = "corrupt RANDOM_CUT_FOREST snapshot";
        sl_rcf_free(f);
        return NULL;
    }
    return f;
}

/* ---- invariants -------------------------------------------------------------------------------
 */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        goto out;                                                                                  \
    } while (0)

/* Checks one tree; cnt[slot] is incremented per sampler entry and decremented per leaf
 * copy (so the caller can compare it with the reference counts). */
static bool validate_tree(const sl_rcf_t *f, const tree_t *tr, int ti, int32_t *cnt, char *err,
                          size_t errlen)
{
    int S = f->cfg.sample_size, dim = f->dim, ni = S - 1;
    bool ok = false;
    uint8_t *seen_n = SL_NEWN(uint8_t, ni > 0 ? ni : 1);
    uint8_t *seen_l = SL_NEWN(uint8_t, S);
    int32_t *stack = SL_NEWN(int32_t, 2 * S + 2);
    int nn = 0, nl = 0, sp = 0;
    if (tr->nnfree < 0 || tr->nnfree > ni || tr->nlfree < 0 || tr->nlfree > S || tr->n < 0 ||
        tr->n > S)
        FAIL("tree %d: bad counters", ti);
    for (int i = 0; i < tr->nnfree; i++) {
        int32_t v = tr->nfree[i];
        if (v < 0 || v >= ni || seen_n[v]) FAIL("tree %d: bad node free list", ti);
        seen_n[v] = 2;
    }
    for (int i = 0; i < tr->nlfree; i++) {
        int32_t l = tr->lfree[i];
        if (l < 0 || l >= S || seen_l[l]) FAIL("tree %d: bad leaf free list", ti);
        seen_l[l] = 2;
    }
    int32_t total = 0;
    if (tr->root != NIL) stack[sp++] = tr->root;
    while (sp > 0) {
        int32_t c = stack[--sp];
        if (c < 0) {
            int32_t l = ~c;
            if (l >= S || seen_l[l]) FAIL("tree %d: bad leaf %d", ti, l);
            seen_l[l] = 1;
            nl++;
            int32_t pt = tr->leaf_pt[l];
            if (pt < 0 || pt >= f->ps.used || f->ps.ref[pt] <= 0)
                FAIL("tree %d: leaf %d holds a dead point", ti, l);
            if (tr->leaf_mass[l] < 1) FAIL("tree %d: leaf %d has mass %d", ti, l, tr->leaf_mass[l]);
            cnt[pt] -= tr->leaf_mass[l];
            total += tr->leaf_mass[l];
            continue;
        }
        if (c >= ni || seen_n[c]) FAIL("tree %d: bad node %d", ti, c);
        seen_n[c] = 1;
        nn++;
        int32_t a = NODE(tr, c)->kid[0], b = NODE(tr, c)->kid[1];
        if ((a >= 0 && a >= ni) || (a < 0 && ~a >= S) || (b >= 0 && b >= ni) ||
            (b < 0 && ~b >= S) || a == NIL || b == NIL || a == b)
            FAIL("tree %d: node %d has a bad child", ti, c);
        if ((a >= 0 && seen_n[a]) || (b >= 0 && seen_n[b]) || (a < 0 && seen_l[~a]) ||
            (b < 0 && seen_l[~b]))
            FAIL("tree %d: node %d: child reached twice", ti, c);
        if (a < 0 && (tr->leaf_pt[~a] < 0 || tr->leaf_pt[~a] >= f->ps.used))
            FAIL("tree %d: bad leaf point", ti);
        if (b < 0 && (tr->leaf_pt[~b] < 0 || tr->leaf_pt[~b] >= f->ps.used))
            FAIL("tree %d: bad leaf point", ti);
        if (child_mass(tr, a) + child_mass(tr, b) != tr->mass[c])
            FAIL("tree %d: node %d mass %d != children's", ti, c, tr->mass[c]);
        int32_t cd = NODE(tr, c)->cdim;
        if (cd < 0 || cd >= dim) FAIL("tree %d: node %d cuts dimension %d", ti, c, cd);
        const double *alo, *ahi, *blo, *bhi;
        child_box(f, tr, a, &alo, &ahi);
        child_box(f, tr, b, &blo, &bhi);
        const double *lo = node_lo(f, tr, c), *hi = node_hi(f, tr, c);
        for (int i = 0; i < dim; i++) {
            double l = alo[i] < blo[i] ? alo[i] : blo[i];
            double h = ahi[i] > bhi[i] ? ahi[i] : bhi[i];
            if (l != lo[i] || h != hi[i]) FAIL("tree %d: node %d box is not its children's", ti, c);
        }
        if (NODE(tr, c)->rsum != box_rsum(f, tr, c))
            FAIL("tree %d: node %d range sum is stale", ti, c);
        if (!(ahi[cd] <= NODE(tr, c)->cval && NODE(tr, c)->cval < blo[cd]))
            FAIL("tree %d: node %d cut does not separate its children", ti, c);
        stack[sp++] = a;
        stack[sp++] = b;
    }
    if (nn + tr->nnfree != ni || nl + tr->nlfree != S) FAIL("tree %d: lost nodes", ti);
    if (total != tr->n) FAIL("tree %d: tree mass %d != sample size %d", ti, total, tr->n);
    for (int32_t i = 0; i < tr->n; i++) {
        int32_t s = tr->slot[i];
        if (s < 0 || s >= f->ps.used) FAIL("tree %d: sampler holds a bad slot", ti);
        cnt[s]++;
        if (!isfinite(tr->key[i])) FAIL("tree %d: sampler key is not finite", ti);
        if (i > 0 && tr->key[(i - 1) / 2] < tr->key[i])
            FAIL("tree %d: sampler heap out of order", ti);
    }
    ok = true;
out:
    sl_free(seen_n);
    sl_free(seen_l);
    sl_free(stack);
    return ok;
}

bool sl_rcf_validate(const sl_rcf_t *f, char *err, size_t errlen)
{
    const pstore_t *ps = &f->ps;
    int32_t *cnt = SL_NEWN(int32_t, ps->used > 0 ? ps->used : 1);
    int32_t *held = SL_NEWN(int32_t, ps->used > 0 ? ps->used : 1);
    bool ok = false;
    for (int32_t i = 0; i < ps->nfree; i++) {
        int32_t s = ps->free[i];
        if (s < 0 || s >= ps->used || ps->ref[s] != -1) FAIL("point store: bad free list");
    }
    for (int32_t s = 0; s < ps->used; s++)
        if (ps->ref[s] > 0 && !row_finite(pstore_pt(ps, s), f->dim))
            FAIL("slot %d: a point is not finite", s);
    for (int i = 0; i < f->cfg.trees; i++) {
        const tree_t *tr = &f->trees[i];
        if (!isfinite(tr->key_base)) FAIL("tree %d: sampler time base is not finite", i);
        if (!validate_tree(f, tr, i, cnt, err, errlen)) goto out;
        for (int32_t k = 0; k < tr->n; k++) held[tr->slot[k]]++;
    }
    for (int32_t s = 0; s < ps->used; s++) {
        if (cnt[s] != 0) FAIL("slot %d: sampler entries and leaf masses differ", s);
        int32_t want = ps->ref[s] < 0 ? 0 : ps->ref[s];
        if (held[s] != want) FAIL("slot %d: reference count %d, held %d", s, ps->ref[s], held[s]);
        if (ps->ref[s] == 0) FAIL("slot %d: live but unreferenced", s);
    }
    ok = true;
out:
    sl_free(cnt);
    sl_free(held);
    return ok;
}
