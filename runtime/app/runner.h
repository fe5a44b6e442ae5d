/*
 * runner.h - a running application: its plan and engine, fed from the embedded store (or,
 * for an input with sluice:Endpoint, from that Kinesis endpoint) on a thread of its own.
 *
 * The daemon (one runner per RUNNING application), the REPL (one per live query) and
 * `sluice run --data` all run applications the same way: parse and plan the description's
 * code, build the engine (Outputs of kind STREAM write to the store, the printed streams go
 * to `out` as JSON lines), then follow the input stream's shards - picking up children after
 * a reshard, merging records by arrival time into ROWTIME order - and, when the input is
 * idle, let the clock close windows. Every checkpoint_ms and on stop the runner writes a
 * checkpoint under DATA/checkpoints/, where LAST_STOPPED_POINT resumes: per shard the last
 * record read and the first record still needed by an open window (the engine's low-water
 * mark), per output how far its rows went. A resume re-reads from the latter to rebuild the
 * windows, drops the rows the outputs already had, and goes on from the former.
 *
 * Delivery is at-least-once, as KDA's: a checkpoint is written after the rows it covers
 * were handed to the outputs, so a crash between the two replays them. A graceful stop
 * and resume delivers every row exactly once (runtime/app/README.md, "Checkpoints").
 *
 * With restart_on_failure (the daemon), a runner that fails on its own - its input or a
 * destination stream gone, a destination refusing rows - starts again from its last
 * checkpoint after a backoff, as KDA keeps retrying; sl_runner_stats() shows the failures.
 *
 * Threading: sl_runner_start() spawns the thread; sl_runner_stats() may be called from any
 * thread; sl_runner_stop()/sl_runner_free() from the thread that started it.
 *
 * Ownership: the runner copies what it needs from the description and the options; the
 * store and the FILE streams are borrowed and must outlive it.
 */
#ifndef SL_RUNNER_H
#define SL_RUNNER_H

#include "appdesc.h"
#include "parser.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_runner sl_runner_t;

/* How to run. Zero-initialise, then set what applies. */
typedef struct sl_runner_opts {
    sl_store_t *store;          /* the embedded store (required unless the input has an
                                   endpoint; store-stream outputs are printed without it) */
    const char *data_dir;       /* checkpoints in DATA/checkpoints/; NULL: no checkpoints */
    const char *name;           /* application name: checkpoint namespace and messages */
    int start;                  /* -1 (or unset via start_set=false): each input's own
                                   starting position; else an sl_start_pos_t for every input */
    bool start_set;             /* whether `start` overrides the inputs' positions */
    int64_t start_ms;           /* for SL_START_AT_TIMESTAMP */
    FILE *out;                  /* JSON lines of the printed streams; NULL: discarded */
    FILE *err;                  /* error rows and run-time messages; NULL: stderr */
    const char *const *outputs; /* streams to print on `out`; NULL: the app's Outputs that
                                   are not store streams (else every stream it creates) */
    int noutputs;
    const char *base_dir;       /* where relative reference-data paths are resolved (NULL:
                                   data_dir, else the working directory) */
    int idle_ms;                /* input quiet this long: the clock closes windows (1000) */
    int poll_ms;                /* longest wait for the next put while the input is idle
                                   (50; a put wakes the runner at once) */
    int idle_exit_ms;           /* > 0: stop by itself after this long without records
                                   (`sluice run --idle-exit`) */
    bool finish_on_stop;        /* close every window when the run ends (a run that is over,
                                   not one that will resume) */
    int checkpoint_ms;          /* write a checkpoint at most this often while rows flow
                                   (1000); also on stop */
    bool restart_on_failure;    /* fail -> wait, start again from the last checkpoint */
    int retry_ms;               /* first wait before a restart (1000); doubles per failure
                                   in a row, up to 60 s */
} sl_runner_opts_t;

/* What a runner has done so far (counters only grow). */
typedef struct sl_runner_stats {
    int64_t records_in;    /* records read from the input shards */
    int64_t rows_out;      /* rows written to outputs */
    int64_t errors;        /* error rows */
    int64_t millis_behind; /* how far the last read was behind the shard tips */
    bool running;          /* the thread is following its input now */
    bool retrying;         /* failed; waiting to restart from the last checkpoint */
    int64_t failures;      /* times it failed on its own */
    int64_t restarts;      /* times it started again after a failure */
    int64_t failed_ms;     /* when it last failed (epoch ms; 0: never) */
    char failure[256];     /* why it last failed on its own ("" if it never did) */
} sl_runner_stats_t;

/*
 * Parses and plans desc->code against desc, builds the engine and starts following the
 * input. SQL errors go to diags (line:col in desc->code); other errors (a reference table
 * that does not load, an input stream that does not exist) come back in *err (heap).
 * Returns NULL on any error.
 */
sl_runner_t *sl_runner_start(const sl_app_desc_t *desc, const sl_runner_opts_t *opts,
                             sl_diag_t *diags, char **err);
/* Stops following (the current read finishes), writes the checkpoint and joins the
 * thread. Windows still open are not emitted (unless finish_on_stop): the checkpoint
 * records where their rows start, and LAST_STOPPED_POINT rebuilds them. Idempotent. */
void sl_runner_stop(sl_runner_t *r);
/* Stops if needed and frees. NULL is a no-op. */
void sl_runner_free(sl_runner_t *r);
void sl_runner_stats(sl_runner_t *r, sl_runner_stats_t *out);
/*
 * The counters of the engine's webhook / file / command outputs (sl_engine_sink_stats):
 * at most max samples, the number of such outputs returned; 0 while no engine is built.
 * Callable from any thread. The counters belong to the engine, so they start again from 0
 * when a restart after a failure rebuilds it. Output names are borrowed from the runner.
 */
struct sl_sink_sample;
int sl_runner_sink_stats(sl_runner_t *r, struct sl_sink_sample *out, int max);
/* EXPLAIN of the running plan (for describe/REPL). */
void sl_runner_explain(const sl_runner_t *r, sl_buf_t *out);

/* Checkpoint file helpers, shared with `sluice run`: the path of an application's
 * checkpoint for one input stream, and the sequence number of the last record read (and
 * covered by the checkpoint) stored for a shard. */
char *sl_checkpoint_path(const char *data_dir, const char *app, const char *stream);
bool sl_checkpoint_get(const char *path, const char *shard_id, char seq[SL_SEQ_BUF]);

#endif
