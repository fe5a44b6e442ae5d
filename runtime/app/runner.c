/*
 * runner.c - an application followed from the embedded store on its own thread; see
 * runner.h.
 *
 *     sl_runner_start
 *        copy the description (the runner owns its copy; the plan borrows it)
 *        sl_parse(code) -> sl_plan_build -> sl_engine_new
 *        thread: follow()
 *
 *     follow (the runner's thread)
 *        loop: follow_run; on failure with restart_on_failure: wait (1 s doubling to 60 s),
 *              rebuild the engine, reopen the shards from the last checkpoint, again
 *     follow_run, until stopped or something fails
 *        every round: ListShards-equivalent (sl_store_describe) -> open new shards
 *                     (resuming: at the checkpoint's replay record, re-read up to its
 *                     last record with the engine in replay mode, else after its last
 *                     record; a shard that appears after the start, a reshard's child,
 *                     from its beginning)
 *                     read each open shard (up to 10000 records), merge the shards'
 *                     records by arrival time (each shard is already in order) and push
 *                     them into the engine with ROWTIME = arrival; note (ROWTIME, seq) of
 *                     each shard's first record of the round
 *        idle round: bound(now - idle_ms) so windows of a quiet input close; then wait for
 *                    the store's next put (at most poll_ms)
 *        an output that failed: the run fails (no checkpoint: its rows were not delivered)
 *        every checkpoint_ms with progress: checkpoint_take
 *     stop: (finish_on_stop: close every window) checkpoint_take, join
 *
 *     checkpoint_take
 *        low-water = sl_engine_low_water (oldest source ROWTIME the state needs)
 *        per shard: last record read; the first record of the last round that started
 *                   before low-water (the replay record); or where it was opened
 *        per output: sl_engine_output_marks (ROWTIME, count) of its last row
 *        models (sl_engine_models_save), if any -> DATA/checkpoints/APP.STREAM.state
 *        (temporary file, fsync, rename), then
 *        -> DATA/checkpoints/APP.STREAM (temporary file, fsync, rename), naming the
 *           models' image by size and checksum
 */
#include "runner.h"

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "engine.h"
#include "kclient.h"
#include "plan.h"
#include "val.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_LIMIT 10000
#define RETRY_MAX_MS 60000
#define MARK_EVERY_MS 1000

/* The first record of a shard in one read round: (its ROWTIME as pushed, its sequence
 * number). A shard's marks map the engine's low-water ROWTIME back to a position. */
typedef struct round_mark {
    int64_t rowtime;
    char seq[SL_SEQ_BUF];
} round_mark_t;

/* Where the runner is in one shard of its input. */
typedef struct cursor {
    char id[24];           /* ShardId */
    char *iter;            /* next iterator; NULL once a closed shard is drained */
    char last_seq[SL_SEQ_BUF];     /* sequence number of the last record read ("" before any) */
    char until[SL_SEQ_BUF];        /* re-reading to rebuild state up to this record ("" when not) */
    int64_t open_ms;       /* no record read yet: reopen AT_TIMESTAMP here (<= 0: from the
                              shard's beginning) */
    round_mark_t *marks;   /* rounds since the oldest one state may still need */
    size_t nmarks, capmarks;
} cursor_t;

/* One shard of a checkpoint. */
typedef struct ck_shard {
    char id[24];
    char seq[SL_SEQ_BUF];          /* last record covered: go on after it ("" none) */
    char replay[SL_SEQ_BUF];       /* first record to re-read to rebuild state ("" nothing to) */
    int64_t open_ms;       /* no record read: where it was opened (see cursor_t) */
} ck_shard_t;

/* A checkpoint, in memory: what the file holds (see checkpoint_write). */
typedef struct ckpt {
    ck_shard_t *shards;
    size_t nshards;
    sl_output_mark_t *outs; /* names owned (heap) */
    int nouts;
    char *state;           /* the engine's "%state" lines (sl_engine_state_save), or NULL */
    char *models;          /* the models' image (sl_engine_models_save), or NULL */
    size_t nmodels;        /* its bytes */
} ckpt_t;

struct sl_runner {
    sl_app_desc_t desc;   /* the runner's own copy (the plan borrows it) */
    sl_ast_t *script;     /* the parsed code */
    sl_plan_t *plan;
    sl_engine_t *engine;  /* used by the runner's thread (rebuilt on a restart); replaced
                             only under mu, which sl_runner_sink_stats holds to read it */
    sl_engine_opts_t eo;  /* how the engine is built */
    sl_runner_opts_t o;   /* copy; strings below are owned copies */
    char *name, *data_dir;
    char **outputs;
    FILE *out, *err;
    bool own_out;         /* out is our /dev/null, closed on free */
    pthread_t thread;
    bool started;         /* thread created and not yet joined */
    atomic_bool stop;     /* asks the thread to stop */
    atomic_bool running, retrying;
    _Atomic int64_t records_in, millis_behind, failures, restarts, failed_ms;
    _Atomic int64_t rows_out, errors; /* published by the runner's thread (publish()) */
    int64_t rows_base, errors_base;   /* of the engines before the current one */
    pthread_mutex_t mu;   /* guards failure and the replacement of engine */
    char failure[256];
    sl_kclient_t *kc;     /* the input's Kinesis endpoint (runner's thread), or NULL:
                             the embedded store */
    cursor_t *cur;        /* the input's shards, in the order they were found */
    size_t ncur;
    /* Resuming: shards are opened at the positions of `ck` (LAST_STOPPED_POINT, and every
     * restart after a failure); `ck` is also the last checkpoint written. */
    bool resume;
    ckpt_t ck;
    int64_t last_rowtime; /* ROWTIME of the last record pushed (clamped as the engine does) */
    bool replaying;       /* the engine is in replay mode */
    bool finished;        /* sl_engine_finish ran: no state is left to rebuild */
};

