/*
 * sink.c - a sink's life: options, the bounded queue, the sink thread and its retry loop;
 * see sink.h and README.md.
 *
 *   sl_sink_write (engine thread)          sink thread
 *     policy: dedup, rate limit  ---->     take up to `batch` queued rows (no waiting for
 *     copy; block while full              more), deliver (sink_deliver.c)
 *     append to the ring                   2xx / exit 0 / written -> pop, wake producers
 *                                          failure -> backoff (doubling, jittered), retry;
 *                                          after max_retries -> dead-letter file, pop
 */
#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "sink_int.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- options --------------------------------------------------------------------- */

/* Which kinds accept an option (bit per sl_sink_kind_t). */
#define K_WEBHOOK (1u << SL_SINK_WEBHOOK)
#define K_FILE    (1u << SL_SINK_FILE)
#define K_COMMAND (1u << SL_SINK_COMMAND)
#define K_STDOUT  (1u << SL_SINK_STDOUT)
#define K_ALL     (K_WEBHOOK | K_FILE | K_COMMAND | K_STDOUT)

/* The option table: name and the kinds that take it. */
static const struct {
    const char *name;
    unsigned kinds;
} sink_options[] = {
    {"url", K_WEBHOOK},
    {"headers", K_WEBHOOK},
    {"path", K_FILE},
    {"rotate_bytes", K_FILE},
    {"keep", K_FILE},
    {"header", K_FILE},
    {"command", K_COMMAND},
    {"format", K_ALL},
    {"timeout_ms", K_WEBHOOK | K_COMMAND},
    {"max_retries", K_ALL},
    {"backoff_ms", K_ALL},
    {"dead_letter", K_ALL},
    {"batch", K_ALL},
    {"queue", K_ALL},
    {"drain_ms", K_ALL},
    {"key", K_ALL},
    {"dedup_key", K_ALL},
    {"rate_limit", K_ALL},
    {"max_per_minute", K_ALL},
    {"dedup_quiet", K_ALL},
    {"dedup_window", K_ALL},
};

/* The value of option name, or NULL. */
static const char *opt(const sl_app_output_t *out, const char *name)
{
    for (size_t i = 0; i < out->noptions; i++)
        if (strcasecmp(out->options[i].key, name) == 0) return out->options[i].value;
    return NULL;
}

/* A kind's name for messages. */
static const char *kind_name(sl_sink_kind_t k)
{
    switch (k) {
    case SL_SINK_WEBHOOK:
        return "webhook";
    case SL_SINK_FILE:
        return "file";
    case SL_SINK_COMMAND:
        return "command";
    case SL_SINK_STDOUT:
        return "stdout";
    default:
        return "stream";
    }
}

/* Parses a whole decimal integer in [lo, hi] into *v; -1 when it is not one. */
static int parse_int(const char *text, int64_t lo, int64_t hi, int64_t *v)
{
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    if (!*p) return -1;
    char *end;
    errno = 0;
    long long x = strtoll(p, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (errno || *end || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

/* Parses a size: "1048576", "64k", "10 MB", "1GiB" (k/m/g are powers of 1024). */
static int parse_size(const char *text, uint64_t *v)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (errno || end == text || x < 0) return -1;
    while (isspace((unsigned char)*end)) end++;
    double mul = 1;
    switch (tolower((unsigned char)*end)) {
    case 'k':
        mul = 1024.0;
        end++;
        break;
    case 'm':
        mul = 1024.0 * 1024;
        end++;
        break;
    case 'g':
        mul = 1024.0 * 1024 * 1024;
        end++;
        break;
    default:
        break;
    }
    if (mul > 1 && tolower((unsigned char)*end) == 'i') end++;
    if (tolower((unsigned char)*end) == 'b') end++;
    while (isspace((unsigned char)*end)) end++;
    if (*end || x * mul > 1e18) return -1;
    *v = (uint64_t)(x * mul);
    return 0;
}

/* Splits the `headers` option ("Name: value; Name2: value2", or one per line). */
static int parse_headers(sl_sink_t *s, const char *text, char **err)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ";\n");
        const char *a = p, *b = p + n;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (b > a) {
            const char *colon = memchr(a, ':', (size_t)(b - a));
            if (!colon || colon == a) {
                *err = sl_asprintf("headers: expected 'Name: value', got '%.*s'", (int)(b - a), a);
                return -1;
            }
            s->headers = sl_realloc(s->headers, (s->nheaders + 1) * sizeof(char *));
            s->headers[s->nheaders++] = sl_strndup(a, (size_t)(b - a));
        }
        p += n;
        if (*p) p++;
    }
    return 0;
}

