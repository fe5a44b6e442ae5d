/*
 * hotspots.c - HOTSPOTS over a sliding window (contract and definitions in hotspots.h).
 *
 * The window keeps its neighbour graph up to date as records come and go, so that an
 * update costs one neighbour query plus a pass over the graph:
 *   - records live in window slots; a hash grid of cell side scanRadius, keyed on the
 *     first min(dims, 3) coordinates, lists the records of each cell (a neighbour within
 *     scanRadius lies in one of the 3^k cells around a record's own, in any projection);
 *   - each slot keeps its adjacency list (the slots within scanRadius, by the full
 *     Euclidean distance): a new record queries its 3^k cells once and is added to its
 *     neighbours' lists; an evicted record is removed from them;
 *   - groups are then the connected components of the graph (union-find over the
 *     edges), and those with at least minimumNumberOfPointsInAHotspot records become
 *     hotspots, with their bounding boxes and densities.
 * Grid cells are never deleted one by one: empty cells stay in the table until it is
 * half full, and then the table is rebuilt from the live records.
 */
#include "hotspots.h"

#include "alloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID_DIMS 3 /* coordinates the grid is keyed on, at most */

/* One grid cell in the open-addressing table. */
typedef struct cell {
    int64_t key[GRID_DIMS]; /* cell coordinates floor(x_i / scanRadius) */
    int32_t head;           /* first record of the cell (window slot), -1 when none */
    bool used;              /* the table slot holds a cell (possibly empty) */
} cell_t;

/* A window slot's neighbours. */
typedef struct adj {
    int32_t *v; /* neighbouring slots */
    int32_t n;
    int32_t cap;
} adj_t;

struct sl_hotspots {
    sl_hotspots_config_t cfg;
    int gdims;     /* coordinates used by the grid: min(dims, GRID_DIMS) */
    double *win;   /* [window_size * dims] records by slot */
    int n;         /* records in the window (slots 0..n-1 are live) */
    int head;      /* slot the next record goes to (the oldest once full) */
    cell_t *cells; /* [ncells] hash table, ncells a power of two >= 4 * window */
    int ncells;
    int nused;       /* table slots holding a cell */
    int32_t *next;   /* [window] next record in the same cell, -1 */
    int32_t *prev;   /* [window] previous record in the same cell, -1: the head */
    int32_t *cellof; /* [window] table slot of each record's cell */
    adj_t *adj;      /* [window] adjacency lists */
    int32_t *parent; /* [window] union-find scratch */
    int32_t *gid;    /* [window] group of each root, -1 */
    int *order;      /* [window] scratch: group sizes, then sort order */
    /* the result */
    int nhot;
    sl_hotspot_t *hot; /* [window / 2 + 1] */
    sl_hotspot_t *tmp; /* [window / 2 + 1] scratch for reordering */
    double *bounds;    /* [(window / 2 + 1) * 2 * dims] min then max of each hotspot */
};

const char *sl_hotspots_config_check(const sl_hotspots_config_t *cfg)
{
    if (cfg->dims < 1)
        return "HOTSPOTS needs at least one numeric column (DOUBLE, INTEGER, FLOAT, TINYINT, "
               "SMALLINT, REAL or BIGINT)";
    if (cfg->dims > SL_HOTSPOTS_MAX_COLUMNS) return "HOTSPOTS takes at most 30 numeric columns";
    if (cfg->window_size < SL_HOTSPOTS_MIN_WINDOW || cfg->window_size > SL_HOTSPOTS_MAX_WINDOW)
        return "windowSize must be between 100 and 1000";
    if (!(cfg->scan_radius > 0) || !isfinite(cfg->scan_radius))
        return "scanRadius must be a positive number";
    if (cfg->min_points < 2 || cfg->min_points > cfg->window_size)
        return "minimumNumberOfPointsInAHotspot must be between 2 and windowSize";
    return NULL;
}