/* Frees what a checkpoint owns and empties it. */
static void ckpt_clear(ckpt_t *c)
{
    for (int i = 0; i < c->nouts; i++) sl_free((char *)c->outs[i].name);
    sl_free(c->outs);
    sl_free(c->shards);
    sl_free(c->state);
    sl_free(c->models);
    memset(c, 0, sizeof *c);
}

/* The checkpoint's entry for a shard, or NULL. */
static const ck_shard_t *ckpt_shard(const ckpt_t *c, const char *id)
{
    for (size_t i = 0; i < c->nshards; i++)
        if (!strcmp(c->shards[i].id, id)) return &c->shards[i];
    return NULL;
}

/* The entry for a shard, created empty when missing. */
static ck_shard_t *ckpt_shard_add(ckpt_t *c, const char *id)
{
    for (size_t i = 0; i < c->nshards; i++)
        if (!strcmp(c->shards[i].id, id)) return &c->shards[i];
    c->shards = sl_realloc(c->shards, (c->nshards + 1) * sizeof *c->shards);
    ck_shard_t *s = &c->shards[c->nshards++];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    return s;
}

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

bool sl_checkpoint_get(const char *path, const char *shard_id, char seq[SL_SEQ_BUF])
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[128], sid[64], sq[64];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %63s", sid, sq) == 2 && !strcmp(sid, shard_id) && strlen(sq) < SL_SEQ_BUF) {
            memcpy(seq, sq, strlen(sq) + 1);
            found = true;
        }
    fclose(f);
    return found;
}

/* The path of the models' image beside checkpoint `path` (heap). */
static char *models_path(const char *path)
{
    return sl_asprintf("%s.state", path);
}

/*
 * Reads the models' image of checkpoint `path` into c->models when it has exactly the
 * size and checksum the checkpoint names; otherwise reports why on r->err and leaves
 * c->models NULL (the models start fresh). Whether the image's content is sound is
 * sl_engine_models_load's to check.
 */
static void models_read(const sl_runner_t *r, const char *path, size_t bytes, uint64_t sum,
                        ckpt_t *c)
{
    char *mp = models_path(path);
    FILE *f = fopen(mp, "rb");
    char *data = NULL;
    size_t got = 0;
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && sb.st_size >= 0 && (uint64_t)sb.st_size == bytes) {
        /* Sized by the file, not by the checkpoint's word alone; one byte more tells a file
         * that grew meanwhile. */
        data = sl_malloc(bytes + 1);
        got = fread(data, 1, bytes + 1, f);
    }
    if (f) fclose(f);
    if (!f || got != bytes || sl_engine_models_sum(data, got) != sum) {
        fprintf(r->err,
                "sluice: application %s: %s: %s; the table functions' models start fresh\n",
                r->name, mp,
                !f ? "missing" : "not the image the checkpoint names (truncated, corrupt or "
                                 "from another checkpoint)");
        sl_free(data);
    } else {
        c->models = data;
        c->nmodels = bytes;
    }
    sl_free(mp);
}

/* Writes len bytes to path through a temporary file, fsynced and renamed into place.
 * Returns false (path untouched) when any step fails. */
static bool write_durably(const char *path, const void *data, size_t len)
{
    char *tmp = sl_asprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f) {
        ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
        ok = fclose(f) == 0 && ok;
    }
    ok = ok && rename(tmp, path) == 0;
    if (!ok) unlink(tmp);
    sl_free(tmp);
    return ok;
}

/*
 * Reads a checkpoint file into c (emptied first). The format, one item a line:
 *     SHARD SEQ                      the last record read and covered
 *     %replay SHARD SEQ              the first record open windows need
 *     %open SHARD MS                 a shard with no record read yet: where it was opened
 *     %output IX ROWTIME COUNT NAME  output IX (NAME, the rest of the line) had COUNT rows
 *                                    at ROWTIME (ms) last
 *     %state ...                     the engine's, given back to it (sl_engine_state_save)
 *     %models BYTES SUM              the models' image is PATH.state, of BYTES bytes and
 *                                    checksum SUM (sl_engine_models_sum)
 * "SHARD SEQ" lines come first, so sl_checkpoint_get (and a sluice that knows only them)
 * reads the file as before. Unknown lines are skipped. Returns false when there is none.
 * The models' image is read into c->models when it is the one the checkpoint names; any
 * other file there (none, another size or checksum: a crash between the two renames of
 * checkpoint_write) is reported on r->err and left out: the models start fresh.
 */
static bool checkpoint_read(const sl_runner_t *r, const char *path, ckpt_t *c)
{
    ckpt_clear(c);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024], a[64], b[64];
    long long x, y;
    unsigned long long sum = 0;
    int ix, at;
    long long mbytes = -1;
    sl_buf_t state = SL_BUF_INIT;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "%state ", 7)) {
            sl_buf_printf(&state, "%s\n", line);
        } else if (sscanf(line, "%%models %lld %llu", &x, &sum) == 2 && x > 0) {
            mbytes = x;
        } else if (sscanf(line, "%%replay %63s %63s", a, b) == 2 && strlen(a) < 24 && strlen(b) < SL_SEQ_BUF) {
            memcpy(ckpt_shard_add(c, a)->replay, b, strlen(b) + 1);
        } else if (sscanf(line, "%%open %63s %lld", a, &x) == 2 && strlen(a) < 24) {
            ckpt_shard_add(c, a)->open_ms = x;
        } else if (sscanf(line, "%%output %d %lld %lld %n", &ix, &x, &y, &at) == 3 && ix >= 0 &&
                   ix < 1024) {
            if (ix >= c->nouts) {
                c->outs = sl_realloc(c->outs, (size_t)(ix + 1) * sizeof *c->outs);
                for (int k = c->nouts; k <= ix; k++) c->outs[k] = (sl_output_mark_t){NULL, INT64_MIN, 0};
                c->nouts = ix + 1;
            }
            sl_free((char *)c->outs[ix].name);
            c->outs[ix] = (sl_output_mark_t){sl_strdup(line + at), x, y};
        } else if (line[0] != '%' && line[0] != '#' && sscanf(line, "%63s %63s", a, b) == 2 &&
                   strlen(a) < 24 && strlen(b) < SL_SEQ_BUF) {
            memcpy(ckpt_shard_add(c, a)->seq, b, strlen(b) + 1);
        }
    }
    fclose(f);
    c->state = sl_buf_steal(&state);
    if (mbytes > 0) models_read(r, path, (size_t)mbytes, (uint64_t)sum, c);
    return true;
}

