/*
 * runner.c - an application followed from the embedded store on its own thread; see
 * runner.h.
 *
 *     sl_runner_start
 *        copy the description (the runner owns its copy; the plan borrows it)
 *        sl_parse(code) -> sl_plan_build -> sl_engine_new
 *        thread: follow()
 *
 *     follow (the runner's thread), until stopped or the input stream disappears
 *        every round: ListShards-equivalent (sl_store_describe) -> open new shards
 *                     (LAST_STOPPED_POINT: after the checkpointed record; a shard that
 *                     appears after the start, a reshard's child, from its beginning)
 *                     read each open shard (up to 10000 records), merge the shards'
 *                     records by arrival time (each shard is already in order) and push
 *                     them into the engine with ROWTIME = arrival
 *        idle round: bound(now - idle_ms) so windows of a quiet input close; then wait for
 *                    the store's next put (at most poll_ms)
 *     stop: checkpoint the last record read of every shard, join
 */
#include "runner.h"

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "engine.h"
#include "plan.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_LIMIT 10000

/* Where the runner is in one shard of its input. */
typedef struct cursor {
    char id[24];       /* ShardId */
    char *iter;        /* next iterator; NULL once a closed shard is drained */
    char last_seq[33]; /* sequence number of the last record read ("" before any) */
} cursor_t;

struct sl_runner {
    sl_app_desc_t desc;   /* the runner's own copy (the plan borrows it) */
    sl_ast_t *script;     /* the parsed code */
    sl_plan_t *plan;
    sl_engine_t *engine;  /* used by the runner's thread only */
    sl_runner_opts_t o;   /* copy; strings below are owned copies */
    char *name, *data_dir;
    char **outputs;
    FILE *out, *err;
    bool own_out;         /* out is our /dev/null, closed on free */
    pthread_t thread;
    bool started;         /* thread created and not yet joined */
    atomic_bool stop;     /* asks the thread to stop */
    atomic_bool running;
    _Atomic int64_t records_in, millis_behind;
    pthread_mutex_t mu;   /* guards failure */
    char failure[256];
    cursor_t *cur;        /* the input's shards, in the order they were found */
    size_t ncur;
};

char *sl_checkpoint_path(const char *data_dir, const char *app, const char *stream)
{
    char *p = sl_asprintf("%s/checkpoints/%s.%s", data_dir, app ? app : "app", stream);
    /* Names may hold any character: keep the file name to [A-Za-z0-9._-]. */
    for (char *q = p + strlen(data_dir) + strlen("/checkpoints/"); *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '.' || *q == '-' || *q == '_'))
            *q = '_';
    return p;
}

bool sl_checkpoint_get(const char *path, const char *shard_id, char seq[33])
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[128], sid[64], sq[64];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %63s", sid, sq) == 2 && !strcmp(sid, shard_id) && strlen(sq) < 33) {
            memcpy(seq, sq, strlen(sq) + 1);
            found = true;
        }
    fclose(f);
    return found;
}

/* Writes the last sequence number read of every shard: a temporary file renamed into
 * place, so a crash leaves the old checkpoint or the new one, never half of one. */
static void checkpoint_put(const sl_runner_t *r, const char *path)
{
    char *dir = sl_asprintf("%s/checkpoints", r->data_dir);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(r->err, "sluice: application %s: cannot create %s: %s\n", r->name, dir,
                strerror(errno));
    }
    sl_free(dir);
    char *tmp = sl_asprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f) {
        for (size_t k = 0; k < r->ncur; k++)
            if (r->cur[k].last_seq[0]) fprintf(f, "%s %s\n", r->cur[k].id, r->cur[k].last_seq);
        if (fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0) {
            rename(tmp, path);
        } else {
            fprintf(r->err, "sluice: application %s: cannot write checkpoint %s\n", r->name, path);
        }
    }
    sl_free(tmp);
}

