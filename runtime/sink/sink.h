/*
 * sink.h - delivering an output's rows somewhere outside the engine: a webhook, a file, a
 * command; and the alert policy (rate limit, de-duplication) in front of any of them.
 *
 * One sink per output (sl_app_output_t of kind SL_SINK_WEBHOOK, SL_SINK_FILE,
 * SL_SINK_COMMAND or SL_SINK_STDOUT). The engine hands it each output row as one JSON
 * object text - keys are the column names, plus "ROWTIME": "YYYY-MM-DD HH:MM:SS.mmm" - and
 * the row's ROWTIME in epoch ms. sl_sink_write() applies the alert policy on the caller's
 * thread (so a dropped row never takes queue room) and appends the row to a bounded queue;
 * a sink thread takes what is queued, delivers it and retries failures with exponential
 * backoff and jitter, then moves the rows to a dead-letter file. A slow receiver never
 * blocks the query until the queue is full; then write() blocks (backpressure) rather
 * than dropping rows.
 *
 * Delivery is at-least-once and in order per sink: a row leaves the queue only after the
 * receiver answered 2xx (webhook), the command exited 0 or the file write succeeded, or
 * after it was written to the dead-letter file. A retried batch may reach the receiver
 * twice; rows are never reordered.
 *
 * Options (out->options, key = value text) are described in runtime/sink/README.md;
 * sl_sink_new() rejects an unknown option or a bad value with a message naming it.
 *
 * Threads: write/flush/stats may be called from any thread; free from one thread, once,
 * after the last write. The policy clock is sl_clock_now_ms() (wall time; tests install a
 * virtual clock). Backoff and timeouts use the monotonic clock.
 *
 * Ownership: the sink copies what it needs from out and cols (both may be freed after
 * sl_sink_new returns) and each row passed to write(). sl_sink_free() releases everything.
 */
#ifndef SL_SINK_H
#define SL_SINK_H

#include "appdesc.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sl_sink sl_sink_t;

/* The output stream's columns, in order, as the rows' JSON keys spell them. Optional: it
 * fixes the CSV column order (otherwise the order of each row's keys) and lets sl_sink_new
 * reject a `key` option naming no column. Include "ROWTIME" to have it in CSV files. */
typedef struct sl_sink_columns {
    const char *const *names; /* column names */
    size_t n;                 /* how many */
} sl_sink_columns_t;

/* Counters for /metrics; all monotonic except queued. */
typedef struct sl_sink_stats {
    uint64_t written;       /* rows accepted by sl_sink_write (queued) */
    uint64_t delivered;     /* rows the receiver accepted */
    uint64_t failed;        /* delivery attempts that failed (one per batch attempt) */
    uint64_t retried;       /* attempts that were retries of a failed batch */
    uint64_t rate_limited;  /* rows dropped by the rate limit */
    uint64_t deduplicated;  /* rows suppressed by the de-duplication quiet period */
    uint64_t dead_lettered; /* rows written to the dead-letter file */
    uint64_t discarded;     /* rows given up with no dead-letter file (or it failed) */
    uint64_t queued;        /* rows waiting in the queue now (incl. the batch in flight) */
} sl_sink_stats_t;

/*
 * Creates the sink for out and starts its thread. cols may be NULL. Returns NULL with *err
 * (heap string, caller frees) naming the option, e.g. "rate_limit: expected 'N per
 * INTERVAL', got 'five'". For a file sink the file is opened (created) here, so a bad path
 * fails now rather than on the first row.
 */
sl_sink_t *sl_sink_new(const sl_app_output_t *out, const sl_sink_columns_t *cols, char **err);

/*
 * Offers one row: json[0..len) is a JSON object text, rowtime_ms its ROWTIME. Returns 0
 * when queued, 1 when the alert policy dropped it (rate limit or de-duplication; counted),
 * -1 when the sink is closing or the row is not a JSON object (only checked when the
 * policy or CSV needs the columns). Blocks while the queue is full.
 */
int sl_sink_write(sl_sink_t *s, const char *json, size_t len, int64_t rowtime_ms);

/* Waits until every queued row has been delivered or dead-lettered. Returns 0, or -1 when
 * timeout_ms (< 0: no limit) passed first. */
int sl_sink_flush(sl_sink_t *s, int timeout_ms);

/* Copies the counters into *out. */
void sl_sink_stats(sl_sink_t *s, sl_sink_stats_t *out);

/* One sink's counters and the labels they are shown under (sl_sink_metrics). */
typedef struct sl_sink_sample {
    const char *application; /* the application's name; NULL: no application label */
    const char *output;      /* the output's id: a .sql file's CREATE OUTPUT name, a KDA
                                description's OutputId ("1.1") - unique in the application */
    const char *stream;      /* the in-app stream it delivers; NULL: no stream label */
    sl_sink_stats_t st;      /* sl_sink_stats() of the sink */
} sl_sink_sample_t;

/*
 * Appends the counters of n sinks as Prometheus text: per counter one "# HELP" / "# TYPE"
 * block (written even when n is 0) followed by a line per sample, so every line of a metric
 * stays in one group as the format requires, e.g.
 *     sluice_sink_delivered_total{application="alerts",output="pager",stream="ALERTS"} 12
 * The counters are monotonic for the life of the sink; sluice_sink_queued is a gauge.
 */
struct sl_buf;
void sl_sink_metrics(const sl_sink_sample_t *v, size_t n, struct sl_buf *out);

/*
 * Stops the sink: waits up to the `drain_ms` option (default 5000) for the queue to drain,
 * then abandons the attempt in flight and writes whatever is left to the dead-letter file
 * (or counts it discarded), joins the thread and frees everything. NULL is a no-op.
 */
void sl_sink_free(sl_sink_t *s);

/*
 * Parses an interval: "10s", "500ms", "5 minutes", "1 hour", "2d", "INTERVAL '5' MINUTE",
 * "'10' SECOND". Returns milliseconds (> 0) or -1 when text is not an interval.
 */
int64_t sl_sink_parse_interval(const char *text);

#endif
