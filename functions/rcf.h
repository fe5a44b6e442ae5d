/*
 * rcf.h - Robust Random Cut Forest: the streaming anomaly scorer behind KDA's
 * RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION.
 *
 * A forest is a set of random cut trees, each built over its own time-decayed reservoir
 * sample of the stream (Guha et al., ICML 2016). Every input row is first scored against
 * the forest as it is, then offered to every tree's sampler (score before update), so the
 * first sample_size points score 0 ("warm-up"), exactly as KDA does. The score is KDA's:
 * the expected 1/(isolation depth + 1) over trees, scaled by log2(sample_size); inliers
 * score about 0.6-0.9, clear anomalies 1.5-4, the maximum is about log2(sample_size).
 * functions/README.md ("RANDOM_CUT_FOREST") gives the algorithm and the choices made
 * where KDA's documentation is silent.
 *
 * Rows are vectors of `dims` doubles (the numeric columns, in column order). With
 * shingle_size s > 1 the forest works on shingles, the concatenation of the last s rows,
 * oldest first; the first s - 1 rows form no shingle and score 0. A row holding NaN or
 * +-Inf scores 0 and is not learnt (it would break the trees' bounding boxes).
 *
 * Determinism: for one config (seed included) the scores, attributions and snapshots are
 * the same bit for bit whatever `threads` is, and whether rows come one at a time or in
 * batches: every tree draws from its own PRNG streams, derived from the seed, and sums
 * over trees are taken in tree order.
 *
 * Ownership and threads: sl_rcf_new/sl_rcf_restore return a forest the caller owns and
 * releases with sl_rcf_free (NULL is a no-op). A forest is not thread-safe: one caller at
 * a time. With threads > 1 it runs its own pool of threads-1 pthreads, which split the
 * trees of every call between them; they live until sl_rcf_free.
 */
#ifndef SL_RCF_H
#define SL_RCF_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* KDA's limits on the SQL arguments (sqlrf-random-cut-forest) and sluice's own. */
#define SL_RCF_MAX_COLUMNS 30 /* numeric columns a query may pass */
#define SL_RCF_MAX_TREES   1000
#define SL_RCF_MIN_SAMPLE  10
#define SL_RCF_MAX_SAMPLE  1000
#define SL_RCF_MAX_DECAY   2147483647LL
#define SL_RCF_MAX_SHINGLE 30
#define SL_RCF_MAX_THREADS 64

/* How a forest is set up. sl_rcf_config_default() fills KDA's defaults; a planner then
 * overwrites the fields the query gives and calls sl_rcf_config_check(). */
typedef struct sl_rcf_config {
    int dims;           /* numeric columns per row: 1..SL_RCF_MAX_COLUMNS */
    int trees;          /* numberOfTrees: 1..1000, default 100 */
    int sample_size;    /* subSampleSize: points per tree, 10..1000, default 256 */
    int64_t time_decay; /* timeDecay: 1..2^31-1, > sample_size, default 100000; the
                         * samplers favour recent points with weight exp(t/time_decay) */
    int shingle_size;   /* shingleSize: rows per point, 1..30, default 1 */
    uint64_t seed;      /* seeds every tree's PRNG; same seed, same scores */
    int threads;        /* threads sharing the trees (this one included), 1..64 */
    bool kda_compat;    /* true (default): KDA's score (log2(sample_size) scale, no
                         * damping of duplicates, 1/(M+1) for a single-leaf tree);
                         * false: the open-source library's (damped, log2(M+1)) */
} sl_rcf_config_t;

typedef struct sl_rcf sl_rcf_t;

/* Fills *cfg with KDA's defaults (100 trees, 256 samples, timeDecay 100000, shingle 1),
 * seed 1, one thread, kda_compat on, for rows of `dims` columns. */
void sl_rcf_config_default(sl_rcf_config_t *cfg, int dims);

/*
 * Checks cfg against KDA's ranges. Returns NULL when it is valid, else a static message
 * naming the KDA parameter and its allowed range (e.g. "subSampleSize must be between 10
 * and 1000"), for the planner to report with the call's position.
 */