sl_hotspots_t *sl_hotspots_new(const sl_hotspots_config_t *cfg)
{
    if (sl_hotspots_config_check(cfg)) return NULL;
    sl_hotspots_t *h = SL_NEW(sl_hotspots_t);
    int W = cfg->window_size, d = cfg->dims;
    h->cfg = *cfg;
    h->gdims = d < GRID_DIMS ? d : GRID_DIMS;
    h->win = SL_NEWN(double, (size_t)W *d);
    h->ncells = 1;
    while (h->ncells < 4 * W) h->ncells <<= 1;
    h->cells = SL_NEWN(cell_t, h->ncells);
    h->next = SL_NEWN(int32_t, W);
    h->prev = SL_NEWN(int32_t, W);
    h->cellof = SL_NEWN(int32_t, W);
    h->adj = SL_NEWN(adj_t, W);
    h->parent = SL_NEWN(int32_t, W);
    h->gid = SL_NEWN(int32_t, W);
    h->order = SL_NEWN(int, W);
    h->hot = SL_NEWN(sl_hotspot_t, W / 2 + 1);
    h->tmp = SL_NEWN(sl_hotspot_t, W / 2 + 1);
    h->bounds = SL_NEWN(double, (size_t)(W / 2 + 1) * 2 * d);
    return h;
}

void sl_hotspots_free(sl_hotspots_t *h)
{
    if (!h) return;
    for (int i = 0; i < h->cfg.window_size; i++) sl_free(h->adj[i].v);
    sl_free(h->win);
    sl_free(h->cells);
    sl_free(h->next);
    sl_free(h->prev);
    sl_free(h->cellof);
    sl_free(h->adj);
    sl_free(h->parent);
    sl_free(h->gid);
    sl_free(h->order);
    sl_free(h->hot);
    sl_free(h->tmp);
    sl_free(h->bounds);
    sl_free(h);
}

const sl_hotspots_config_t *sl_hotspots_config(const sl_hotspots_t *h)
{
    return &h->cfg;
}

/* Cell coordinate of x, clamped so that far-away values cannot overflow. */
static inline int64_t cell_coord(double x, double eps)
{
    double c = floor(x / eps);
    if (c > 4e18) return INT64_C(4000000000000000000);
    if (c < -4e18) return -INT64_C(4000000000000000000);
    return (int64_t)c;
}

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline bool key_eq(const int64_t *a, const int64_t *b, int k)
{
    for (int i = 0; i < k; i++)
        if (a[i] != b[i]) return false;
    return true;
}

/* The table slot of the cell with `key`, or -1 when absent. */
static int32_t cell_lookup(const sl_hotspots_t *h, const int64_t *key)
{
    uint64_t x = 0;
    for (int i = 0; i < h->gdims; i++) x = mix64(x ^ (uint64_t)key[i]);
    uint32_t mask = (uint32_t)h->ncells - 1, i = (uint32_t)x & mask;
    for (;;) {
        const cell_t *c = &h->cells[i];
        if (!c->used) return -1;
        if (key_eq(c->key, key, h->gdims)) return (int32_t)i;
        i = (i + 1) & mask;
    }
}

/* The table slot of the cell with `key`, created (empty) when absent. */
static int32_t cell_get(sl_hotspots_t *h, const int64_t *key)
{
    uint64_t x = 0;
    for (int i = 0; i < h->gdims; i++) x = mix64(x ^ (uint64_t)key[i]);
    uint32_t mask = (uint32_t)h->ncells - 1, i = (uint32_t)x & mask;
    for (;;) {
        cell_t *c = &h->cells[i];
        if (!c->used) {
            c->used = true;
            memcpy(c->key, key, (size_t)h->gdims * sizeof(int64_t));
            c->head = -1;
            h->nused++;
            return (int32_t)i;
        }
        if (key_eq(c->key, key, h->gdims)) return (int32_t)i;
        i = (i + 1) & mask;
    }
}

static inline const double *rec(const sl_hotspots_t *h, int32_t slot)
{
    return h->win + (size_t)slot * (size_t)h->cfg.dims;
}

static void cell_key_of(const sl_hotspots_t *h, const double *x, int64_t *key)
{
    for (int i = 0; i < h->gdims; i++) key[i] = cell_coord(x[i], h->cfg.scan_radius);
}

/* Links slot s at the head of its cell's list. */
static void cell_link(sl_hotspots_t *h, int32_t s, int32_t c)
{
    h->cellof[s] = c;
    h->prev[s] = -1;
    h->next[s] = h->cells[c].head;
    if (h->cells[c].head >= 0) h->prev[h->cells[c].head] = s;
    h->cells[c].head = s;
}

