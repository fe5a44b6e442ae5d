/*
 * hotspots.h - HOTSPOTS: dense regions among the last windowSize records (KDA's
 * HOTSPOTS(inputStream, windowSize, scanRadius, minimumNumberOfPointsInAHotspot)).
 *
 * AWS has not published its algorithm; sluice's (functions/README.md, "HOTSPOTS") is
 * density-based clustering in the style of DBSCAN over a sliding window: two records are
 * neighbours when their Euclidean distance is at most scanRadius; a hotspot is a
 * connected group of neighbouring records (single linkage at scanRadius, i.e. DBSCAN
 * with MinPts = 2) with at least minimumNumberOfPointsInAHotspot members. Its density is
 *     members / prod_i max(max_i - min_i, scanRadius)
 * over the group's bounding box: the floor at scanRadius keeps groups that are flat in
 * some dimension (duplicates, collinear points) finite and measured at the scale the
 * query asked for. Neighbours are found through a hash grid of cell side scanRadius.
 *
 * Ownership and threads: sl_hotspots_new returns a detector the caller owns and frees
 * with sl_hotspots_free (NULL is a no-op); not thread-safe, one caller at a time.
 */
#ifndef SL_HOTSPOTS_H
#define SL_HOTSPOTS_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

#define SL_HOTSPOTS_MIN_WINDOW  100
#define SL_HOTSPOTS_MAX_WINDOW  1000
#define SL_HOTSPOTS_MAX_COLUMNS 30 /* sluice's limit, as for RANDOM_CUT_FOREST */

/* The SQL arguments, plus the number of numeric columns. */
typedef struct sl_hotspots_config {
    int dims;           /* numeric columns per record: 1..30 */
    int window_size;    /* windowSize: records in the sliding window, 100..1000 */
    double scan_radius; /* scanRadius: neighbour distance (epsilon), finite and > 0 */
    int min_points;     /* minimumNumberOfPointsInAHotspot: 2..windowSize */
} sl_hotspots_config_t;

/* One hotspot of the current window. */
typedef struct sl_hotspot {
    double density;    /* count / bounding-box volume (each side at least scanRadius) */
    int count;         /* records in the hotspot */
    const double *min; /* [dims] per-column minimum; valid until the next update */
    const double *max; /* [dims] per-column maximum */
} sl_hotspot_t;

typedef struct sl_hotspots sl_hotspots_t;

/* NULL when cfg is valid, else a static message naming the KDA parameter and its range. */
const char *sl_hotspots_config_check(const sl_hotspots_config_t *cfg);

/* A new detector with an empty window; NULL when the config is invalid. */
sl_hotspots_t *sl_hotspots_new(const sl_hotspots_config_t *cfg);
void sl_hotspots_free(sl_hotspots_t *h);
/* The detector's configuration. */
const sl_hotspots_config_t *sl_hotspots_config(const sl_hotspots_t *h);

/*
 * Adds a record (dims doubles) to the window, evicting the oldest once windowSize records
 * are held, and recomputes the hotspots of the window (a partial window before it first
 * fills). A record with NaN or +-Inf is not added; the hotspots stay as they were.
 * Returns the number of hotspots.
 */
int sl_hotspots_update(sl_hotspots_t *h, const double *row);

/* Hotspots of the window as of the last update, by density, densest first. */
int sl_hotspots_count(const sl_hotspots_t *h);
sl_hotspot_t sl_hotspots_get(const sl_hotspots_t *h, int i);

/*
 * Appends the HOTSPOTS_RESULT JSON of the current window to out:
 *     {"hotspots":[{"density":D,"minValues":[..],"maxValues":[..]},...]}
 * densest first, values in column order, numbers in their shortest exact form.
 */
void sl_hotspots_format(const sl_hotspots_t *h, sl_buf_t *out);

/*
 * Checkpoints: sl_hotspots_snapshot appends the detector's whole state to out - its
 * configuration and the window's records in window-slot order, with the slot the next
 * record goes to; sl_hotspots_restore rebuilds a detector from such bytes whose window,
 * hotspots (in the same order, ties included) and later updates are exactly those of the
 * original. The neighbour grid and graph are derived data, rebuilt on restore. The format
 * is sluice's own, versioned, native byte order. On corrupt or foreign input
 * sl_hotspots_restore returns NULL and sets *err to a static message.
 */
void sl_hotspots_snapshot(const sl_hotspots_t *h, sl_buf_t *out);
sl_hotspots_t *sl_hotspots_restore(const void *data, size_t len, const char **err);

#endif