const char *sl_rcf_config_check(const sl_rcf_config_t *cfg);

/* A new, empty forest; NULL when sl_rcf_config_check(cfg) fails. */
sl_rcf_t *sl_rcf_new(const sl_rcf_config_t *cfg);
void sl_rcf_free(sl_rcf_t *f);

/* The forest's configuration (threads as currently used). */
const sl_rcf_config_t *sl_rcf_config(const sl_rcf_t *f);
/* Points (shingles) learnt so far; scores are 0 until this reaches sample_size. */
uint64_t sl_rcf_points(const sl_rcf_t *f);

/*
 * Scores row (dims doubles) against the forest, then learns it. Returns the anomaly score
 * (>= 0), 0 during warm-up and for rows that form no shingle or are not finite.
 */
double sl_rcf_score_update(sl_rcf_t *f, const double *row);

/*
 * As sl_rcf_score_update, and also explains the score: high[c] and low[c] (dims entries
 * each, caller-provided) receive column c's attribution for being higher / lower than
 * the forest expects, summed over the shingle positions, so that
 * sum_c (high[c] + low[c]) == the returned score (to rounding). All zero in warm-up.
 */
double sl_rcf_score_update_explain(sl_rcf_t *f, const double *row, double *high, double *low);

/*
 * The batch form of the two calls above, the fast path with threads > 1: rows holds n
 * rows of dims doubles, one after the other; scores[i] receives row i's score. high and
 * low are NULL, or n * dims doubles each (row i's columns at i * dims). Same results as
 * n single calls.
 */
void sl_rcf_score_update_batch(sl_rcf_t *f, const double *rows, size_t n, double *scores,
                               double *high, double *low);

/* Scores / explains row as the next row of the stream without learning it (the forest
 * is unchanged; runs on the calling thread). high/low may be NULL in sl_rcf_explain. */
double sl_rcf_score(const sl_rcf_t *f, const double *row);
double sl_rcf_explain(const sl_rcf_t *f, const double *row, double *high, double *low);

/*
 * Checkpoints: sl_rcf_snapshot appends the whole state (config, shingle, samplers, trees,
 * PRNG states) to out; sl_rcf_restore rebuilds a forest from such bytes that continues
 * exactly as the original would have. threads > 0 overrides the saved thread count
 * (results do not depend on it). The format is sluice's own, versioned, native byte
 * order. On corrupt or foreign input sl_rcf_restore returns NULL and sets *err to a
 * static message.
 */
void sl_rcf_snapshot(const sl_rcf_t *f, sl_buf_t *out);
sl_rcf_t *sl_rcf_restore(const void *data, size_t len, int threads, const char **err);

/* How many copies of point (dims * shingle_size doubles, a whole shingle) the trees'
 * samples hold, summed over trees: for tests of the samplers and for diagnosis. */
long sl_rcf_sample_count(const sl_rcf_t *f, const double *point);

/*
 * Checks every internal invariant: each node's box is the union of its children's, its
 * mass their sum, its cut separates them; sampler heaps are ordered and hold exactly the
 * trees' points; point store reference counts match. Returns true, or false with a
 * message in err. Used by the tests and by sl_rcf_restore.
 */
bool sl_rcf_validate(const sl_rcf_t *f, char *err, size_t errlen);

/* ---- ANOMALY_EXPLANATION (functions/rcf_explain.c) ---------------------------------- */

/*
 * Appends the ANOMALY_EXPLANATION JSON of one row to out, in KDA's shape:
 *     {"col":{"DIRECTION":"HIGH","STRENGTH":"0.1234","ATTRIBUTION_SCORE":"0.5678"},...}
 * one object per numeric column (names[c], in order), values as strings with 4 decimals.
 * ATTRIBUTION_SCORE = high[c] + low[c]. With directionality, DIRECTION is HIGH when
 * high[c] > low[c], else LOW, and STRENGTH is sluice's definition |high[c] - low[c]|
 * (KDA does not publish its formula); without it, only ATTRIBUTION_SCORE is written.
 */
void sl_rcf_explain_format(sl_buf_t *out, int ncols, const char *const *names, const double *high,
                           const double *low, bool directionality);

#endif