/* Rebuilds the table from the live records but `skip` once empty cells fill half of it. */
static void grid_rebuild(sl_hotspots_t *h, int32_t skip)
{
    memset(h->cells, 0, (size_t)h->ncells * sizeof(cell_t));
    h->nused = 0;
    for (int32_t s = 0; s < h->n; s++) {
        if (s == skip) continue;
        int64_t key[GRID_DIMS];
        cell_key_of(h, rec(h, s), key);
        cell_link(h, s, cell_get(h, key));
    }
}

static void adj_push(adj_t *a, int32_t v)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = sl_realloc(a->v, (size_t)a->cap * sizeof(int32_t));
    }
    a->v[a->n++] = v;
}

static void adj_remove(adj_t *a, int32_t v)
{
    for (int32_t i = 0; i < a->n; i++)
        if (a->v[i] == v) {
            a->v[i] = a->v[--a->n];
            return;
        }
}

/* Takes the record in slot s out of the grid and of its neighbours' lists. */
static void slot_remove(sl_hotspots_t *h, int32_t s)
{
    int32_t c = h->cellof[s];
    if (h->prev[s] >= 0)
        h->next[h->prev[s]] = h->next[s];
    else
        h->cells[c].head = h->next[s];
    if (h->next[s] >= 0) h->prev[h->next[s]] = h->prev[s];
    adj_t *a = &h->adj[s];
    for (int32_t i = 0; i < a->n; i++) adj_remove(&h->adj[a->v[i]], s);
    a->n = 0;
}

/* Puts the record now in slot s into the grid and connects it to its neighbours. */
static void slot_insert(sl_hotspots_t *h, int32_t s)
{
    int d = h->cfg.dims, k = h->gdims;
    double eps2 = h->cfg.scan_radius * h->cfg.scan_radius;
    const double *x = rec(h, s);
    int64_t own[GRID_DIMS];
    cell_key_of(h, x, own);
    int nbr = 1;
    for (int i = 0; i < k; i++) nbr *= 3;
    for (int m = 0; m < nbr; m++) {
        int64_t key[GRID_DIMS];
        int mm = m;
        for (int i = 0; i < k; i++) {
            key[i] = own[i] + (mm % 3) - 1;
            mm /= 3;
        }
        int32_t c = cell_lookup(h, key);
        if (c < 0) continue;
        for (int32_t t = h->cells[c].head; t >= 0; t = h->next[t]) {
            const double *y = rec(h, t);
            double dist2 = 0;
            for (int i = 0; i < d && dist2 <= eps2; i++) dist2 += (x[i] - y[i]) * (x[i] - y[i]);
            if (dist2 > eps2) continue;
            adj_push(&h->adj[s], t);
            adj_push(&h->adj[t], s);
        }
    }
    cell_link(h, s, cell_get(h, own));
}