/*
 * Writes c to path: a temporary file renamed into place, so a crash leaves the old
 * checkpoint or the new one, never half of one. The models' image goes first, the same
 * way, to PATH.state; the checkpoint then names it by size and checksum ("%models"). A
 * crash between the two renames leaves the new image beside the old checkpoint, which
 * names another: a resume then rebuilds the windows as usual and starts the models fresh
 * (checkpoint_read says so) rather than pairing a model with positions it does not match.
 * An image that cannot be written is left out of the checkpoint (same outcome). With no
 * models, a stale image is removed once the checkpoint is in place.
 */
static void checkpoint_write(const sl_runner_t *r, const ckpt_t *c, const char *path)
{
    char *dir = sl_asprintf("%s/checkpoints", r->data_dir);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(r->err, "sluice: application %s: cannot create %s: %s\n", r->name, dir,
                strerror(errno));
    }
    sl_free(dir);
    char *mp = models_path(path);
    bool models = c->models && c->nmodels;
    if (models && !write_durably(mp, c->models, c->nmodels)) {
        fprintf(r->err, "sluice: application %s: cannot write %s: %s\n", r->name, mp,
                strerror(errno));
        models = false;
    }
    char *tmp = sl_asprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f) {
        for (size_t k = 0; k < c->nshards; k++)
            if (c->shards[k].seq[0]) fprintf(f, "%s %s\n", c->shards[k].id, c->shards[k].seq);
        for (size_t k = 0; k < c->nshards; k++) {
            if (c->shards[k].replay[0]) fprintf(f, "%%replay %s %s\n", c->shards[k].id, c->shards[k].replay);
            if (!c->shards[k].seq[0])
                fprintf(f, "%%open %s %lld\n", c->shards[k].id, (long long)c->shards[k].open_ms);
        }
        for (int i = 0; i < c->nouts; i++)
            if (c->outs[i].rowtime != INT64_MIN)
                fprintf(f, "%%output %d %lld %lld %s\n", i, (long long)c->outs[i].rowtime,
                        (long long)c->outs[i].count, c->outs[i].name);
        if (c->state) fputs(c->state, f);
        if (models)
            fprintf(f, "%%models %zu %llu\n", c->nmodels,
                    (unsigned long long)sl_engine_models_sum(c->models, c->nmodels));
        if (fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0) {
            if (rename(tmp, path) == 0 && !models) unlink(mp);
        } else {
            fprintf(r->err, "sluice: application %s: cannot write checkpoint %s\n", r->name, path);
        }
    }
    sl_free(tmp);
    sl_free(mp);
}

/* a <= b for two sequence numbers of one shard. */
static bool seq_le(const char *a, const char *b)
{
    uint64_t x, y;
    int i, j;
    if (sl_seqno_parse(a, &x, &i) && sl_seqno_parse(b, &y, &j)) return x <= y;
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? la < lb : strcmp(a, b) <= 0;
}

/*
 * The first record of cursor c that state older than ROWTIME lw may need to be rebuilt
 * from, into out ("" when none: nothing of this shard is needed), and its ROWTIME into
 * *from (unchanged when none). Rounds whose successor also starts before lw are forgotten:
 * lw only grows.
 */
static void replay_position(cursor_t *c, int64_t lw, char out[SL_SEQ_BUF], int64_t *from)
{
    out[0] = '\0';
    if (lw == INT64_MAX || !c->nmarks) {
        c->nmarks = 0;
        return;
    }
    /* The last round that started before lw holds the first record at or after it (or is
     * all older, costing one round of re-reading); with none, the oldest round. */
    size_t i = 0;
    while (i + 1 < c->nmarks && c->marks[i + 1].rowtime < lw) i++;
    if (i) {
        memmove(c->marks, c->marks + i, (c->nmarks - i) * sizeof *c->marks);
        c->nmarks -= i;
    }
    memcpy(out, c->marks[0].seq, SL_SEQ_BUF);
    *from = c->marks[0].rowtime;
}

/* True while some shard is still being re-read after a resume. */
static bool replay_pending(const sl_runner_t *r)
{
    for (size_t k = 0; k < r->ncur; k++)
        if (r->cur[k].until[0]) return true;
    return false;
}

/*
 * Takes a checkpoint of where the runner is: per shard the last record read, the first
 * record the engine's state needs (from the low-water mark) or where it was opened; per
 * output its position. Kept in r->ck (a restart after a failure resumes there) and written
 * to the file when there is a data directory. Not while a resume is still re-reading:
 * the previous checkpoint stays the valid one until the state is rebuilt. The engine must
 * be flushed and its rows handed to the outputs.
 */
