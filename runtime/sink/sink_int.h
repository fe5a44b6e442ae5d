/*
 * sink_int.h - what the sink's files share: the sink struct, the queue's row, and the
 * entry points of the policy (sink_policy.c) and of delivery (sink_deliver.c). Not for use
 * outside runtime/sink/.
 *
 * Threading: fields under "queue" are guarded by mu; fields under "delivery" belong to the
 * sink thread alone (and to sl_sink_new/free before the thread starts / after it ended);
 * configuration is read-only after sl_sink_new.
 */
#ifndef SL_SINK_INT_H
#define SL_SINK_INT_H

#include "buf.h"
#include "sink.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* One queued row: an owned copy of the JSON object text the engine handed over. */
typedef struct sl_sink_row {
    char *json;         /* heap copy, NUL-terminated */
    size_t len;         /* bytes of json */
    int64_t rowtime_ms; /* the row's ROWTIME (kept for the dead-letter file) */
} sl_sink_row_t;

/* The alert policy's state (sink_policy.c); NULL when neither limit is set. */
typedef struct sl_sink_policy sl_sink_policy_t;

struct sl_sink {
    /* ---- configuration (read-only after sl_sink_new) ---- */
    sl_sink_kind_t kind;      /* WEBHOOK, FILE, COMMAND or STDOUT */
    char *name;               /* the output's name, for messages */
    char *target;             /* URL, path or command line; NULL for stdout */
    bool csv;                 /* encode rows as CSV lines instead of JSON */
    bool csv_header;          /* CSV: write a header line at the top of each file */
    char **cols;              /* column order (copied from sl_sink_columns_t), or NULL */
    size_t ncols;             /* entries of cols */
    char **headers;           /* webhook: extra "Name: value" header lines */
    size_t nheaders;          /* entries of headers */
    int timeout_ms;           /* one webhook request / command run, at most */
    int max_retries;          /* retries of a batch before the dead letter; -1: no limit */
    int64_t backoff_ms;       /* first retry delay */
    int64_t backoff_max;      /* cap of the delay, doubled per retry */
    char *dead_letter;        /* path of the dead-letter file, or NULL */
    size_t batch;             /* rows per delivery, at most (only what is already queued) */
    size_t queue_cap;         /* rows the queue holds before write() blocks */
    int drain_ms;             /* how long sl_sink_free waits for the queue to drain */
    uint64_t rotate_bytes;    /* file: rotate before a write would pass this size; 0: never */
    int keep;                 /* file: rotated files kept (path.1 newest .. path.keep) */
    sl_sink_policy_t *policy; /* rate limit / de-duplication, or NULL */

    /* ---- queue (guarded by mu) ---- */
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* signalled on write and on stop */
    pthread_cond_t not_full;  /* signalled when rows leave the queue */
    pthread_cond_t idle;      /* signalled when the queue becomes empty */
    sl_sink_row_t *ring;      /* queue_cap slots, a circular buffer */
    size_t head;              /* slot of the oldest row */
    size_t count;             /* rows in the queue, the batch in flight included */
    bool stopping;            /* sl_sink_free began: no more writes, drain then exit */
    atomic_bool abort;        /* the drain deadline passed: give up the attempt in flight */
    sl_sink_stats_t st;       /* counters (queued is derived from count) */
    pthread_t thread;         /* the sink thread */
    bool thread_started;      /* thread is joinable */

    /* ---- delivery (sink thread only) ---- */
    void *curl;         /* webhook: the reused CURL easy handle (keeps the connection) */
    void *curl_headers; /* webhook: struct curl_slist of the request headers */
    int fd;             /* file: the open file, or -1 */
    uint64_t file_size; /* file: its size */
    sl_buf_t body;      /* the encoded batch, reused */
    bool permanent_failure; /* the last failure cannot succeed by retrying (an HTTP 4xx other
                               than 408 and 429): the batch goes to the dead letter at once */
    sl_buf_t errmsg;    /* why the last attempt failed, for the log */
    uint64_t rng;       /* xorshift state for backoff jitter */
};

/* ---- sink_policy.c ---- */

/*
 * Makes the policy: key_cols is the `key` option (NULL: the whole row minus ROWTIME),
 * rate_n rows per rate_ms per key (rate_n 0: no rate limit), quiet_ms the de-duplication
 * quiet period (0: none).
 */
sl_sink_policy_t *sl_sink_policy_new(const char *key_cols, int64_t rate_n, int64_t rate_ms,
                                     int64_t quiet_ms);
void sl_sink_policy_free(sl_sink_policy_t *p);
/* Checks the key columns against the stream's columns; returns 0, or -1 with *err. */
int sl_sink_policy_check_cols(const sl_sink_policy_t *p, const sl_sink_columns_t *cols, char **err);
/* The verdict on one row at sl_clock_now_ms(). Thread-safe. */
typedef enum sl_sink_verdict {
    SL_SINK_SEND,         /* deliver it */
    SL_SINK_RATE_LIMITED, /* over N per interval for its key */
    SL_SINK_DUPLICATE,    /* its key was seen within the quiet period */
    SL_SINK_BAD_ROW       /* not a JSON object */
} sl_sink_verdict_t;
sl_sink_verdict_t sl_sink_policy_admit(sl_sink_policy_t *p, const char *json, size_t len);
/* Parses "N per INTERVAL" / "N/INTERVAL"; returns 0 or -1. */
int sl_sink_parse_rate(const char *text, int64_t *n, int64_t *ms);

/* ---- sink_deliver.c ---- */

/* Prepares the target (opens the file, creates the curl handle). 0, or -1 with *err. */
int sl_sink_target_open(sl_sink_t *s, char **err);
/* Releases what sl_sink_target_open made. */
void sl_sink_target_close(sl_sink_t *s);
/*
 * Delivers rows[0..n) in one attempt. Returns how many rows (a prefix) were delivered: n on
 * success; fewer on failure, with the reason in s->errmsg. Sink thread only.
 */
size_t sl_sink_deliver(sl_sink_t *s, const sl_sink_row_t *rows, size_t n);
/* Appends rows[0..n) to the dead-letter file as JSON lines. 0, or -1 (reason in errmsg). */
int sl_sink_dead_letter(sl_sink_t *s, const sl_sink_row_t *rows, size_t n);

#endif