/* The target from out->target or the kind's option (`url`, `path`, `command`). */
static int pick_target(sl_sink_t *s, const sl_app_output_t *out, char **err)
{
    const char *name = s->kind == SL_SINK_WEBHOOK   ? "url"
                       : s->kind == SL_SINK_FILE    ? "path"
                       : s->kind == SL_SINK_COMMAND ? "command"
                                                    : NULL;
    if (!name) return 0;
    const char *o = opt(out, name);
    if (o && out->target && strcmp(o, out->target) != 0) {
        *err = sl_asprintf("%s: '%s' differs from the output's target '%s'", name, o, out->target);
        return -1;
    }
    const char *t = o ? o : out->target;
    if (!t || !*t) {
        *err = sl_asprintf("%s: a %s output needs one", name, kind_name(s->kind));
        return -1;
    }
    if (s->kind == SL_SINK_WEBHOOK && strncasecmp(t, "http://", 7) != 0 &&
        strncasecmp(t, "https://", 8) != 0) {
        *err = sl_asprintf("url: expected an http:// or https:// URL, got '%s'", t);
        return -1;
    }
    s->target = sl_strdup(t);
    return 0;
}

/* Reads every option into s. Returns 0, or -1 with *err naming the option. */
static int parse_options(sl_sink_t *s, const sl_app_output_t *out, char **err)
{
    for (size_t i = 0; i < out->noptions; i++) {
        const char *k = out->options[i].key;
        size_t j = 0;
        while (j < sizeof sink_options / sizeof sink_options[0] &&
               strcasecmp(sink_options[j].name, k) != 0)
            j++;
        if (j == sizeof sink_options / sizeof sink_options[0]) {
            *err = sl_asprintf("%s: unknown option of a %s output", k, kind_name(s->kind));
            return -1;
        }
        if (!(sink_options[j].kinds & (1u << s->kind))) {
            *err = sl_asprintf("%s: not an option of a %s output", k, kind_name(s->kind));
            return -1;
        }
        if (!out->options[i].value) {
            *err = sl_asprintf("%s: needs a value", k);
            return -1;
        }
    }
    if (pick_target(s, out, err) < 0) return -1;

    const char *v;
    int64_t n;
    s->csv = out->format == SL_FORMAT_CSV;
    if ((v = opt(out, "format"))) {
        if (strcasecmp(v, "json") != 0 && strcasecmp(v, "csv") != 0) {
            *err = sl_asprintf("format: expected json or csv, got '%s'", v);
            return -1;
        }
        s->csv = strcasecmp(v, "csv") == 0;
    }
    if ((v = opt(out, "header"))) {
        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0) {
            *err = sl_asprintf("header: expected true or false, got '%s'", v);
            return -1;
        }
        s->csv_header = strcasecmp(v, "true") == 0;
    }
    if (s->csv_header && !s->csv) {
        *err = sl_strdup("header: only with format csv");
        return -1;
    }
    s->timeout_ms = 5000;
    if ((v = opt(out, "timeout_ms"))) {
        if (parse_int(v, 1, 3600000, &n) < 0) {
            *err = sl_asprintf("timeout_ms: expected milliseconds 1..3600000, got '%s'", v);
            return -1;
        }
        s->timeout_ms = (int)n;
    }
    s->max_retries = -1;
    if ((v = opt(out, "max_retries"))) {
        if (parse_int(v, -1, 1000000, &n) < 0) {
            *err = sl_asprintf("max_retries: expected a count 0..1000000 (-1: no limit), "
                               "got '%s'",
                               v);
            return -1;
        }
        s->max_retries = (int)n;
    }
    s->backoff_ms = 100;
    s->backoff_max = 30000;
    if ((v = opt(out, "backoff_ms"))) {
        char *end;
        long long a = strtoll(v, &end, 10), b = a;
        if (end != v && (*end == '/' || *end == ',')) {
            const char *q = end + 1;
            b = strtoll(q, &end, 10);
            if (end == q) a = -1;
        }
        while (isspace((unsigned char)*end)) end++;
        if (end == v || *end || a < 1 || b < a || b > 3600000) {
            *err = sl_asprintf("backoff_ms: expected 'INITIAL' or 'INITIAL/MAX' in ms "
                               "(1 <= INITIAL <= MAX <= 3600000), got '%s'",
                               v);
            return -1;
        }
        s->backoff_ms = a;
        s->backoff_max = b == a && !strpbrk(v, "/,") ? (a > 30000 ? a : 30000) : b;
    }
    if ((v = opt(out, "dead_letter"))) {
        if (!*v) {
            *err = sl_strdup("dead_letter: expected a file path");
            return -1;
        }
        s->dead_letter = sl_strdup(v);
    }
    s->batch = s->kind == SL_SINK_WEBHOOK ? 1 : 100;
    if ((v = opt(out, "batch"))) {
        if (parse_int(v, 1, 100000, &n) < 0) {
            *err = sl_asprintf("batch: expected rows per delivery 1..100000, got '%s'", v);
            return -1;
        }
        s->batch = (size_t)n;
    }
    s->queue_cap = 10000;
    if ((v = opt(out, "queue"))) {
        if (parse_int(v, 1, 10000000, &n) < 0) {
            *err = sl_asprintf("queue: expected rows 1..10000000, got '%s'", v);
            return -1;
        }
        s->queue_cap = (size_t)n;
    }
    if (s->batch > s->queue_cap) s->batch = s->queue_cap;
    s->drain_ms = 5000;
    if ((v = opt(out, "drain_ms"))) {
        if (parse_int(v, 0, 3600000, &n) < 0) {
            *err = sl_asprintf("drain_ms: expected milliseconds 0..3600000, got '%s'", v);
            return -1;
        }
        s->drain_ms = (int)n;
    }
    if ((v = opt(out, "rotate_bytes"))) {
        if (parse_size(v, &s->rotate_bytes) < 0) {
            *err = sl_asprintf("rotate_bytes: expected a size such as 10485760 or 10MB, "
                               "got '%s'",
                               v);
            return -1;
        }
    }
    s->keep = 5;
    if ((v = opt(out, "keep"))) {
        if (parse_int(v, 0, 10000, &n) < 0) {
            *err = sl_asprintf("keep: expected a count of rotated files 0..10000, got '%s'", v);
            return -1;
        }
        s->keep = (int)n;
    }
    if ((v = opt(out, "headers")) && parse_headers(s, v, err) < 0) return -1;

    /* The alert policy. */
    const char *key = opt(out, "key"), *dkey = opt(out, "dedup_key");
    if (key && dkey && strcmp(key, dkey) != 0) {
        *err = sl_strdup("dedup_key: differs from key (one key serves both limits)");
        return -1;
    }
    if (!key) key = dkey;
    int64_t rate_n = 0, rate_ms = 0, quiet = 0;
    if ((v = opt(out, "rate_limit")) && sl_sink_parse_rate(v, &rate_n, &rate_ms) < 0) {
        *err = sl_asprintf("rate_limit: expected 'N per INTERVAL' (e.g. '5 per 1 minute', "
                           "N 1..100000), got '%s'",
                           v);
        return -1;
    }
    if ((v = opt(out, "max_per_minute"))) { /* the appdesc README's shorthand */
        if (rate_n) {
            *err = sl_strdup("max_per_minute: give either it or rate_limit");
            return -1;
        }
        if (parse_int(v, 1, 100000, &rate_n) < 0) {
            *err = sl_asprintf("max_per_minute: expected a count 1..100000, got '%s'", v);
            return -1;
        }
        rate_ms = 60000;
    }
    const char *qname = opt(out, "dedup_quiet") ? "dedup_quiet" : "dedup_window";
    if ((v = opt(out, qname)) && (quiet = sl_sink_parse_interval(v)) < 0) {
        *err = sl_asprintf("%s: expected an interval (e.g. '10 minutes', '30s', "
                           "INTERVAL '5' MINUTE), got '%s'",
                           qname, v);
        return -1;
    }
    if (rate_n || quiet) {
        s->policy = sl_sink_policy_new(key, rate_n, rate_ms, quiet);
    } else if (key) {
        *err = sl_strdup("key: needs rate_limit, max_per_minute or dedup_quiet");
        return -1;
    }
    return 0;
}