static void checkpoint_take(sl_runner_t *r, const char *path)
{
    if (replay_pending(r)) return;
    int64_t lw = r->finished ? INT64_MAX : sl_engine_low_water(r->engine);
    int64_t from = INT64_MAX; /* the oldest record a resume re-reads */
    ckpt_t c = {0};
    for (size_t k = 0; k < r->ncur; k++) {
        ck_shard_t *s = ckpt_shard_add(&c, r->cur[k].id);
        int64_t at = INT64_MAX;
        memcpy(s->seq, r->cur[k].last_seq, SL_SEQ_BUF);
        replay_position(&r->cur[k], lw, s->replay, &at);
        if (at < from) from = at;
        s->open_ms = r->cur[k].open_ms;
    }
    sl_buf_t state = SL_BUF_INIT;
    sl_engine_state_save(r->engine, from, &state);
    c.state = sl_buf_steal(&state);
    int n = sl_engine_output_marks(r->engine, NULL, 0);
    c.outs = SL_NEWN(sl_output_mark_t, n ? n : 1);
    c.nouts = sl_engine_output_marks(r->engine, c.outs, n);
    for (int i = 0; i < c.nouts; i++) c.outs[i].name = sl_strdup(c.outs[i].name);
    sl_buf_t models = SL_BUF_INIT;
    if (sl_engine_models_save(r->engine, &models) > 0) {
        c.nmodels = models.len;
        c.models = sl_buf_steal(&models);
    }
    sl_buf_free(&models);
    if (path) checkpoint_write(r, &c, path);
    ckpt_clear(&r->ck);
    r->ck = c;
}

/*
 * Appends an ERROR message to the application's CloudWatch log streams, which sluice keeps
 * as files (sl_app_cwlog_path): one JSON line
 * {"timestamp":MS,"applicationName":NAME,"messageType":"ERROR","message":MSG}. Only with a
 * data directory. A file that cannot be written is reported on err; the runner goes on.
 */
static void cwlog_append(sl_runner_t *r, const char *msg, int64_t ms)
{
    if (!r->data_dir) return;
    for (size_t i = 0; i < r->desc.ncwlogs; i++) {
        size_t dl;
        char *path = sl_app_cwlog_path(r->data_dir, r->desc.cwlogs[i].log_stream_arn, &dl);
        if (!path) continue; /* the description's parser admits only log stream ARNs */
        char *logs = sl_asprintf("%s/logs", r->data_dir);
        (void)mkdir(logs, 0755);
        sl_free(logs);
        path[dl] = '\0';
        (void)mkdir(path, 0755);
        path[dl] = '/';
        sl_buf_t line = SL_BUF_INIT;
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, &line);
        sl_enc_obj_begin(&e);
        sl_enc_key(&e, "timestamp");
        sl_enc_i64(&e, ms);
        sl_enc_key(&e, "applicationName");
        sl_enc_str(&e, r->name);
        sl_enc_key(&e, "messageType");
        sl_enc_str(&e, "ERROR");
        sl_enc_key(&e, "message");
        sl_enc_str(&e, msg);
        sl_enc_obj_end(&e);
        sl_buf_putc(&line, '\n');
        FILE *fp = fopen(path, "a");
        bool ok = fp && fwrite(line.p, 1, line.len, fp) == line.len;
        if (fp && fclose(fp) != 0) ok = false;
        if (!ok)
            fprintf(r->err, "sluice: application %s: cannot write %s: %s\n", r->name, path,
                    strerror(errno));
        sl_buf_free(&line);
        sl_free(path);
    }
}

/* Records a failure: counted, kept for stats, logged (stderr and the CloudWatch log
 * streams of the description). */
static void set_failure(sl_runner_t *r, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    /* A long store message is cut to the field's size, on purpose. */
    size_t n = strlen(msg) < sizeof r->failure - 1 ? strlen(msg) : sizeof r->failure - 1;
    memcpy(r->failure, msg, n);
    r->failure[n] = '\0';
    pthread_mutex_unlock(&r->mu);
    int64_t now = sl_clock_now_ms();
    atomic_fetch_add(&r->failures, 1);
    atomic_store(&r->failed_ms, now);
    fprintf(r->err, "sluice: application %s %s: %s\n", r->name,
            r->o.restart_on_failure ? "failed" : "stopped", msg);
    cwlog_append(r, msg, now);
}

/* ---- the input: the embedded store, or a Kinesis endpoint (sluice:Endpoint) ------------ */

/* Calls a Kinesis operation of the input's endpoint; on failure fills err (the AWS error
 * type's code when it is one the runner acts on, else InternalFailure) and returns NULL. */
static sl_val_t *remote_call(sl_runner_t *r, const char *op, const sl_buf_t *body, sl_arena_t *a,
                             sl_awserr_t *err)
{
    sl_val_t *out = NULL;
    const char *etype = NULL, *emsg = NULL;
    int rc = sl_kclient_call(r->kc, op, body->p, body->len, a, &out, &etype, &emsg);
    if (rc == 0) return out;
    sl_awserr_code_t code = SL_AWS_InternalFailure;
    if (etype && !strcmp(etype, "ExpiredIteratorException")) code = SL_AWS_ExpiredIteratorException;
    if (etype && !strcmp(etype, "ResourceNotFoundException")) code = SL_AWS_ResourceNotFoundException;
    sl_awserr_set(err, code, "%s%s%s", etype ? etype : "", etype ? ": " : "", emsg ? emsg : "?");
    return NULL;
}

