/*
 * engine.h - the continuous query engine: instantiates a plan's operator DAG and runs
 * records through it.
 *
 * The plan (planner/plan.h) is read-only; sl_engine_new() builds the mutable state graph
 * beside it: one operator per plan node (ops.h), wired reader to writer, plus the sinks of
 * the selected output streams and of error_stream. Records enter through
 * sl_engine_record() (a source's decoder writes them into the source's batch), batches move
 * on by sl_engine_flush(), and time moves on by sl_engine_bound(): "no later record of this
 * input will have a ROWTIME below t". Bounds close tumbling, stagger and join windows.
 * sl_engine_finish() sends +infinity, so every window closes (the end of a replay).
 *
 * Threading: an engine is used by one thread.
 *
 * Ownership: the engine borrows the plan and its application description (they must
 * outlive it); sl_engine_free() releases everything it built. NULL is a no-op.
 */
#ifndef SL_ENGINE_H
#define SL_ENGINE_H

#include "decode.h"
#include "plan.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_engine sl_engine_t;

/* What the engine writes where. */
typedef struct sl_engine_opts {
    const char *const *outputs; /* streams to print as JSON lines on `out`; NULL: the app's
                                   Outputs (else every stream it creates) */
    int noutputs;
    FILE *out;                  /* JSON lines of the printed streams (stdout) */
    FILE *err;                  /* error rows, unless error_stream is selected (stderr) */
    sl_store_t *store;          /* for Outputs to store streams; NULL: print them instead */
    const char *base_dir;       /* where relative reference-data paths are resolved */
} sl_engine_opts_t;

/* Builds the state graph; NULL and *err (heap) when it cannot (a decoder mapping, a
 * reference table that does not load). */
sl_engine_t *sl_engine_new(const sl_plan_t *plan, const sl_engine_opts_t *opts, char **err);
void sl_engine_free(sl_engine_t *e);

/*
 * Decodes one record of application input `input_ix` with ROWTIME `rowtime` (clamped to
 * be non-decreasing per input) and arrival time `arrival`. A malformed record becomes an
 * error row. `seq` (may be NULL) names the record in error messages.
 */
void sl_engine_record(sl_engine_t *e, int input_ix, const char *data, size_t len,
                      int64_t rowtime, int64_t arrival, const char *seq);
/* Scratch memory for a record's bytes that lives as long as the record's rows: the
 * current batch arena of input_ix's source (for base64-decoding straight into it). */
void *sl_engine_record_buf(sl_engine_t *e, int input_ix, size_t n);
/*
 * Parallel decoding (sluice run --replay of a large dump): other threads decode records
 * with their own decoder into their own batches, and the engine's thread pushes the
 * batches in input order. sl_engine_decoder / sl_engine_input_batch give a decoder and an
 * empty batch shaped for input_ix (the caller frees them with sl_decoder_free /
 * sl_batch_free); sl_engine_push_batch pushes a full batch (ROWTIMEs clamped to be
 * non-decreasing, then a bound); sl_engine_decode_error reports a record that did not
 * decode, as sl_engine_record would. Only the last two touch the engine.
 */
sl_decoder_t *sl_engine_decoder(sl_engine_t *e, int input_ix);
sl_batch_t *sl_engine_input_batch(sl_engine_t *e, int input_ix);
void sl_engine_push_batch(sl_engine_t *e, int input_ix, sl_batch_t *b);
void sl_engine_decode_error(sl_engine_t *e, int input_ix, const char *msg, int64_t rowtime,
                            const void *data, size_t len, const char *seq);

/*
 * Partial aggregation (partial.c): when input_ix feeds nothing but SOURCE -> [MAP] ->
 * tumbling GROUP BY whose aggregates merge, a decoding thread can fold its batches into a
 * partial and the engine's thread merge that instead of pushing the batches (the rows then
 * never travel between cores). sl_partial_new (engine thread, before the others use it)
 * gives NULL when the plan is shaped otherwise. sl_partial_add (one thread at a time) folds
 * a batch; false once the rows need the normal path (the partial stays failed until reset:
 * push the batches instead). sl_engine_push_partial (engine thread) merges a partial of
 * whole decoded batches and advances the input's bound as pushing them would; false, with
 * nothing done, when it cannot: push the batches. sl_partial_reset empties a partial.
 */
typedef struct sl_partial sl_partial_t;
sl_partial_t *sl_partial_new(sl_engine_t *e, int input_ix);
bool sl_partial_add(sl_partial_t *p, const sl_batch_t *b);
bool sl_engine_push_partial(sl_engine_t *e, int input_ix, sl_partial_t *p);
void sl_partial_reset(sl_partial_t *p);
void sl_partial_free(sl_partial_t *p);
/* Pushes every pending source batch downstream. */
void sl_engine_flush(sl_engine_t *e);
/* Promises no later record of input_ix has ROWTIME < t (flushes first). -1: every input. */
void sl_engine_bound(sl_engine_t *e, int input_ix, int64_t t);
/* End of input: flushes and sends a bound of +infinity everywhere. */
void sl_engine_finish(sl_engine_t *e);
/* Rows written to outputs so far, and error rows. */
int64_t sl_engine_rows_out(const sl_engine_t *e);
int64_t sl_engine_errors(const sl_engine_t *e);
/*
 * The counters of the outputs delivered by runtime/sink (webhook, file, command): writes at
 * most max samples (application NULL; output and stream, the output's id and in-app stream,
 * borrowed from the engine's description) and returns how many such outputs there are. Unlike the rest of this
 * interface it may be called from any thread while the engine lives: the set of sinks is
 * fixed by sl_engine_new and each sink guards its own counters.
 */