/* ---- the sink thread ------------------------------------------------------------- */

/* An absolute CLOCK_MONOTONIC time ms from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(int64_t ms)
{
    int64_t ns = sl_clock_mono_ns() + ms * 1000000;
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    return ts;
}

/* Has the monotonic time ts passed? */
static bool passed(const struct timespec *ts)
{
    int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
    return sl_clock_mono_ns() >= ns;
}

/* Removes n rows from the queue's head, freeing them. Under mu. */
static void pop_rows(sl_sink_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sl_free(s->ring[s->head].json);
        s->ring[s->head].json = NULL;
        s->head = (s->head + 1) % s->queue_cap;
    }
    s->count -= n;
    if (n) pthread_cond_broadcast(&s->not_full);
    if (s->count == 0) pthread_cond_broadcast(&s->idle);
}

/* Gives up rows[0..n): the dead-letter file, or discarded. Called without mu. Returns the
 * counter to bump (dead_lettered or discarded). */
static uint64_t *give_up(sl_sink_t *s, const sl_sink_row_t *rows, size_t n)
{
    if (s->dead_letter && sl_sink_dead_letter(s, rows, n) == 0) {
        fprintf(stderr, "sluice: output %s: %zu row(s) moved to the dead-letter file %s\n", s->name,
                n, s->dead_letter);
        return &s->st.dead_lettered;
    }
    fprintf(stderr, "sluice: output %s: %zu row(s) discarded%s%s\n", s->name, n,
            s->dead_letter ? ": " : " (no dead_letter file)",
            s->dead_letter && s->errmsg.p ? s->errmsg.p : "");
    return &s->st.discarded;
}