/* The ShardIds of the input stream (into the arena); false with err when it is gone. */
static bool input_shards(sl_runner_t *r, const char *stream, sl_arena_t *a, const char ***ids,
                         size_t *n, sl_awserr_t *err)
{
    *n = 0;
    *ids = NULL;
    if (!r->kc) {
        sl_stream_info_t *si = sl_store_describe(r->o.store, stream, a, err);
        if (!si) return false;
        *ids = SL_ANEWN(a, const char *, si->nshards ? si->nshards : 1);
        for (size_t i = 0; i < si->nshards; i++) (*ids)[(*n)++] = si->shards[i].id;
        return true;
    }
    size_t cap = 0;
    const char *next = NULL;
    do {
        sl_buf_t body = SL_BUF_INIT;
        sl_buf_puts(&body, next ? "{\"NextToken\":" : "{\"StreamName\":");
        sl_json_quote(&body, next ? next : stream, strlen(next ? next : stream));
        sl_buf_putc(&body, '}');
        sl_val_t *out = remote_call(r, "ListShards", &body, a, err);
        sl_buf_free(&body);
        if (!out) return false;
        const sl_val_t *list = sl_val_get(out, "Shards");
        for (size_t i = 0; list && list->type == SL_V_ARR && i < list->u.arr.n; i++) {
            const char *id = sl_val_get_str(list->u.arr.items[i], "ShardId", NULL);
            if (!id || strlen(id) >= sizeof ((cursor_t *)0)->id) continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                const char **grown = SL_ANEWN(a, const char *, cap);
                if (*n) memcpy(grown, *ids, *n * sizeof *grown);
                *ids = grown;
            }
            (*ids)[(*n)++] = id;
        }
        next = sl_val_get_str(out, "NextToken", NULL);
    } while (next);
    return true;
}

/* A shard iterator (into the arena), or NULL with err. */
static const char *input_iterator(sl_runner_t *r, const char *stream, const char *shard,
                                  sl_iter_type_t type, const char *seq, int64_t ts, sl_arena_t *a,
                                  sl_awserr_t *err)
{
    if (!r->kc) return sl_store_get_iterator(r->o.store, stream, shard, type, seq, ts, a, err);
    static const char *const names[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                        "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP"};
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "{\"StreamName\":");
    sl_json_quote(&body, stream, strlen(stream));
    sl_buf_printf(&body, ",\"ShardId\":\"%s\",\"ShardIteratorType\":\"%s\"", shard, names[type]);
    if (seq) sl_buf_printf(&body, ",\"StartingSequenceNumber\":\"%s\"", seq);
    if (type == SL_ITER_AT_TIMESTAMP)
        sl_buf_printf(&body, ",\"Timestamp\":%lld.%03d", (long long)(ts / 1000), (int)(ts % 1000));
    sl_buf_putc(&body, '}');
    sl_val_t *out = remote_call(r, "GetShardIterator", &body, a, err);
    sl_buf_free(&body);
    const char *it = out ? sl_val_get_str(out, "ShardIterator", NULL) : NULL;
    if (out && !it) sl_awserr_set(err, SL_AWS_InternalFailure, "GetShardIterator: no ShardIterator");
    return it;
}

/* GetRecords at an iterator into res (arena). Returns 0, or -1 with err. */
static int input_records(sl_runner_t *r, const char *iter, sl_arena_t *a, sl_get_result_t *res,
                         sl_awserr_t *err)
{
    if (!r->kc) return sl_store_get_records(r->o.store, iter, READ_LIMIT, a, res, err);
    memset(res, 0, sizeof *res);
    sl_buf_t body = SL_BUF_INIT;
    sl_buf_puts(&body, "{\"ShardIterator\":");
    sl_json_quote(&body, iter, strlen(iter));
    sl_buf_printf(&body, ",\"Limit\":%d}", READ_LIMIT);
    sl_val_t *out = remote_call(r, "GetRecords", &body, a, err);
    sl_buf_free(&body);
    if (!out) return -1;
    const sl_val_t *list = sl_val_get(out, "Records");
    size_t n = list && list->type == SL_V_ARR ? list->u.arr.n : 0;
    res->records = SL_ANEWN(a, sl_record_t, n ? n : 1);
    for (size_t k = 0; k < n; k++) {
        const sl_val_t *v = list->u.arr.items[k];
        sl_record_t *rec = &res->records[res->n];
        const char *seq = sl_val_get_str(v, "SequenceNumber", NULL);
        if (!seq || strlen(seq) >= sizeof rec->seq) {
            sl_awserr_set(err, SL_AWS_InternalFailure, "GetRecords: sequence number %s: longer "
                          "than the %zu digits sluice keeps", seq ? seq : "(none)", sizeof rec->seq - 1);
            return -1;
        }
        memcpy(rec->seq, seq, strlen(seq) + 1);
        if (sl_val_time_ms(sl_val_get(v, "ApproximateArrivalTimestamp"), &rec->arrival_ms) != 1 ||
            sl_val_blob(a, sl_val_get(v, "Data"), &rec->data, &rec->len) != 1) {
            sl_awserr_set(err, SL_AWS_InternalFailure, "GetRecords: record %s without "
                          "ApproximateArrivalTimestamp or Data", seq);
            return -1;
        }
        rec->pk = sl_val_get_str(v, "PartitionKey", &rec->pk_len);
        res->n++;
    }
    res->next_iterator = sl_val_get_str(out, "NextShardIterator", NULL);
    int64_t behind = 0;
    if (sl_val_get_i64(out, "MillisBehindLatest", &behind)) res->millis_behind = behind;
    return 0;
}

/* The iterator type for a shard found at the start (first) or later (a reshard's child,
 * always read from its beginning so nothing between parent and child is skipped), and
 * where that is in time (cursor_t.open_ms). */
static sl_iter_type_t start_type(const sl_runner_t *r, const sl_app_input_t *in, bool first,
                                 int64_t *ts, int64_t *open_ms)
{
    *open_ms = 0;
    if (!first) return SL_ITER_TRIM_HORIZON;
    int start = r->o.start_set ? r->o.start : (int)in->start;
    *ts = r->o.start_set ? r->o.start_ms : in->start_ms;
    switch (start) {
    case SL_START_TRIM_HORIZON:
    case SL_START_LAST_STOPPED_POINT: return SL_ITER_TRIM_HORIZON;
    case SL_START_AT_TIMESTAMP: *open_ms = *ts; return SL_ITER_AT_TIMESTAMP;
    default: *open_ms = sl_clock_now_ms(); return SL_ITER_LATEST;
    }
}