struct sl_sink_sample;
int sl_engine_sink_stats(const sl_engine_t *e, struct sl_sink_sample *out, int max);

/*
 * Checkpoints (state.c, and the sinks in engine.c). A runner that stops with windows open
 * re-reads, on resume, the input from the records those windows still need and suppresses
 * the rows its outputs already received (runtime/app/README.md, "Checkpoints").
 *
 * sl_engine_low_water: the oldest source ROWTIME the engine's state depends on - the minimum
 *   over stateful operators of the oldest row they hold, moved back by how far the operators
 *   upstream of them reach into the past (a row of a 1-minute tumbling window's output held
 *   by a sliding window needs source rows up to a minute older). INT64_MAX: no state.
 *   Call after sl_engine_flush().
 * sl_engine_output_marks: per sink, in a stable order, the ROWTIME of the last row it was
 *   handed and how many rows it was handed at that ROWTIME (output ROWTIMEs never decrease,
 *   so the pair is a position in the sink's row sequence). Writes at most max marks and
 *   returns the number of sinks. Names are borrowed from the plan.
 * sl_engine_skip_output: the sink `sink` (if its name matches) drops rows up to and
 *   including that position: those rows were delivered before the stop.
 * sl_engine_set_replay: while on, error rows are not reported (the records being re-read
 *   reported theirs before the stop).
 * sl_engine_failure: the first hard output failure (a destination stream that refuses the
 *   rows), or NULL. The rows concerned are not delivered; the caller restarts from its last
 *   checkpoint rather than going on.
 */
typedef struct sl_output_mark {
    const char *name; /* the output's name, else its stream's ("error_stream" for errors) */
    int64_t rowtime;  /* ROWTIME of the last row handed over; INT64_MIN: none yet */
    int64_t count;    /* rows handed over at that ROWTIME */
} sl_output_mark_t;

int64_t sl_engine_low_water(const sl_engine_t *e);
/*
 * State a re-read cannot rebuild by itself: a stagger window opens at its key's first row,
 * so re-reading from inside a window already emitted would open a shifted one.
 * sl_engine_state_save appends to out one line per such fact still relevant to a replay
 * that starts at ROWTIME `from` ("%state ..."; opaque to the caller, kept in the
 * checkpoint); sl_engine_state_load takes one such line back on resume (false: not one).
 */
void sl_engine_state_save(sl_engine_t *e, int64_t from, sl_buf_t *out);
bool sl_engine_state_load(sl_engine_t *e, const char *line);
/*
 * Models: state that depends on the whole history, which no re-read can rebuild
 * (RANDOM_CUT_FOREST's forests, HOTSPOTS' windows; tablefn_op.c). The runner keeps them
 * beside its checkpoint (runtime/app/README.md, "Models across a stop").
 *
 * sl_engine_models_save appends an image of every model to out and returns how many there
 * are (0: nothing is appended). The image, native byte order:
 *     "SLMODELS" | u32 version | u32 byte-order mark | u32 count
 *     count times: i32 plan node id | u64 fingerprint | u64 length | length bytes
 *     u64 checksum (FNV-1a 64 of everything before it)
 *   Call after sl_engine_flush(), at the moment the input positions are taken.
 * sl_engine_models_sum: an image's checksum (its last 8 bytes; 0 when too short), which
 *   the checkpoint records to tell its own image from another.
 * sl_engine_models_load (on a new engine, before any record): restores every model of the
 *   image whose node id and fingerprint match an operator of this engine; each model that
 *   starts fresh instead (no saved model, another fingerprint - the application's code
 *   changed -, or an image its operator refuses) gets a line in log, as does an image that
 *   is corrupt or truncated as a whole (then nothing is restored). Returns the number of
 *   models restored. Never fails harder than that.
 */
int sl_engine_models_save(sl_engine_t *e, sl_buf_t *out);
uint64_t sl_engine_models_sum(const void *data, size_t len);
int sl_engine_models_load(sl_engine_t *e, const void *data, size_t len, sl_buf_t *log);
int sl_engine_output_marks(const sl_engine_t *e, sl_output_mark_t *marks, int max);
void sl_engine_skip_output(sl_engine_t *e, int sink, const char *name, int64_t rowtime,
                           int64_t count);
void sl_engine_set_replay(sl_engine_t *e, bool on);
const char *sl_engine_failure(const sl_engine_t *e);

#endif