/* The next backoff delay: initial * 2^(attempt-1), capped, with "equal jitter" (a random
 * point in the upper half) so many sinks failing together do not retry in lockstep. */
static int64_t backoff(sl_sink_t *s, int attempt)
{
    int64_t d = s->backoff_ms;
    for (int i = 1; i < attempt && d < s->backoff_max; i++) d *= 2;
    if (d > s->backoff_max) d = s->backoff_max;
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return d / 2 + (int64_t)(s->rng % (uint64_t)(d - d / 2 + 1));
}

/* The sink thread: deliver, retry, dead-letter; until stopped and drained (or aborted). */
static void *sink_main(void *arg)
{
    sl_sink_t *s = arg;
    /* A command that stops reading, or a peer closing the socket, must give EPIPE here,
     * not kill the process. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);

    sl_sink_row_t *batch = SL_NEWN(sl_sink_row_t, s->batch);
    int attempts = 0; /* failed attempts of the batch at the head */
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->count == 0 && !s->stopping) pthread_cond_wait(&s->not_empty, &s->mu);
        if (s->count == 0 || atomic_load(&s->abort)) break;
        size_t n = s->count < s->batch ? s->count : s->batch;
        for (size_t i = 0; i < n; i++) batch[i] = s->ring[(s->head + i) % s->queue_cap];
        if (attempts > 0) s->st.retried++;
        pthread_mutex_unlock(&s->mu);

        s->permanent_failure = false;
        size_t done = sl_sink_deliver(s, batch, n);
        if (done < n) {
            /* Drop the pending SIGPIPE a failed write may have raised on this thread. */
            struct timespec zero = {0, 0};
            while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {
            }
        }
        bool give = false;
        if (done < n) {
            if (done > 0) attempts = 0;
            attempts++;
            give = s->permanent_failure || (s->max_retries >= 0 && attempts > s->max_retries);
            if (attempts == 1 || give)
                fprintf(stderr, "sluice: output %s: delivery failed: %s%s\n", s->name,
                        s->errmsg.p ? s->errmsg.p : "?",
                        give ? " (giving up)" : "; retrying with backoff");
        }
        uint64_t *gave = give ? give_up(s, batch + done, n - done) : NULL;

        pthread_mutex_lock(&s->mu);
        s->st.delivered += done;
        if (done < n) s->st.failed++;
        if (gave) {
            *gave += n - done;
            pop_rows(s, n);
            attempts = 0;
            continue;
        }
        pop_rows(s, done);
        if (done == n) {
            attempts = 0;
            continue;
        }
        struct timespec until = deadline_in(backoff(s, attempts));
        while (!atomic_load(&s->abort) && !passed(&until))
            pthread_cond_timedwait(&s->not_empty, &s->mu, &until);
    }
    /* Aborted by sl_sink_free's deadline: the rest goes to the dead letter. */
    if (s->count > 0) {
        size_t n = s->count;
        sl_sink_row_t *rest = SL_NEWN(sl_sink_row_t, n);
        for (size_t i = 0; i < n; i++) rest[i] = s->ring[(s->head + i) % s->queue_cap];
        pthread_mutex_unlock(&s->mu);
        uint64_t *gave = give_up(s, rest, n);
        pthread_mutex_lock(&s->mu);
        *gave += n;
        pop_rows(s, n);
        sl_free(rest);
    }
    pthread_mutex_unlock(&s->mu);
    sl_free(batch);
    return NULL;
}