/*
 * Opens cursors for shards of the input stream not seen yet. Resuming, a shard of the
 * checkpoint opens at its replay record (re-read up to the checkpointed one, `until`), else
 * after its checkpointed record, else where it was opened before. Returns false when the
 * stream is gone.
 */
static bool discover_shards(sl_runner_t *r, const sl_app_input_t *in, sl_arena_t *a)
{
    sl_awserr_t err;
    memset(&err, 0, sizeof err);
    const char **ids;
    size_t nids;
    if (!input_shards(r, in->stream, a, &ids, &nids, &err)) {
        set_failure(r, err.msg);
        return false;
    }
    bool first = r->ncur == 0;
    for (size_t i = 0; i < nids; i++) {
        const char *id = ids[i];
        bool known = false;
        for (size_t k = 0; k < r->ncur && !known; k++) known = !strcmp(r->cur[k].id, id);
        if (known) continue;
        const ck_shard_t *ck = r->resume ? ckpt_shard(&r->ck, id) : NULL;
        int64_t ts = 0, open_ms = 0;
        const char *seq = NULL, *until = "";
        sl_iter_type_t type;
        if (ck && ck->replay[0] && ck->seq[0]) {
            type = SL_ITER_AT_SEQUENCE_NUMBER;
            seq = ck->replay;
            until = ck->seq;
        } else if (ck && ck->seq[0]) {
            type = SL_ITER_AFTER_SEQUENCE_NUMBER;
            seq = ck->seq;
        } else if (ck) {
            open_ms = ck->open_ms;
            ts = open_ms;
            type = open_ms > 0 ? SL_ITER_AT_TIMESTAMP : SL_ITER_TRIM_HORIZON;
        } else {
            type = start_type(r, in, first, &ts, &open_ms);
        }
        const char *it = input_iterator(r, in->stream, id, type, seq, ts, a, &err);
        if (!it && type == SL_ITER_AT_SEQUENCE_NUMBER) {
            /* The records to rebuild from are gone (retention): go on without them. */
            fprintf(r->err, "sluice: application %s: %s: cannot re-read from %s (%s); open "
                            "windows lose the records before the stop\n",
                    r->name, id, seq, err.msg);
            type = SL_ITER_AFTER_SEQUENCE_NUMBER;
            seq = ck->seq;
            until = "";
            it = input_iterator(r, in->stream, id, type, seq, ts, a, &err);
        }
        if (!it) {
            fprintf(r->err, "sluice: application %s: %s: %s\n", r->name, id, err.msg);
            continue;
        }
        r->cur = sl_realloc(r->cur, (r->ncur + 1) * sizeof *r->cur);
        cursor_t *c = &r->cur[r->ncur++];
        memset(c, 0, sizeof *c);
        snprintf(c->id, sizeof c->id, "%s", id);
        c->iter = sl_strdup(it);
        if (ck) memcpy(c->last_seq, ck->seq, SL_SEQ_BUF);
        snprintf(c->until, sizeof c->until, "%s", until);
        c->open_ms = open_ms;
    }
    return true;
}

/* Notes the first record of a shard in a round (see round_mark_t), at most one a second
 * of ROWTIME: marks may be any subset of the rounds that keeps the shard's first, and a
 * busy input reads many rounds a second (a resume then re-reads up to a second more). */
static void mark_round(cursor_t *c, int64_t rowtime, const char *seq)
{
    if (c->nmarks && rowtime - c->marks[c->nmarks - 1].rowtime < MARK_EVERY_MS) return;
    if (c->nmarks == c->capmarks) {
        c->capmarks = c->capmarks ? c->capmarks * 2 : 16;
        c->marks = sl_realloc(c->marks, c->capmarks * sizeof *c->marks);
    }
    c->marks[c->nmarks].rowtime = rowtime;
    memcpy(c->marks[c->nmarks].seq, seq, SL_SEQ_BUF);
    c->nmarks++;
}

/* Switches the engine in or out of replay mode; the rows decoded so far are pushed under
 * the mode they were read in. */