static void set_failure(sl_runner_t *r, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    /* A long store message is cut to the field's size, on purpose. */
    size_t n = strlen(msg) < sizeof r->failure - 1 ? strlen(msg) : sizeof r->failure - 1;
    memcpy(r->failure, msg, n);
    r->failure[n] = '\0';
    pthread_mutex_unlock(&r->mu);
    fprintf(r->err, "sluice: application %s stopped: %s\n", r->name, msg);
}

/* The iterator type for a shard found at the start (first) or later (a reshard's child,
 * always read from its beginning so nothing between parent and child is skipped). */
static sl_iter_type_t start_type(const sl_runner_t *r, const sl_app_input_t *in, bool first,
                                 int64_t *ts)
{
    if (!first) return SL_ITER_TRIM_HORIZON;
    int start = r->o.start_set ? r->o.start : (int)in->start;
    *ts = r->o.start_set ? r->o.start_ms : in->start_ms;
    switch (start) {
    case SL_START_TRIM_HORIZON:
    case SL_START_LAST_STOPPED_POINT: return SL_ITER_TRIM_HORIZON;
    case SL_START_AT_TIMESTAMP: return SL_ITER_AT_TIMESTAMP;
    default: return SL_ITER_LATEST;
    }
}

/* Opens cursors for shards of the input stream not seen yet. Returns false when the stream
 * is gone. */
static bool discover_shards(sl_runner_t *r, const sl_app_input_t *in, const char *ckpt,
                            sl_arena_t *a)
{
    sl_awserr_t err;
    memset(&err, 0, sizeof err);
    sl_stream_info_t *si = sl_store_describe(r->o.store, in->stream, a, &err);
    if (!si) {
        set_failure(r, err.msg);
        return false;
    }
    bool first = r->ncur == 0;
    int start = r->o.start_set ? r->o.start : (int)in->start;
    for (size_t i = 0; i < si->nshards; i++) {
        bool known = false;
        for (size_t k = 0; k < r->ncur && !known; k++) known = !strcmp(r->cur[k].id, si->shards[i].id);
        if (known) continue;
        char seq[33] = "";
        bool resume = start == SL_START_LAST_STOPPED_POINT && ckpt &&
                      sl_checkpoint_get(ckpt, si->shards[i].id, seq);
        int64_t ts = 0;
        sl_iter_type_t type = resume ? SL_ITER_AFTER_SEQUENCE_NUMBER : start_type(r, in, first, &ts);
        const char *it = sl_store_get_iterator(r->o.store, in->stream, si->shards[i].id, type,
                                               resume ? seq : NULL, ts, a, &err);
        if (!it) {
            fprintf(r->err, "sluice: application %s: %s: %s\n", r->name, si->shards[i].id, err.msg);
            continue;
        }
        r->cur = sl_realloc(r->cur, (r->ncur + 1) * sizeof *r->cur);
        cursor_t *c = &r->cur[r->ncur++];
        memset(c, 0, sizeof *c);
        snprintf(c->id, sizeof c->id, "%s", si->shards[i].id);
        c->iter = sl_strdup(it);
        memcpy(c->last_seq, seq, sizeof seq);
    }
    return true;
}

/* One read of every open shard, merged by arrival into the engine. Returns the number of
 * records pushed, or -1 when the input failed. */