/* ---- public ---------------------------------------------------------------------- */

sl_sink_t *sl_sink_new(const sl_app_output_t *out, const sl_sink_columns_t *cols, char **err)
{
    *err = NULL;
    if (out->kind != SL_SINK_WEBHOOK && out->kind != SL_SINK_FILE && out->kind != SL_SINK_COMMAND &&
        out->kind != SL_SINK_STDOUT) {
        *err = sl_asprintf("output %s: a %s output is not delivered by a sink",
                           out->name ? out->name : "?", kind_name(out->kind));
        return NULL;
    }
    sl_sink_t *s = SL_NEW(sl_sink_t);
    s->kind = out->kind;
    s->fd = -1;
    s->name = sl_strdup(out->name ? out->name : out->id ? out->id : "?");
    s->rng = (uint64_t)sl_clock_mono_ns() | 1;
    if (cols && cols->n) {
        s->cols = SL_NEWN(char *, cols->n);
        for (size_t i = 0; i < cols->n; i++) s->cols[i] = sl_strdup(cols->names[i]);
        s->ncols = cols->n;
    }
    if (parse_options(s, out, err) < 0 ||
        (s->policy && sl_sink_policy_check_cols(s->policy, cols, err) < 0) ||
        sl_sink_target_open(s, err) < 0) {
        sl_sink_free(s);
        return NULL;
    }
    s->ring = SL_NEWN(sl_sink_row_t, s->queue_cap);
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->not_empty, &ca);
    pthread_cond_init(&s->not_full, &ca);
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&s->thread, NULL, sink_main, s);
    if (rc != 0) {
        *err = sl_asprintf("output %s: cannot start the sink thread: %s", s->name, strerror(rc));
        sl_sink_free(s);
        return NULL;
    }
    s->thread_started = true;
    return s;
}

int sl_sink_write(sl_sink_t *s, const char *json, size_t len, int64_t rowtime_ms)
{
    if (s->policy) {
        sl_sink_verdict_t v = sl_sink_policy_admit(s->policy, json, len);
        if (v == SL_SINK_BAD_ROW) return -1;
        if (v != SL_SINK_SEND) {
            pthread_mutex_lock(&s->mu);
            if (v == SL_SINK_RATE_LIMITED)
                s->st.rate_limited++;
            else
                s->st.deduplicated++;
            pthread_mutex_unlock(&s->mu);
            return 1;
        }
    }
    /* JSON lines need one line per row: raw CR/LF can only be whitespace between tokens
     * in valid JSON (never inside a string), so they become spaces. */
    char *copy = sl_strndup(json, len);
    for (char *p = memchr(copy, '\n', len); p; p = memchr(p, '\n', len - (size_t)(p - copy)))
        *p = ' ';
    for (char *p = memchr(copy, '\r', len); p; p = memchr(p, '\r', len - (size_t)(p - copy)))
        *p = ' ';
    pthread_mutex_lock(&s->mu);
    while (s->count == s->queue_cap && !s->stopping) pthread_cond_wait(&s->not_full, &s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        sl_free(copy);
        return -1;
    }
    s->ring[(s->head + s->count) % s->queue_cap] =
        (sl_sink_row_t){.json = copy, .len = len, .rowtime_ms = rowtime_ms};
    s->count++;
    s->st.written++;
    pthread_cond_signal(&s->not_empty);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int sl_sink_flush(sl_sink_t *s, int timeout_ms)
{
    struct timespec until = deadline_in(timeout_ms < 0 ? 0 : timeout_ms);
    pthread_mutex_lock(&s->mu);
    while (s->count > 0) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&s->idle, &s->mu);
        } else {
            if (passed(&until)) break;
            pthread_cond_timedwait(&s->idle, &s->mu, &until);
        }
    }
    int rc = s->count == 0 ? 0 : -1;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void sl_sink_stats(sl_sink_t *s, sl_sink_stats_t *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    out->queued = s->count;
    pthread_mutex_unlock(&s->mu);
}