static void set_replay(sl_runner_t *r, bool on)
{
    if (on == r->replaying) return;
    sl_engine_flush(r->engine);
    sl_engine_set_replay(r->engine, on);
    r->replaying = on;
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
        if (input_records(r, c->iter, a, &res[k], &err) < 0) {
            if (err.code == SL_AWS_ExpiredIteratorException && c->last_seq[0]) {
                /* Idle longer than an iterator lives: re-open after the last record. */
                const char *it = input_iterator(r, r->desc.inputs[0].stream, c->id,
                                                SL_ITER_AFTER_SEQUENCE_NUMBER, c->last_seq, 0, a,
                                                &err);
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
        /* Re-reading, but the record to stop at is not there any more: done. */
        if (c->until[0] && !res[k].n && (!c->iter || !res[k].millis_behind)) c->until[0] = '\0';
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
        cursor_t *c = &r->cur[best];
        const sl_record_t *rec = &res[best].records[pos[best]++];
        bool again = c->until[0] && seq_le(rec->seq, c->until);
        if (c->until[0] && (!again || !strcmp(rec->seq, c->until))) c->until[0] = '\0';
        set_replay(r, again);
        int64_t rowtime = rec->arrival_ms > r->last_rowtime ? rec->arrival_ms : r->last_rowtime;
        r->last_rowtime = rowtime;
        if (pos[best] == 1) mark_round(c, rowtime, rec->seq);
        unsigned char *data = sl_engine_record_buf(r->engine, 0, rec->len);
        if (rec->len) memcpy(data, rec->data, rec->len);
        sl_engine_record(r->engine, 0, (const char *)data, rec->len, rec->arrival_ms,
                         rec->arrival_ms, rec->seq);
        memcpy(c->last_seq, rec->seq, sizeof c->last_seq);
        pushed++;
    }
    if (!replay_pending(r)) set_replay(r, false);
    return pushed;
}

/* Frees the cursors (a restart opens them again from the checkpoint). */
static void cursors_free(sl_runner_t *r)
{
    for (size_t k = 0; k < r->ncur; k++) {
        sl_free(r->cur[k].iter);
        sl_free(r->cur[k].marks);
    }
    sl_free(r->cur);
    r->cur = NULL;
    r->ncur = 0;
}

static void engine_build_done(sl_runner_t *r);

/* Publishes the engine's counters for sl_runner_stats (other threads never touch the
 * engine, which a restart replaces). */
static void publish(sl_runner_t *r)
{
    atomic_store(&r->rows_out, r->rows_base + sl_engine_rows_out(r->engine));
    atomic_store(&r->errors, r->errors_base + sl_engine_errors(r->engine));
}

/* Frees the engine. It is taken out under mu first, so that sl_runner_sink_stats never
 * reads a freed one; the free itself (which drains the sinks, up to their drain_ms) runs
 * outside the lock. */
static void engine_free(sl_runner_t *r)
{
    pthread_mutex_lock(&r->mu);
    sl_engine_t *e = r->engine;
    r->engine = NULL;
    pthread_mutex_unlock(&r->mu);
    sl_engine_free(e);
}

/* Builds a fresh engine and tells its outputs which rows they already delivered (the
 * positions of r->ck when resuming). Returns false, with the failure recorded, when the
 * engine cannot be built. */
static bool engine_build(sl_runner_t *r)
{
    if (r->engine) {
        r->rows_base += sl_engine_rows_out(r->engine);
        r->errors_base += sl_engine_errors(r->engine);
        engine_free(r);
    }
    char *err = NULL;
    sl_engine_t *e = sl_engine_new(r->plan, &r->eo, &err);
    pthread_mutex_lock(&r->mu);
    r->engine = e;
    pthread_mutex_unlock(&r->mu);
    if (!r->engine) {
        set_failure(r, err ? err : "the engine cannot be built");
        sl_free(err);
        return false;
    }
    engine_build_done(r);
    return true;
}

/* Readies a new engine: nothing pushed yet, and (resuming) the outputs' positions. */
static void engine_build_done(sl_runner_t *r)
{
    r->last_rowtime = INT64_MIN;
    r->replaying = false;
    r->finished = false;
    /* The engine's own lines, one at a time. */
    for (const char *l = r->resume ? r->ck.state : NULL; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char *one = sl_strndup(l, n);
        sl_engine_state_load(r->engine, one);
        sl_free(one);
        l += n + (nl != NULL);
    }
    /* The models, each either restored or (with a line on err) fresh. */
    if (r->resume && r->ck.models) {
        sl_buf_t log = SL_BUF_INIT;
        sl_engine_models_load(r->engine, r->ck.models, r->ck.nmodels, &log);
        for (const char *l = log.p; l && *l;) {
            const char *nl = strchr(l, '\n');
            int n = nl ? (int)(nl - l) : (int)strlen(l);
            fprintf(r->err, "sluice: application %s: %.*s\n", r->name, n, l);
            l += n + (nl != NULL);
        }
        sl_buf_free(&log);
    }
    if (r->resume)
        for (int i = 0; i < r->ck.nouts; i++)
            if (r->ck.outs[i].name)
                sl_engine_skip_output(r->engine, i, r->ck.outs[i].name, r->ck.outs[i].rowtime,
                                      r->ck.outs[i].count);
}

/*
 * One run of the application: follow the input until stopped (true) or until something
 * fails (false: the failure is recorded, no checkpoint is written - the rows since the
 * last one may not have reached the outputs).
 */
static bool follow_run(sl_runner_t *r, const char *ckpt, bool *progress)
{
    const sl_app_input_t *in = &r->desc.inputs[0];
    sl_arena_t *a = sl_arena_new(0);
    int64_t last_data = sl_clock_now_ms();
    int64_t last_ck = sl_clock_mono_ns();
    bool dirty = false, ok = true;
    int rounds = 0;
    while (!atomic_load(&r->stop)) {
        sl_arena_reset(a);
        /* Taken before reading: a put after this point wakes the wait below at once. */
        uint64_t seen = r->kc ? 0 : sl_store_appends(r->o.store);
        /* New shards appear only by resharding: look for them every 20 rounds. */
        if (rounds++ % 20 == 0 && !discover_shards(r, in, a)) {
            ok = false;
            break;
        }
        if (rounds == 1) checkpoint_take(r, ckpt); /* where this run starts */
        long n = read_round(r, a);
        if (n < 0) {
            ok = false;
            break;
        }
        atomic_fetch_add(&r->records_in, n);
        int64_t now = sl_clock_now_ms();
        int64_t rows_before = sl_engine_rows_out(r->engine);
        if (n > 0) {
            last_data = now;
            sl_engine_flush(r->engine);
        } else if (now - last_data >= r->o.idle_ms) {
            /* Quiet input: the clock vouches that nothing older than idle_ms will come, so
             * the last window of a quiet stream is not held back forever. */
            sl_engine_bound(r->engine, 0, now - r->o.idle_ms);
        }
        if (sl_engine_failure(r->engine)) {
            set_failure(r, sl_engine_failure(r->engine));
            ok = false;
            break;
        }
        dirty |= n > 0 || sl_engine_rows_out(r->engine) != rows_before;
        publish(r);
        if (dirty && sl_clock_mono_ns() - last_ck >= (int64_t)r->o.checkpoint_ms * 1000000) {
            fflush(r->out);
            checkpoint_take(r, ckpt);
            last_ck = sl_clock_mono_ns();
            *progress = true;
            dirty = false;
        }
        if (n > 0) {
            fflush(r->out);
        } else {
            if (r->o.idle_exit_ms > 0 && now - last_data >= r->o.idle_exit_ms) break;
            /* Nothing new: sleep until the next put (or poll_ms, for the clock's bounds); a
             * remote input is polled every poll_ms. */
            if (r->kc) {
                struct timespec d = {r->o.poll_ms / 1000, (long)(r->o.poll_ms % 1000) * 1000000};
                nanosleep(&d, NULL);
            } else {
                sl_store_wait_appends(r->o.store, seen, r->o.poll_ms);
            }
        }
    }
    if (ok) {
        /* Rows of the windows closed here are out before the checkpoint that covers them. */
        if (r->o.finish_on_stop) {
            sl_engine_finish(r->engine);
            r->finished = true;
        }
        fflush(r->out);
        if (sl_engine_failure(r->engine)) {
            set_failure(r, sl_engine_failure(r->engine));
            ok = false;
        } else {
            checkpoint_take(r, ckpt);
        }
    }
    fflush(r->out);
    publish(r);
    sl_arena_free(a);
    return ok;
}

/* The runner's thread: follow the input until stopped; with restart_on_failure, a run that
 * fails starts again from the last checkpoint after a backoff. */
static void *follow(void *arg)
{
    sl_runner_t *r = arg;
    const sl_app_input_t *in = &r->desc.inputs[0];
    char *ckpt = r->data_dir ? sl_checkpoint_path(r->data_dir, r->name, in->stream) : NULL;
    bool built = true; /* by sl_runner_start */
    int in_a_row = 0;
    if (in->endpoint) r->kc = sl_kclient_new(in->endpoint); /* one per thread */
    for (;;) {
        bool progress = false;
        atomic_store(&r->running, built);
        if (built && follow_run(r, ckpt, &progress)) break;
        atomic_store(&r->running, false);
        if (!r->o.restart_on_failure || atomic_load(&r->stop)) break;
        in_a_row = progress ? 1 : in_a_row + 1;
        int64_t wait = r->o.retry_ms;
        for (int i = 1; i < in_a_row && wait < RETRY_MAX_MS; i++) wait *= 2;
        if (wait > RETRY_MAX_MS) wait = RETRY_MAX_MS;
        fprintf(r->err, "sluice: application %s: restarting from its last checkpoint in %lld ms\n",
                r->name, (long long)wait);
        atomic_store(&r->retrying, true);
        for (int64_t t = 0; t < wait && !atomic_load(&r->stop); t += 20) {
            struct timespec d = {0, 20 * 1000000};
            nanosleep(&d, NULL);
        }
        atomic_store(&r->retrying, false);
        if (atomic_load(&r->stop)) break;
        /* Start again where the last checkpoint says, as LAST_STOPPED_POINT would. */
        cursors_free(r);
        r->resume = true;
        built = engine_build(r);
        atomic_fetch_add(&r->restarts, 1);
    }
    sl_free(ckpt);
    sl_kclient_free(r->kc);
    r->kc = NULL;
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
    if (!desc->inputs[0].endpoint && !opts->store) {
        *err = sl_asprintf("input %s: no store to read it from (and no sluice:Endpoint)",
                           desc->inputs[0].stream);
        return NULL;
    }
    sl_runner_t *r = SL_NEW(sl_runner_t);
    pthread_mutex_init(&r->mu, NULL);
    r->o = *opts;
    if (r->o.idle_ms <= 0) r->o.idle_ms = 1000;
    if (r->o.poll_ms <= 0) r->o.poll_ms = 50;
    if (r->o.checkpoint_ms <= 0) r->o.checkpoint_ms = 1000;
    if (r->o.retry_ms <= 0) r->o.retry_ms = 1000;
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
    r->eo = (sl_engine_opts_t){
        .outputs = (const char *const *)r->outputs,
        .noutputs = opts->noutputs,
        .out = r->out,
        .err = r->err,
        .store = opts->store,
        .base_dir = opts->base_dir ? opts->base_dir : opts->data_dir,
    };
    /* LAST_STOPPED_POINT: the checkpoint says where each shard resumes and which rows the
     * outputs already have. */
    const sl_app_input_t *in = &r->desc.inputs[0];
    if ((r->o.start_set ? r->o.start : (int)in->start) == SL_START_LAST_STOPPED_POINT &&
        r->data_dir) {
        char *path = sl_checkpoint_path(r->data_dir, r->name, in->stream);
        r->resume = checkpoint_read(r, path, &r->ck);
        sl_free(path);
    }
    r->engine = sl_engine_new(r->plan, &r->eo, err);
    if (!r->engine) goto fail;
    engine_build_done(r);
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
    engine_free(r);
    sl_plan_free(r->plan);
    sl_ast_free(r->script);
    sl_app_desc_free(&r->desc);
    cursors_free(r);
    ckpt_clear(&r->ck);
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
    out->retrying = atomic_load(&r->retrying);
    out->failures = atomic_load(&r->failures);
    out->restarts = atomic_load(&r->restarts);
    out->failed_ms = atomic_load(&r->failed_ms);
    out->rows_out = atomic_load(&r->rows_out);
    out->errors = atomic_load(&r->errors);
    pthread_mutex_lock(&r->mu);
    memcpy(out->failure, r->failure, sizeof out->failure);
    pthread_mutex_unlock(&r->mu);
}

int sl_runner_sink_stats(sl_runner_t *r, struct sl_sink_sample *out, int max)
{
    pthread_mutex_lock(&r->mu);
    int n = r->engine ? sl_engine_sink_stats(r->engine, out, max) : 0;
    pthread_mutex_unlock(&r->mu);
    return n;
}

void sl_runner_explain(const sl_runner_t *r, sl_buf_t *out)
{
    if (r->plan) sl_plan_explain(r->plan, out);
}
