/*
 * tablefn.h - the batch-level adapters of KDA's analytic table functions
 * RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION and HOTSPOTS, for the operator
 * that will run `SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(...), ...))`.
 *
 * They own the KDA rules that sit between SQL and the algorithms (rcf.h, hotspots.h):
 * which input columns are scored (the numeric ones: TINYINT, SMALLINT, INTEGER, BIGINT,
 * REAL, DOUBLE/FLOAT; DECIMAL is an error, as in KDA; other columns pass through), how the
 * literal arguments map onto a configuration, and how a batch of input rows becomes the
 * output columns (ANOMALY_SCORE DOUBLE, ANOMALY_EXPLANATION VARCHAR, HOTSPOTS_RESULT
 * VARCHAR). A NULL in a scored column counts as a missing value: the row scores 0 and is
 * not learnt (RCF), or is not added to the window (HOTSPOTS).
 *
 * Errors are written into err (without position; the planner adds it) and the calls
 * return false / -1. Ownership: strings of output vectors are allocated in the given arena
 * (the output batch's).
 */
#ifndef SL_TABLEFN_H
#define SL_TABLEFN_H

#include "arena.h"
#include "batch.h"
#include "hotspots.h"
#include "rcf.h"
#include "types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Picks the scored columns of an input of ncols columns of the given types: writes their
 * indexes, in column order, into cols (ncols entries of room) and returns their number,
 * or -1 with err set when there is none, a DECIMAL column, or more than 30. fn is the SQL
 * name for messages.
 */
int sl_tablefn_numeric_columns(const char *fn, const sl_type_t *types, int ncols, int *cols,
                               char *err, size_t errlen);
/* The same, with the columns' names (names[i] may be NULL) so that an error names the
 * DECIMAL column: "RANDOM_CUT_FOREST does not support DECIMAL columns (PRICE); use DOUBLE". */
int sl_tablefn_numeric_columns_named(const char *fn, const sl_type_t *types,
                                     const char *const *names, int ncols, int *cols, char *err,
                                     size_t errlen);

/*
 * The forest's configuration from the literal arguments after the CURSOR: args[0..nargs-1]
 * are numberOfTrees, subSampleSize, timeDecay, shingleSize and, with explanation,
 * withDirectionality (0/1), each optional from the right. Fills *cfg (KDA's defaults for
 * what is not given) and *directionality (FALSE by default; may be NULL without
 * explanation). Returns false with err set on a count or range error.
 */
bool sl_tablefn_rcf_config(sl_rcf_config_t *cfg, int dims, const int64_t *args, int nargs,
                           bool explanation, bool *directionality, char *err, size_t errlen);

/* HOTSPOTS' configuration from its three required arguments (windowSize, scanRadius,
 * minimumNumberOfPointsInAHotspot). */
bool sl_tablefn_hotspots_config(sl_hotspots_config_t *cfg, int dims, const double *args, int nargs,
                                char *err, size_t errlen);

/* Rows [row0, row0 + n) of the scored columns as doubles, row after row (n * ncols
 * values); NULL becomes NaN. */
void sl_tablefn_gather(const sl_batch_t *b, const int *cols, int ncols, size_t row0, size_t n,
                       double *out);

/*
 * Runs the forest over every row of `in`, in order: score->v.f[i] (a DOUBLE vector of at
 * least in->n rows) receives row i's ANOMALY_SCORE; with expl != NULL (a VARCHAR vector)
 * also its ANOMALY_EXPLANATION JSON, keyed by names[k] (the scored columns' names),
 * written into arena.
 */
void sl_tablefn_rcf_batch(sl_rcf_t *f, const sl_batch_t *in, const int *cols, int ncols,
                          sl_vec_t *score, sl_vec_t *expl, const char *const *names,
                          bool directionality, sl_arena_t *arena);

/* Runs HOTSPOTS over every row of `in`, in order: result->v.s[i] (VARCHAR) receives the
 * HOTSPOTS_RESULT JSON of the window after row i, written into arena. */
void sl_tablefn_hotspots_batch(sl_hotspots_t *h, const sl_batch_t *in, const int *cols, int ncols,
                               sl_vec_t *result, sl_arena_t *arena);

#endif