void sl_sink_metrics(const sl_sink_sample_t *v, size_t n, sl_buf_t *out)
{
#define SINK_COUNTER(field, type, help) {"sluice_sink_" #field, type, help, offsetof(sl_sink_stats_t, field)}
    static const struct {
        const char *name, *type, *help;
        size_t off; /* of the uint64_t in sl_sink_stats_t */
    } m[] = {
        SINK_COUNTER(written, "counter", "rows the output accepted (queued for delivery)"),
        SINK_COUNTER(delivered, "counter", "rows the receiver accepted"),
        SINK_COUNTER(failed, "counter", "delivery attempts that failed (one per batch)"),
        SINK_COUNTER(retried, "counter", "delivery attempts that were retries"),
        SINK_COUNTER(rate_limited, "counter", "rows dropped by the rate limit"),
        SINK_COUNTER(deduplicated, "counter", "rows suppressed by the de-duplication quiet period"),
        SINK_COUNTER(dead_lettered, "counter", "rows given up and written to the dead-letter file"),
        SINK_COUNTER(discarded, "counter", "rows given up with no dead-letter file to take them"),
        SINK_COUNTER(queued, "gauge", "rows waiting for delivery now"),
    };
#undef SINK_COUNTER
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
        /* Counters carry the _total suffix; the gauge does not. */
        const char *suffix = strcmp(m[k].type, "counter") ? "" : "_total";
        sl_buf_printf(out, "# HELP %s%s %s\n# TYPE %s%s %s\n", m[k].name, suffix, m[k].help,
                      m[k].name, suffix, m[k].type);
        for (size_t i = 0; i < n; i++) {
            sl_buf_printf(out, "%s%s{", m[k].name, suffix);
            if (v[i].application) {
                sl_buf_puts(out, "application=\"");
                sl_buf_prom_label(out, v[i].application);
                sl_buf_puts(out, "\",");
            }
            sl_buf_puts(out, "output=\"");
            sl_buf_prom_label(out, v[i].output ? v[i].output : "");
            if (v[i].stream) {
                sl_buf_puts(out, "\",stream=\"");
                sl_buf_prom_label(out, v[i].stream);
            }
            uint64_t val;
            memcpy(&val, (const char *)&v[i].st + m[k].off, sizeof val);
            sl_buf_printf(out, "\"} %llu\n", (unsigned long long)val);
        }
    }
}

void sl_sink_free(sl_sink_t *s)
{
    if (!s) return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->not_empty);
        pthread_cond_broadcast(&s->not_full);
        struct timespec until = deadline_in(s->drain_ms);
        while (s->count > 0 && !passed(&until)) pthread_cond_timedwait(&s->idle, &s->mu, &until);
        if (s->count > 0) atomic_store(&s->abort, true);
        pthread_cond_broadcast(&s->not_empty);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    sl_sink_target_close(s);
    if (s->ring) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->not_empty);
        pthread_cond_destroy(&s->not_full);
        pthread_cond_destroy(&s->idle);
        sl_free(s->ring);
    }
    sl_sink_policy_free(s->policy);
    for (size_t i = 0; i < s->ncols; i++) sl_free(s->cols[i]);
    sl_free(s->cols);
    for (size_t i = 0; i < s->nheaders; i++) sl_free(s->headers[i]);
    sl_free(s->headers);
    sl_free(s->name);
    sl_free(s->target);
    sl_free(s->dead_letter);
    sl_buf_free(&s->body);
    sl_buf_free(&s->errmsg);
    sl_free(s);
}