static int32_t uf_find(int32_t *parent, int32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Orders hotspots densest first; ties by size, then by the minimum corner, so that the
 * output does not depend on window slot numbers. */
static _Thread_local const sl_hotspots_t *sort_ctx; /* qsort has no context argument */

static int cmp_hot(const void *pa, const void *pb)
{
    const sl_hotspot_t *a = &sort_ctx->hot[*(const int *)pa];
    const sl_hotspot_t *b = &sort_ctx->hot[*(const int *)pb];
    if (a->density != b->density) return a->density > b->density ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    for (int i = 0; i < sort_ctx->cfg.dims; i++)
        if (a->min[i] != b->min[i]) return a->min[i] < b->min[i] ? -1 : 1;
    return 0;
}

/* Recomputes the hotspots from the neighbour graph. */
static void recompute(sl_hotspots_t *h)
{
    int n = h->n, d = h->cfg.dims;
    double eps = h->cfg.scan_radius;
    for (int32_t s = 0; s < n; s++) h->parent[s] = s;
    for (int32_t s = 0; s < n; s++) {
        const adj_t *a = &h->adj[s];
        for (int32_t i = 0; i < a->n; i++) {
            int32_t t = a->v[i];
            if (t >= s) continue;
            int32_t x = uf_find(h->parent, s), y = uf_find(h->parent, t);
            if (x != y) h->parent[x < y ? y : x] = x < y ? x : y;
        }
    }
    int ngroups = 0;
    for (int32_t s = 0; s < n; s++) {
        h->gid[s] = -1;
        h->order[s] = 0;
    }
    for (int32_t s = 0; s < n; s++) h->order[uf_find(h->parent, s)]++;
    for (int32_t s = 0; s < n; s++) {
        int32_t r = uf_find(h->parent, s);
        if (h->order[r] < h->cfg.min_points) continue;
        int g = h->gid[r];
        double *lo, *hi;
        const double *x = rec(h, s);
        if (g < 0) {
            g = h->gid[r] = ngroups++;
            lo = h->bounds + (size_t)g * 2 * d;
            hi = lo + d;
            memcpy(lo, x, (size_t)d * sizeof(double));
            memcpy(hi, x, (size_t)d * sizeof(double));
            h->hot[g].count = 0;
            h->hot[g].min = lo;
            h->hot[g].max = hi;
        }
        lo = h->bounds + (size_t)g * 2 * d;
        hi = lo + d;
        for (int i = 0; i < d; i++) {
            if (x[i] < lo[i]) lo[i] = x[i];
            if (x[i] > hi[i]) hi[i] = x[i];
        }
        h->hot[g].count++;
    }
    for (int g = 0; g < ngroups; g++) {
        double vol = 1;
        for (int i = 0; i < d; i++) {
            double side = h->hot[g].max[i] - h->hot[g].min[i];
            vol *= side > eps ? side : eps;
        }
        h->hot[g].density = (double)h->hot[g].count / vol;
    }
    /* Sort through an index, then put the hotspots in that order. */
    for (int g = 0; g < ngroups; g++) h->order[g] = g;
    sort_ctx = h;
    qsort(h->order, (size_t)ngroups, sizeof(int), cmp_hot);
    sort_ctx = NULL;
    for (int g = 0; g < ngroups; g++) h->tmp[g] = h->hot[h->order[g]];
    memcpy(h->hot, h->tmp, (size_t)ngroups * sizeof *h->tmp);
    h->nhot = ngroups;
}

int sl_hotspots_update(sl_hotspots_t *h, const double *row)
{
    int d = h->cfg.dims;
    for (int i = 0; i < d; i++)
        if (!isfinite(row[i])) return h->nhot;
    int32_t s = h->head;
    if (h->n == h->cfg.window_size)
        slot_remove(h, s);
    else
        h->n++;
    memcpy(h->win + (size_t)s * d, row, (size_t)d * sizeof(double));
    h->head = (h->head + 1) % h->cfg.window_size;
    if (2 * (h->nused + 1) > h->ncells) grid_rebuild(h, s); /* s is in no list now */
    slot_insert(h, s);
    recompute(h);
    return h->nhot;
}

int sl_hotspots_count(const sl_hotspots_t *h)
{
    return h->nhot;
}

sl_hotspot_t sl_hotspots_get(const sl_hotspots_t *h, int i)
{
    return h->hot[i];
}

/* Appends v in its shortest form that reads back exactly. */
static void put_num(sl_buf_t *out, double v)
{
    char s[40];
    snprintf(s, sizeof s, "%.15g", v);
    if (strtod(s, NULL) != v) snprintf(s, sizeof s, "%.17g", v);
    sl_buf_puts(out, s);
}

void sl_hotspots_format(const sl_hotspots_t *h, sl_buf_t *out)
{
    int d = h->cfg.dims;
    sl_buf_puts(out, "{\"hotspots\":[");
    for (int g = 0; g < h->nhot; g++) {
        const sl_hotspot_t *s = &h->hot[g];
        if (g) sl_buf_putc(out, ',');
        sl_buf_puts(out, "{\"density\":");
        put_num(out, s->density);
        sl_buf_puts(out, ",\"minValues\":[");
        for (int i = 0; i < d; i++) {
            if (i) sl_buf_putc(out, ',');
            put_num(out, s->min[i]);
        }
        sl_buf_puts(out, "],\"maxValues\":[");
        for (int i = 0; i < d; i++) {
            if (i) sl_buf_putc(out, ',');
            put_num(out, s->max[i]);
        }
        sl_buf_puts(out, "]}");
    }
    sl_buf_puts(out, "]}");
}

/* ---- snapshots ---------------------------------------------------------------------------- */

#define SNAP_MAGIC   "SLHOT\x00\x00\x01"
#define SNAP_VERSION 1u
#define SNAP_ENDIAN  0x01020304u

/*
 * The image: magic, version, byte-order mark, the configuration (dims, window_size,
 * scan_radius, min_points), n and head, then the n live records (dims doubles each) in
 * slot order. Slot order is kept because it is the one thing besides the records that the
 * output depends on: groups are numbered by their first slot, and hotspots that tie on
 * density, size and minimum corner keep that numbering's order through qsort.
 */
void sl_hotspots_snapshot(const sl_hotspots_t *h, sl_buf_t *out)
{
    uint32_t ver = SNAP_VERSION, endian = SNAP_ENDIAN;
    int32_t v[5] = {h->cfg.dims, h->cfg.window_size, h->cfg.min_points, h->n, h->head};
    sl_buf_append(out, SNAP_MAGIC, 8);
    sl_buf_append(out, &ver, sizeof ver);
    sl_buf_append(out, &endian, sizeof endian);
    sl_buf_append(out, &h->cfg.scan_radius, sizeof h->cfg.scan_radius);
    sl_buf_append(out, v, sizeof v);
    sl_buf_append(out, h->win, (size_t)h->n * (size_t)h->cfg.dims * sizeof(double));
}

/*
 * Rebuilds a detector from a snapshot: checks the header, the configuration, that n and
 * head describe a window this code can produce (head == n until the window first fills),
 * the exact length and that every record is finite; then puts the records back into their
 * slots, links each into the grid and the neighbour graph as an update would, and
 * recomputes the hotspots.
 */
sl_hotspots_t *sl_hotspots_restore(const void *data, size_t len, const char **err)
{
    const unsigned char *p = data;
    uint32_t ver, endian;
    sl_hotspots_config_t cfg;
    int32_t v[5];
    size_t head_len = 8 + sizeof ver + sizeof endian + sizeof cfg.scan_radius + sizeof v;
    if (len < 8 || memcmp(p, SNAP_MAGIC, 8) != 0) {
        *err = "not a sluice HOTSPOTS snapshot";
        return NULL;
    }
    if (len < head_len) {
        *err = "truncated HOTSPOTS snapshot";
        return NULL;
    }
    p += 8;
    memcpy(&ver, p, sizeof ver), p += sizeof ver;
    memcpy(&endian, p, sizeof endian), p += sizeof endian;
    if (ver != SNAP_VERSION || endian != SNAP_ENDIAN) {
        *err = "HOTSPOTS snapshot of another version or byte order";
        return NULL;
    }
    memset(&cfg, 0, sizeof cfg);
    memcpy(&cfg.scan_radius, p, sizeof cfg.scan_radius), p += sizeof cfg.scan_radius;
    memcpy(v, p, sizeof v), p += sizeof v;
    cfg.dims = v[0];
    cfg.window_size = v[1];
    cfg.min_points = v[2];
    int32_t n = v[3], head = v[4];
    if (sl_hotspots_config_check(&cfg)) {
        *err = "HOTSPOTS snapshot with an invalid configuration";
        return NULL;
    }
    bool shape_ok = n >= 0 && n <= cfg.window_size &&
                    (n < cfg.window_size ? head == n : head >= 0 && head < cfg.window_size);
    size_t body = (size_t)(shape_ok ? n : 0) * (size_t)cfg.dims * sizeof(double);
    if (!shape_ok || len - head_len != body) {
        *err = "corrupt HOTSPOTS snapshot";
        return NULL;
    }
    sl_hotspots_t *h = sl_hotspots_new(&cfg);
    memcpy(h->win, p, body);
    for (size_t i = 0; i < (size_t)n * (size_t)cfg.dims; i++)
        if (!isfinite(h->win[i])) {
            *err = "corrupt HOTSPOTS snapshot";
            sl_hotspots_free(h);
            return NULL;
        }
    /* Slot by slot, as the updates did; head is the window's next slot (n % window). */
    for (int32_t s = 0; s < n; s++) {
        h->n = s + 1;
        if (2 * (h->nused + 1) > h->ncells) grid_rebuild(h, s);
        slot_insert(h, s);
    }
    h->head = head % cfg.window_size;
    if (n) recompute(h);
    return h;
}