static long read_round(sl_runner_t *r, sl_arena_t *a)
{
    sl_get_result_t *res = SL_ANEWN(a, sl_get_result_t, r->ncur ? r->ncur : 1);
    size_t *pos = SL_ANEWN(a, size_t, r->ncur ? r->ncur : 1);
    int64_t behind = 0;
    for (size_t k = 0; k < r->ncur; k++) {
        cursor_t *c = &r->cur[k];
        if (!c->iter) continue;
        sl_awserr_t err;
        memset(&err, 0, sizeof err);
        if (sl_store_get_records(r->o.store, c->iter, READ_LIMIT, a, &res[k], &err) < 0) {
            if (err.code == SL_AWS_ExpiredIteratorException && c->last_seq[0]) {
                /* Idle longer than an iterator lives: re-open after the last record. */
                const char *it = sl_store_get_iterator(
                    r->o.store, r->desc.inputs[0].stream, c->id, SL_ITER_AFTER_SEQUENCE_NUMBER,
                    c->last_seq, 0, a, &err);
                if (it) {
                    sl_free(c->iter);
                    c->iter = sl_strdup(it);
                    continue;
                }
            }
            set_failure(r, err.msg);
            return -1;
        }
        sl_free(c->iter);
        c->iter = res[k].next_iterator ? sl_strdup(res[k].next_iterator) : NULL;
        if (res[k].millis_behind > behind) behind = res[k].millis_behind;
    }
    atomic_store(&r->millis_behind, behind);
    /* k-way merge by arrival time; ties keep shard order (each shard is in order). */
    long pushed = 0;
    for (;;) {
        size_t best = r->ncur;
        for (size_t k = 0; k < r->ncur; k++) {
            if (pos[k] >= res[k].n) continue;
            if (best == r->ncur ||
                res[k].records[pos[k]].arrival_ms < res[best].records[pos[best]].arrival_ms)
                best = k;
        }
        if (best == r->ncur) break;
        const sl_record_t *rec = &res[best].records[pos[best]++];
        unsigned char *data = sl_engine_record_buf(r->engine, 0, rec->len);
        if (rec->len) memcpy(data, rec->data, rec->len);
        sl_engine_record(r->engine, 0, (const char *)data, rec->len, rec->arrival_ms,
                         rec->arrival_ms, rec->seq);
        memcpy(r->cur[best].last_seq, rec->seq, sizeof r->cur[best].last_seq);
        pushed++;
    }
    return pushed;
}

/* The runner's thread: follow the input until stopped. */
static void *follow(void *arg)
{
    sl_runner_t *r = arg;
    const sl_app_input_t *in = &r->desc.inputs[0];
    char *ckpt = r->data_dir ? sl_checkpoint_path(r->data_dir, r->name, in->stream) : NULL;
    sl_arena_t *a = sl_arena_new(0);
    int64_t last_data = sl_clock_now_ms();
    int rounds = 0;
    while (!atomic_load(&r->stop)) {
        sl_arena_reset(a);
        /* Taken before reading: a put after this point wakes the wait below at once. */
        uint64_t seen = sl_store_appends(r->o.store);
        /* New shards appear only by resharding: look for them every 20 rounds. */
        if (rounds++ % 20 == 0 && !discover_shards(r, in, ckpt, a)) break;
        long n = read_round(r, a);
        if (n < 0) break;
        atomic_fetch_add(&r->records_in, n);
        int64_t now = sl_clock_now_ms();
        if (n > 0) {
            last_data = now;
            sl_engine_flush(r->engine);
        } else {
            /* Quiet input: the clock vouches that nothing older than idle_ms will come, so
             * the last window of a quiet stream is not held back forever. */
            if (now - last_data >= r->o.idle_ms) sl_engine_bound(r->engine, 0, now - r->o.idle_ms);
            if (r->o.idle_exit_ms > 0 && now - last_data >= r->o.idle_exit_ms) break;
            /* Nothing new: sleep until the next put (or poll_ms, for the clock's bounds). */
            sl_store_wait_appends(r->o.store, seen, r->o.poll_ms);
        }
        if (n > 0) fflush(r->out);
    }
    /* Rows of the windows closed here are out before the checkpoint that covers them. */
    if (r->o.finish_on_stop) sl_engine_finish(r->engine);
    fflush(r->out);
    if (ckpt) checkpoint_put(r, ckpt);
    sl_free(ckpt);
    sl_arena_free(a);
    atomic_store(&r->running, false);
    return NULL;
}

sl_runner_t *sl_runner_start(const sl_app_desc_t *desc, const sl_runner_opts_t *opts,
                             sl_diag_t *diags, char **err)
{
    *err = NULL;
    if (!desc->ninputs) {
        *err = sl_strdup("the application has no input to follow");
        return NULL;
    }
    if (desc->inputs[0].endpoint) {
        *err = sl_asprintf("input %s reads a remote Kinesis endpoint; the runner follows the "
                           "embedded store only",
                           desc->inputs[0].stream);
        return NULL;
    }
    sl_runner_t *r = SL_NEW(sl_runner_t);
    pthread_mutex_init(&r->mu, NULL);
    r->o = *opts;
    if (r->o.idle_ms <= 0) r->o.idle_ms = 1000;
    if (r->o.poll_ms <= 0) r->o.poll_ms = 50;
    r->name = sl_strdup(opts->name ? opts->name : desc->name ? desc->name : "app");
    r->data_dir = opts->data_dir ? sl_strdup(opts->data_dir) : NULL;
    r->err = opts->err ? opts->err : stderr;
    r->out = opts->out;
    if (!r->out) {
        r->out = fopen("/dev/null", "w");
        r->own_out = true;
    }
    if (opts->noutputs) {
        r->outputs = SL_NEWN(char *, (size_t)opts->noutputs);
        for (int i = 0; i < opts->noutputs; i++) r->outputs[i] = sl_strdup(opts->outputs[i]);
    }
    sl_app_desc_copy(&r->desc, desc);
    const char *code = r->desc.code ? r->desc.code : "";
    int before = diags->count;
    r->script = sl_parse(r->name, code, strlen(code), diags);
    if (diags->count == before) r->plan = sl_plan_build(r->script, &r->desc, diags);
    if (!r->plan) goto fail;
    sl_engine_opts_t eo = {
        .outputs = (const char *const *)r->outputs,
        .noutputs = opts->noutputs,
        .out = r->out,
        .err = r->err,
        .store = opts->store,
        .base_dir = opts->base_dir ? opts->base_dir : opts->data_dir,
    };
    r->engine = sl_engine_new(r->plan, &eo, err);
    if (!r->engine) goto fail;
    atomic_store(&r->running, true);
    if (pthread_create(&r->thread, NULL, follow, r) != 0) {
        *err = sl_strdup("cannot start the runner thread");
        atomic_store(&r->running, false);
        goto fail;
    }
    r->started = true;
    return r;
fail:
    sl_runner_free(r);
    return NULL;
}

void sl_runner_stop(sl_runner_t *r)
{
    if (!r || !r->started) return;
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    r->started = false;
    fflush(r->out);
}

void sl_runner_free(sl_runner_t *r)
{
    if (!r) return;
    sl_runner_stop(r);
    sl_engine_free(r->engine);
    sl_plan_free(r->plan);
    sl_ast_free(r->script);
    sl_app_desc_free(&r->desc);
    for (size_t k = 0; k < r->ncur; k++) sl_free(r->cur[k].iter);
    sl_free(r->cur);
    for (int i = 0; i < r->o.noutputs; i++) sl_free(r->outputs[i]);
    sl_free(r->outputs);
    if (r->own_out && r->out) fclose(r->out);
    sl_free(r->name);
    sl_free(r->data_dir);
    pthread_mutex_destroy(&r->mu);
    sl_free(r);
}

void sl_runner_stats(sl_runner_t *r, sl_runner_stats_t *out)
{
    memset(out, 0, sizeof *out);
    out->records_in = atomic_load(&r->records_in);
    out->millis_behind = atomic_load(&r->millis_behind);
    out->running = atomic_load(&r->running);
    /* The engine's counters are written by the runner's thread; reading a possibly
     * stale int64 here is fine for statistics. */
    out->rows_out = r->engine ? sl_engine_rows_out(r->engine) : 0;
    out->errors = r->engine ? sl_engine_errors(r->engine) : 0;
    pthread_mutex_lock(&r->mu);
    memcpy(out->failure, r->failure, sizeof out->failure);
    pthread_mutex_unlock(&r->mu);
}

void sl_runner_explain(const sl_runner_t *r, sl_buf_t *out)
{
    if (r->plan) sl_plan_explain(r->plan, out);
}
