/*
 * store.c - streams, shards, lineage, iterators and the catalog; see store.h.
 *
 *     sl_store_open
 *        catalog_open         create/upgrade DIR/catalog.db, load the iterator key
 *        load_streams         streams, shards, tags -> memory; open each shard's log
 *        prune_orphans        delete data of streams no longer in the catalog
 *        maintenance thread   status changes, retention, interval fsync (every 50 ms)
 *
 *     sl_store_put (read lock)
 *        route each record: hash key -> open shard (binary search over start hashes)
 *        per shard, under its mutex: throttle check, take counters, one log append
 *
 *     sl_store_get_records (read lock)
 *        token -> (stream id, shard, position); shard mutex; log read; next token
 */
#include "store.h"

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "val.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ITERATOR_TTL_MS 300000
#define MAX_GET_BYTES   (10u << 20)
#define MAX_TAGS        50

/* Per-shard token buckets for the optional Kinesis limits. */
typedef struct throttle {
    double in_bytes, in_records; /* tokens: 1 MiB and 1000 per second */
    double out_bytes, out_calls; /* tokens: 2 MiB and 5 per second */
    int64_t last_ms;
} throttle_t;

/* A shard in memory. Fields other than log/mu/throttle change only under the store's write
 * lock; the log and throttle only under mu. */
typedef struct shard {
    int ix;
    int parent_ix, adjacent_parent_ix;
    sl_u128_t start_hash, end_hash;
    uint64_t start_counter, end_counter; /* end_counter valid when closed */
    bool closed;
    int64_t created_ms, closed_ms;
    pthread_mutex_t mu;
    sl_shardlog_t *log;
    int64_t last_arrival_ms; /* newest arrival written, kept for monotonic timestamps */
    throttle_t tb;
} shard_t;

typedef struct tag {
    char *key, *value;
} tag_t;

/* A stream in memory. */
typedef struct stream {
    int64_t id;
    char *name, *arn, *dir;
    sl_stream_status_t status;
    int64_t status_until_ms; /* when a transitional status ends; 0: none pending */
    int64_t created_ms;
    int retention_hours;
    bool on_demand;
    shard_t **shards; /* by index: shards[i]->ix == i; closed-and-expired ones stay here */
    size_t nshards;
    shard_t **open; /* open shards sorted by start hash */
    size_t nopen;
    _Atomic uint64_t counter; /* next counter to hand out */
    tag_t *tags;              /* sorted by key */
    size_t ntags;
} stream_t;

struct sl_store {
    sl_store_config_t cfg;
    char *dir;
    pthread_rwlock_t lock;
    stream_t **streams; /* sorted by name */
    size_t nstreams;
    sqlite3 *db;
    unsigned char key[32]; /* MAC key of iterators and tokens */
    pthread_t maint;
    bool maint_started;
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    bool stopping;
    pthread_mutex_t wake_mu; /* guards appends; wake_cv signals a change of it */
    pthread_cond_t wake_cv;
    uint64_t appends;        /* puts that wrote records (see sl_store_appends) */
};

const char *sl_stream_status_name(sl_stream_status_t s)
{
    static const char *names[] = {"CREATING", "ACTIVE", "UPDATING", "DELETING"};
    return names[s];
}

const sl_store_config_t *sl_store_config(const sl_store_t *st)
{
    return &st->cfg;
}

/* ---- sequence numbers ------------------------------------------------------------------ */

void sl_seqno_format(uint64_t counter, int shard_ix, char out[33])
{
    out[0] = '4';
    out[1] = '9';
    for (int i = 21; i >= 2; i--) {
        out[i] = (char)('0' + counter % 10);
        counter /= 10;
    }
    unsigned ix = (unsigned)shard_ix;
    for (int i = 31; i >= 22; i--) {
        out[i] = (char)('0' + ix % 10);
        ix /= 10;
    }
    out[32] = '\0';
}

bool sl_seqno_parse(const char *s, uint64_t *counter, int *shard_ix)
{
    if (strlen(s) != 32 || s[0] != '4' || s[1] != '9') return false;
    uint64_t c = 0, ix = 0;
    for (int i = 2; i < 32; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (i < 22) {
            if (c > (UINT64_MAX - 9) / 10) return false;
            c = c * 10 + (uint64_t)(s[i] - '0');
        } else {
            ix = ix * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (ix > INT32_MAX) return false;
    *counter = c;
    *shard_ix = (int)ix;
    return true;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void shard_id(int ix, char out[24])
{
    snprintf(out, 24, "shardId-%012d", ix);
}

/* Parses "shardId-000000000001" (also "1" and "shardId-1", as Kinesis tolerates) into an
 * index; -1 when malformed. */
static int parse_shard_id(const char *s)
{
    if (!strncmp(s, "shardId-", 8)) s += 8;
    if (!*s || strlen(s) > 12) return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (*p - '0');
    }
    return v > INT32_MAX ? -1 : (int)v;
}

static void fmt_time(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a %b %d %H:%M:%S UTC %Y", &tm);
}

static stream_t *find_stream(sl_store_t *st, const char *name)
{
    size_t lo = 0, hi = st->nstreams;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(st->streams[mid]->name, name);
        if (c == 0) return st->streams[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static stream_t *find_stream_id(sl_store_t *st, int64_t id)
{
    for (size_t i = 0; i < st->nstreams; i++)
        if (st->streams[i]->id == id) return st->streams[i];
    return NULL;
}

/* Applies a pending status change whose time has come. Caller holds the write lock.
 * Returns false when the stream is gone (deleted) and was removed. */
static bool settle_status(sl_store_t *st, stream_t *s, int64_t now);

static int not_found(sl_store_t *st, const char *name, sl_awserr_t *err)
{
    return sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                         "Stream %s under account %s not found.", name, st->cfg.account);
}

/* The status a stream shows now: a transitional status whose time has come counts as
 * ACTIVE even before the maintenance thread settles it (DELETING stays until removed). */
static sl_stream_status_t effective_status(const stream_t *s, int64_t now)
{
    if (s->status_until_ms && now >= s->status_until_ms && s->status != SL_STREAM_DELETING)
        return SL_STREAM_ACTIVE;
    return s->status;
}

/* Finds a stream for a data-plane call: it must exist and be ACTIVE or UPDATING. */
static stream_t *data_stream(sl_store_t *st, const char *name, sl_awserr_t *err)
{
    stream_t *s = find_stream(st, name);
    sl_stream_status_t status = s ? effective_status(s, sl_clock_now_ms()) : SL_STREAM_DELETING;
    if (status == SL_STREAM_CREATING || status == SL_STREAM_DELETING) {
        not_found(st, name, err);
        return NULL;
    }
    return s;
}

/* Looks up a stream to change: applies its pending status change first. Returns NULL, with
 * ResourceNotFoundException in *err, when it does not exist or is being deleted. Caller
 * holds the write lock (settling may remove a deleted stream). */
static stream_t *writable_stream(sl_store_t *st, const char *name, int64_t now,
                                 sl_awserr_t *err)
{
    stream_t *s = find_stream(st, name);
    if (s && !settle_status(st, s, now)) s = NULL;
    if (!s || s->status == SL_STREAM_DELETING) {
        not_found(st, name, err);
        return NULL;
    }
    return s;
}

static int64_t open_shard_total(sl_store_t *st)
{
    int64_t n = 0;
    for (size_t i = 0; i < st->nstreams; i++) n += (int64_t)st->streams[i]->nopen;
    return n;
}

static void stream_shard_dir(const sl_store_t *st, const stream_t *s, int ix, char *out,
                             size_t n)
{
    snprintf(out, n, "%s/streams/%" PRId64 "/%d", st->dir, s->id, ix);
}

/* Deletes a directory tree (the data of a deleted stream). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char *sub = sl_asprintf("%s/%s", path, e->d_name);
            struct stat sb;
            if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
            sl_free(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* ---- catalog ------------------------------------------------------------------------------ */

static const char *catalog_schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE IF NOT EXISTS streams("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL,"
    "  created_ms INTEGER NOT NULL, retention_hours INTEGER NOT NULL,"
    "  on_demand INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS shards("
    "  stream_id INTEGER NOT NULL, ix INTEGER NOT NULL,"
    "  parent_ix INTEGER NOT NULL, adjacent_parent_ix INTEGER NOT NULL,"
    "  start_hash TEXT NOT NULL, end_hash TEXT NOT NULL,"
    "  start_counter INTEGER NOT NULL, end_counter INTEGER,"
    "  created_ms INTEGER NOT NULL, closed_ms INTEGER,"
    "  PRIMARY KEY(stream_id, ix));"
    "CREATE TABLE IF NOT EXISTS tags("
    "  stream_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(stream_id, key));";

/* Runs one SQL statement with bound arguments described by fmt: 'i' int64, 't' text,
 * 'n' NULL. Returns 0 or -1 (the catalog is local; failures are I/O failures). */
static int cat_exec(sl_store_t *st, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) return -1;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        switch (fmt[i]) {
        case 'i': sqlite3_bind_int64(stmt, i + 1, va_arg(ap, int64_t)); break;
        case 't': sqlite3_bind_text(stmt, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT); break;
        default: sqlite3_bind_null(stmt, i + 1); break;
        }
    }
    va_end(ap);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int cat_begin(sl_store_t *st)
{
    return sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int cat_end(sl_store_t *st, int ok)
{
    return sqlite3_exec(st->db, ok == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK
               ? ok
               : -1;
}

static int cat_put_shard(sl_store_t *st, const stream_t *s, const shard_t *sh)
{
    char a[40], b[40];
    sl_u128_format(sh->start_hash, a);
    sl_u128_format(sh->end_hash, b);
    return cat_exec(st,
                    "INSERT OR REPLACE INTO shards VALUES(?,?,?,?,?,?,?,?,?,?)",
                    sh->closed ? "iiiittiiii" : "iiiittinin", s->id, (int64_t)sh->ix,
                    (int64_t)sh->parent_ix, (int64_t)sh->adjacent_parent_ix, a, b,
                    (int64_t)sh->start_counter,
                    sh->closed ? (int64_t)sh->end_counter : (int64_t)0, sh->created_ms,
                    sh->closed ? sh->closed_ms : (int64_t)0);
}

/* The catalog key of a stream's counter floor: a value no smaller than any counter the
 * stream handed out. The logs alone cannot bound the counter once retention has deleted
 * every record of a shard, so the floor is saved before that happens (see maintenance)
 * and load_catalog restarts the counter above it. */
static void counter_floor_key(int64_t stream_id, char out[48])
{
    snprintf(out, 48, "counter_floor/%" PRId64, stream_id);
}

/* Records the stream's counter as its floor. Caller holds the store lock (read or write:
 * only write-lock holders and the maintenance thread touch the catalog). */
static int save_counter_floor(sl_store_t *st, stream_t *s)
{
    char key[48];
    counter_floor_key(s->id, key);
    return cat_exec(st, "INSERT OR REPLACE INTO meta VALUES(?,?)", "ti", key,
                    (int64_t)(atomic_load(&s->counter) - 1));
}

/* ---- shards ------------------------------------------------------------------------------- */

static shard_t *shard_new(int ix)
{
    shard_t *sh = SL_NEW(shard_t);
    sh->ix = ix;
    sh->parent_ix = sh->adjacent_parent_ix = -1;
    pthread_mutex_init(&sh->mu, NULL);
    return sh;
}

static void shard_free(shard_t *sh)
{
    if (!sh) return;
    sl_shardlog_close(sh->log);
    pthread_mutex_destroy(&sh->mu);
    sl_free(sh);
}

static int cmp_open(const void *a, const void *b)
{
    const shard_t *x = *(shard_t *const *)a, *y = *(shard_t *const *)b;
    return x->start_hash < y->start_hash ? -1 : x->start_hash > y->start_hash;
}

/* Rebuilds s->open from s->shards. Caller holds the write lock. */
static void rebuild_open(stream_t *s)
{
    sl_free(s->open);
    s->open = SL_NEWN(shard_t *, s->nshards ? s->nshards : 1);
    s->nopen = 0;
    for (size_t i = 0; i < s->nshards; i++)
        if (!s->shards[i]->closed) s->open[s->nopen++] = s->shards[i];
    qsort(s->open, s->nopen, sizeof(shard_t *), cmp_open);
}

/* Opens a shard's log directory. */
static int shard_open_log(sl_store_t *st, stream_t *s, shard_t *sh, char **err)
{
    char dir[512];
    stream_shard_dir(st, s, sh->ix, dir, sizeof dir);
    sh->log = sl_shardlog_open(dir, st->cfg.segment_bytes, err);
    if (!sh->log) return -1;
    sh->last_arrival_ms = sl_shardlog_last_arrival(sh->log);
    return 0;
}

/* Adds a new open shard to s (in memory, its log, and the catalog). Caller holds the write
 * lock and an open catalog transaction. */
static shard_t *add_shard(sl_store_t *st, stream_t *s, sl_u128_t lo, sl_u128_t hi, int parent,
                          int adjacent, int64_t now, sl_awserr_t *err)
{
    shard_t *sh = shard_new((int)s->nshards);
    sh->start_hash = lo;
    sh->end_hash = hi;
    sh->parent_ix = parent;
    sh->adjacent_parent_ix = adjacent;
    sh->created_ms = now;
    sh->start_counter = atomic_fetch_add(&s->counter, 1);
    char *e = NULL;
    if (shard_open_log(st, s, sh, &e) < 0 || cat_put_shard(st, s, sh) < 0) {
        sl_awserr_set(err, SL_AWS_InternalFailure, "cannot create shard: %s",
                      e ? e : sqlite3_errmsg(st->db));
        sl_free(e);
        shard_free(sh);
        return NULL;
    }
    s->shards = sl_realloc(s->shards, (s->nshards + 1) * sizeof(shard_t *));
    s->shards[s->nshards++] = sh;
    return sh;
}

/* Closes an open shard. Caller holds the write lock (so no put is in flight) and a
 * catalog transaction. */
static int close_shard(sl_store_t *st, stream_t *s, shard_t *sh, int64_t now)
{
    sh->closed = true;
    sh->closed_ms = now;
    sh->end_counter = atomic_fetch_add(&s->counter, 1);
    return cat_put_shard(st, s, sh);
}

/* ---- open / close ------------------------------------------------------------------------- */

static void stream_free(stream_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nshards; i++) shard_free(s->shards[i]);
    sl_free(s->shards);
    sl_free(s->open);
    for (size_t i = 0; i < s->ntags; i++) {
        sl_free(s->tags[i].key);
        sl_free(s->tags[i].value);
    }
    sl_free(s->tags);
    sl_free(s->name);
    sl_free(s->arn);
    sl_free(s->dir);
    sl_free(s);
}

static stream_t *stream_new(sl_store_t *st, int64_t id, const char *name)
{
    stream_t *s = SL_NEW(stream_t);
    s->id = id;
    s->name = sl_strdup(name);
    s->arn = sl_asprintf("arn:aws:kinesis:%s:%s:stream/%s", st->cfg.region, st->cfg.account,
                         name);
    s->dir = sl_asprintf("%s/streams/%" PRId64, st->dir, id);
    s->status = SL_STREAM_ACTIVE;
    atomic_init(&s->counter, 1);
    return s;
}

/* Inserts s into the sorted stream array. Caller holds the write lock. */
static void insert_stream(sl_store_t *st, stream_t *s)
{
    size_t pos = 0;
    while (pos < st->nstreams && strcmp(st->streams[pos]->name, s->name) < 0) pos++;
    st->streams = sl_realloc(st->streams, (st->nstreams + 1) * sizeof(stream_t *));
    memmove(st->streams + pos + 1, st->streams + pos, (st->nstreams - pos) * sizeof(stream_t *));
    st->streams[pos] = s;
    st->nstreams++;
}

static void remove_stream(sl_store_t *st, stream_t *s)
{
    for (size_t i = 0; i < st->nstreams; i++) {
        if (st->streams[i] == s) {
            memmove(st->streams + i, st->streams + i + 1,
                    (st->nstreams - i - 1) * sizeof(stream_t *));
            st->nstreams--;
            break;
        }
    }
}

static int load_catalog(sl_store_t *st, char **err)
{
    sqlite3_stmt *q;
    /* The iterator key: made once, kept, so iterators survive a restart. */
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key='iterator_key'", -1, &q,
                           NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32) {
        memcpy(st->key, sqlite3_column_blob(q, 0), 32);
        sqlite3_finalize(q);
    } else {
        sqlite3_finalize(q);
        if (RAND_bytes(st->key, sizeof st->key) != 1) goto fail;
        if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES('iterator_key', ?)",
                               -1, &q, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_blob(q, 1, st->key, 32, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) goto fail;
    }

    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, name, created_ms, retention_hours, on_demand FROM streams",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(q) == SQLITE_ROW) {
        stream_t *s = stream_new(st, sqlite3_column_int64(q, 0),
                                 (const char *)sqlite3_column_text(q, 1));
        s->created_ms = sqlite3_column_int64(q, 2);
        s->retention_hours = sqlite3_column_int(q, 3);
        s->on_demand = sqlite3_column_int(q, 4) != 0;
        insert_stream(st, s);
    }
    sqlite3_finalize(q);

    if (sqlite3_prepare_v2(st->db,
                           "SELECT stream_id, ix, parent_ix, adjacent_parent_ix, start_hash,"
                           " end_hash, start_counter, end_counter, created_ms, closed_ms"
                           " FROM shards ORDER BY stream_id, ix",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(q) == SQLITE_ROW) {
        stream_t *s = find_stream_id(st, sqlite3_column_int64(q, 0));
        if (!s) continue;
        int ix = sqlite3_column_int(q, 1);
        if (ix != (int)s->nshards) {
            sqlite3_finalize(q);
            *err = sl_asprintf("catalog: stream %s lacks shard %zu", s->name, s->nshards);
            return -1;
        }
        shard_t *sh = shard_new(ix);
        sh->parent_ix = sqlite3_column_int(q, 2);
        sh->adjacent_parent_ix = sqlite3_column_int(q, 3);
        const char *a = (const char *)sqlite3_column_text(q, 4);
        const char *b = (const char *)sqlite3_column_text(q, 5);
        sl_u128_parse(a, strlen(a), &sh->start_hash);
        sl_u128_parse(b, strlen(b), &sh->end_hash);
        sh->start_counter = (uint64_t)sqlite3_column_int64(q, 6);
        sh->closed = sqlite3_column_type(q, 7) != SQLITE_NULL;
        sh->end_counter = (uint64_t)sqlite3_column_int64(q, 7);
        sh->created_ms = sqlite3_column_int64(q, 8);
        sh->closed_ms = sqlite3_column_int64(q, 9);
        s->shards = sl_realloc(s->shards, (s->nshards + 1) * sizeof(shard_t *));
        s->shards[s->nshards++] = sh;
    }
    sqlite3_finalize(q);

    if (sqlite3_prepare_v2(st->db, "SELECT stream_id, key, value FROM tags ORDER BY stream_id, key",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(q) == SQLITE_ROW) {
        stream_t *s = find_stream_id(st, sqlite3_column_int64(q, 0));
        if (!s) continue;
        s->tags = sl_realloc(s->tags, (s->ntags + 1) * sizeof(tag_t));
        s->tags[s->ntags].key = sl_strdup((const char *)sqlite3_column_text(q, 1));
        s->tags[s->ntags].value = sl_strdup((const char *)sqlite3_column_text(q, 2));
        s->ntags++;
    }
    sqlite3_finalize(q);

    /* Open every shard's log; the stream counter restarts above everything seen. */
    for (size_t i = 0; i < st->nstreams; i++) {
        stream_t *s = st->streams[i];
        uint64_t top = 0;
        for (size_t k = 0; k < s->nshards; k++) {
            shard_t *sh = s->shards[k];
            if (shard_open_log(st, s, sh, err) < 0) return -1;
            if (sh->start_counter > top) top = sh->start_counter;
            if (sh->closed && sh->end_counter > top) top = sh->end_counter;
            if (!sl_shardlog_empty(sh->log) && sl_shardlog_last_counter(sh->log) > top)
                top = sl_shardlog_last_counter(sh->log);
        }
        char key[48];
        counter_floor_key(s->id, key);
        if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &q, NULL) !=
            SQLITE_OK)
            goto fail;
        sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW && (uint64_t)sqlite3_column_int64(q, 0) > top)
            top = (uint64_t)sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        atomic_store(&s->counter, top + 1);
        rebuild_open(s);
    }
    return 0;
fail:
    *err = sl_asprintf("catalog: %s", sqlite3_errmsg(st->db));
    return -1;
}

/* Deletes data directories of streams that are not in the catalog (deleted streams whose
 * files were not yet removed when the process stopped). */
static void prune_orphans(sl_store_t *st)
{
    char *root = sl_asprintf("%s/streams", st->dir);
    DIR *d = opendir(root);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char *end;
            long long id = strtoll(e->d_name, &end, 10);
            if (*end || find_stream_id(st, id)) continue;
            char *p = sl_asprintf("%s/%s", root, e->d_name);
            remove_tree(p);
            sl_free(p);
        }
        closedir(d);
    }
    sl_free(root);
}

/* Refills a shard's token buckets up to one second's worth. Caller holds the shard mutex. */
static void throttle_refill(throttle_t *t, int64_t now)
{
    if (t->last_ms == 0) {
        t->in_bytes = 1 << 20;
        t->in_records = 1000;
        t->out_bytes = 2 << 20;
        t->out_calls = 5;
        t->last_ms = now;
        return;
    }
    double dt = (double)(now - t->last_ms) / 1000.0;
    if (dt <= 0) return;
    t->last_ms = now;
    t->in_bytes = t->in_bytes + dt * (1 << 20) > (1 << 20) ? (1 << 20) : t->in_bytes + dt * (1 << 20);
    t->in_records = t->in_records + dt * 1000 > 1000 ? 1000 : t->in_records + dt * 1000;
    t->out_bytes = t->out_bytes + dt * (2 << 20) > (2 << 20) ? (2 << 20) : t->out_bytes + dt * (2 << 20);
    t->out_calls = t->out_calls + dt * 5 > 5 ? 5 : t->out_calls + dt * 5;
}

static bool settle_status(sl_store_t *st, stream_t *s, int64_t now)
{
    if (!s->status_until_ms || now < s->status_until_ms) return true;
    s->status_until_ms = 0;
    if (s->status == SL_STREAM_DELETING) {
        remove_stream(st, s);
        for (size_t i = 0; i < s->nshards; i++) {
            sl_shardlog_destroy(s->shards[i]->log);
            s->shards[i]->log = NULL;
        }
        remove_tree(s->dir);
        stream_free(s);
        return false;
    }
    s->status = SL_STREAM_ACTIVE;
    return true;
}

/* The maintenance loop: every 50 ms settle statuses, every second expire segments, and
 * fsync on the configured interval. */
static void *maintenance(void *arg)
{
    sl_store_t *st = arg;
    int64_t last_sync = sl_clock_mono_ns(), last_expire = 0;
    pthread_mutex_lock(&st->stop_mu);
    while (!st->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&st->stop_cv, &st->stop_mu, &ts);
        if (st->stopping) break;
        pthread_mutex_unlock(&st->stop_mu);

        int64_t now = sl_clock_now_ms();
        pthread_rwlock_wrlock(&st->lock);
        for (size_t i = 0; i < st->nstreams;) {
            if (settle_status(st, st->streams[i], now)) i++;
        }
        pthread_rwlock_unlock(&st->lock);

        int64_t mono = sl_clock_mono_ns();
        bool do_sync = st->cfg.fsync == SL_FSYNC_INTERVAL &&
                       mono - last_sync >= (int64_t)st->cfg.fsync_interval_ms * 1000000;
        bool do_expire = mono - last_expire >= 1000000000LL;
        if (do_sync || do_expire) {
            pthread_rwlock_rdlock(&st->lock);
            for (size_t i = 0; i < st->nstreams; i++) {
                stream_t *s = st->streams[i];
                int64_t cutoff = now - (int64_t)s->retention_hours * 3600000;
                for (size_t k = 0; k < s->nshards; k++) {
                    shard_t *sh = s->shards[k];
                    pthread_mutex_lock(&sh->mu);
                    /* Expiry is about to delete every record of this shard: save the
                     * counter first, or a restart would number new records below old ones. */
                    if (do_expire && !sl_shardlog_empty(sh->log) &&
                        sl_shardlog_last_arrival(sh->log) < cutoff)
                        save_counter_floor(st, s);
                    if (do_expire) sl_shardlog_expire(sh->log, cutoff);
                    int fd = do_sync ? sl_shardlog_take_sync_fd(sh->log) : -1;
                    pthread_mutex_unlock(&sh->mu);
                    /* The disk wait happens outside the shard's lock: puts go on meanwhile. */
                    if (fd >= 0) {
                        fdatasync(fd);
                        close(fd);
                    }
                }
            }
            pthread_rwlock_unlock(&st->lock);
            if (do_sync) last_sync = mono;
            if (do_expire) last_expire = mono;
        }
        pthread_mutex_lock(&st->stop_mu);
    }
    pthread_mutex_unlock(&st->stop_mu);
    return NULL;
}

sl_store_t *sl_store_open(const sl_store_config_t *cfg, char **err)
{
    sl_store_t *st = SL_NEW(sl_store_t);
    st->cfg = *cfg;
    if (!st->cfg.region) st->cfg.region = "us-east-1";
    if (!st->cfg.account) st->cfg.account = "000000000000";
    if (st->cfg.fsync_interval_ms <= 0) st->cfg.fsync_interval_ms = 1000;
    if (st->cfg.shard_limit <= 0) st->cfg.shard_limit = 500;
    st->cfg.region = sl_strdup(st->cfg.region);
    st->cfg.account = sl_strdup(st->cfg.account);
    st->dir = sl_strdup(cfg->dir);
    st->cfg.dir = st->dir;
    pthread_rwlock_init(&st->lock, NULL);
    pthread_mutex_init(&st->stop_mu, NULL);
    pthread_cond_init(&st->stop_cv, NULL);
    pthread_mutex_init(&st->wake_mu, NULL);
    pthread_cond_init(&st->wake_cv, NULL);

    if (mkdir(st->dir, 0755) < 0 && errno != EEXIST) {
        *err = sl_asprintf("cannot create data directory %s: %s", st->dir, strerror(errno));
        sl_store_close(st);
        return NULL;
    }
    char *path = sl_asprintf("%s/catalog.db", st->dir);
    int rc = sqlite3_open(path, &st->db);
    sl_free(path);
    if (rc != SQLITE_OK ||
        sqlite3_exec(st->db, catalog_schema, NULL, NULL, NULL) != SQLITE_OK) {
        *err = sl_asprintf("cannot open catalog in %s: %s", st->dir,
                           st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sl_store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, 5000);
    if (load_catalog(st, err) < 0) {
        sl_store_close(st);
        return NULL;
    }
    prune_orphans(st);
    if (pthread_create(&st->maint, NULL, maintenance, st) == 0) st->maint_started = true;
    return st;
}

void sl_store_close(sl_store_t *st)
{
    if (!st) return;
    if (st->maint_started) {
        pthread_mutex_lock(&st->stop_mu);
        st->stopping = true;
        pthread_cond_signal(&st->stop_cv);
        pthread_mutex_unlock(&st->stop_mu);
        pthread_join(st->maint, NULL);
    }
    for (size_t i = 0; i < st->nstreams; i++) {
        stream_t *s = st->streams[i];
        for (size_t k = 0; k < s->nshards; k++)
            if (s->shards[k]->log) sl_shardlog_sync(s->shards[k]->log);
        stream_free(s);
    }
    sl_free(st->streams);
    if (st->db) sqlite3_close(st->db);
    pthread_rwlock_destroy(&st->lock);
    pthread_mutex_destroy(&st->stop_mu);
    pthread_cond_destroy(&st->stop_cv);
    pthread_mutex_destroy(&st->wake_mu);
    pthread_cond_destroy(&st->wake_cv);
    sl_free((char *)st->cfg.region);
    sl_free((char *)st->cfg.account);
    sl_free(st->dir);
    sl_free(st);
}

/* ---- names ---------------------------------------------------------------------------------- */

const char *sl_store_resolve_name(sl_store_t *st, const char *name_or_arn, sl_arena_t *a,
                                  sl_awserr_t *err)
{
    if (strncmp(name_or_arn, "arn:", 4)) return name_or_arn;
    /* arn:aws:kinesis:<region>:<account>:stream/<name> */
    const char *p = name_or_arn;
    const char *parts[6];
    int n = 0;
    parts[n++] = p;
    for (; *p && n < 6; p++)
        if (*p == ':') parts[n++] = p + 1;
    if (n < 6 || strncmp(parts[5], "stream/", 7) || !parts[5][7]) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException, "Invalid StreamARN %s.", name_or_arn);
        return NULL;
    }
    size_t rl = (size_t)(parts[4] - parts[3] - 1), al = (size_t)(parts[5] - parts[4] - 1);
    if (strncmp(parts[2], "kinesis:", 8) || rl != strlen(st->cfg.region) ||
        strncmp(parts[3], st->cfg.region, rl) || al != strlen(st->cfg.account) ||
        strncmp(parts[4], st->cfg.account, al)) {
        sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                      "Stream %s under account %s not found.", parts[5] + 7, st->cfg.account);
        return NULL;
    }
    return sl_arena_strdup(a, parts[5] + 7);
}

char *sl_store_arn(sl_store_t *st, const char *name, sl_arena_t *a)
{
    return sl_arena_printf(a, "arn:aws:kinesis:%s:%s:stream/%s", st->cfg.region,
                           st->cfg.account, name);
}

/* ---- control plane -------------------------------------------------------------------------- */

/* Shard i of n equal ranges over [0, 2^128-1], as Kinesis divides a new stream. */
static void even_range(int i, int n, sl_u128_t *lo, sl_u128_t *hi)
{
    sl_u128_t step = SL_U128_MAX / (sl_u128_t)n + (SL_U128_MAX % (sl_u128_t)n == (sl_u128_t)n - 1);
    /* step = floor(2^128 / n) computed without overflow */
    *lo = step * (sl_u128_t)i;
    *hi = i == n - 1 ? SL_U128_MAX : step * (sl_u128_t)(i + 1) - 1;
}

static int store_tags(sl_store_t *st, stream_t *s, const sl_tag_t *tags, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cat_exec(st, "INSERT OR REPLACE INTO tags VALUES(?,?,?)", "itt", s->id, tags[i].key,
                     tags[i].value) < 0)
            return -1;
        size_t k;
        for (k = 0; k < s->ntags; k++)
            if (!strcmp(s->tags[k].key, tags[i].key)) break;
        if (k < s->ntags) {
            sl_free(s->tags[k].value);
            s->tags[k].value = sl_strdup(tags[i].value);
            continue;
        }
        size_t pos = 0;
        while (pos < s->ntags && strcmp(s->tags[pos].key, tags[i].key) < 0) pos++;
        s->tags = sl_realloc(s->tags, (s->ntags + 1) * sizeof(tag_t));
        memmove(s->tags + pos + 1, s->tags + pos, (s->ntags - pos) * sizeof(tag_t));
        s->tags[pos].key = sl_strdup(tags[i].key);
        s->tags[pos].value = sl_strdup(tags[i].value);
        s->ntags++;
    }
    return 0;
}

/* Counts the tags n new ones would leave on s (existing keys are replaced, not added). */
static size_t tags_after(const stream_t *s, const sl_tag_t *tags, size_t n)
{
    size_t total = s->ntags;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < s->ntags && !seen; k++) seen = !strcmp(s->tags[k].key, tags[i].key);
        for (size_t j = 0; j < i && !seen; j++) seen = !strcmp(tags[j].key, tags[i].key);
        if (!seen) total++;
    }
    return total;
}

int sl_store_create_stream(sl_store_t *st, const char *name, int shard_count, bool on_demand,
                           const sl_tag_t *tags, size_t ntags, sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *old = find_stream(st, name);
    if (old && !settle_status(st, old, now)) old = NULL;
    if (old) {
        pthread_rwlock_unlock(&st->lock);
        return sl_awserr_set(err, SL_AWS_ResourceInUseException,
                             "Stream %s under account %s already exists.", name, st->cfg.account);
    }
    int64_t total = open_shard_total(st);
    if (total + shard_count > st->cfg.shard_limit) {
        pthread_rwlock_unlock(&st->lock);
        return sl_awserr_set(
            err, SL_AWS_LimitExceededException,
            "This request would exceed the shard limit for the account %s in %s. Current shard "
            "count for the account: %" PRId64 ". Limit: %d. Number of additional shards that "
            "would have resulted from this request: %d. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
            "limits and how to request higher limits.",
            st->cfg.account, st->cfg.region, total, st->cfg.shard_limit, shard_count);
    }
    if (ntags > MAX_TAGS) {
        pthread_rwlock_unlock(&st->lock);
        return sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                             "Failed to add tags to stream %s under account %s because a given "
                             "stream cannot have more than %d tags associated with it.",
                             name, st->cfg.account, MAX_TAGS);
    }
    int rc = cat_begin(st);
    rc = rc < 0 ? rc
                : cat_exec(st,
                           "INSERT INTO streams(name, created_ms, retention_hours, on_demand)"
                           " VALUES(?,?,24,?)",
                           "tii", name, now, (int64_t)on_demand);
    stream_t *s = NULL;
    if (rc == 0) {
        s = stream_new(st, sqlite3_last_insert_rowid(st->db), name);
        s->created_ms = now;
        s->retention_hours = 24;
        s->on_demand = on_demand;
        for (int i = 0; i < shard_count && rc == 0; i++) {
            sl_u128_t lo, hi;
            even_range(i, shard_count, &lo, &hi);
            if (!add_shard(st, s, lo, hi, -1, -1, now, err)) rc = -1;
        }
        if (rc == 0) rc = store_tags(st, s, tags, ntags);
    }
    if (cat_end(st, rc) < 0) {
        if (err->code == SL_AWS_OK)
            sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
        if (s) {
            for (size_t i = 0; i < s->nshards; i++) {
                sl_shardlog_destroy(s->shards[i]->log);
                s->shards[i]->log = NULL;
            }
            remove_tree(s->dir);
            stream_free(s);
        }
        pthread_rwlock_unlock(&st->lock);
        return -1;
    }
    rebuild_open(s);
    if (st->cfg.create_delay_ms > 0) {
        s->status = SL_STREAM_CREATING;
        s->status_until_ms = now + st->cfg.create_delay_ms;
    }
    insert_stream(st, s);
    pthread_rwlock_unlock(&st->lock);
    return 0;
}

int sl_store_delete_stream(sl_store_t *st, const char *name, sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = writable_stream(st, name, now, err);
    if (!s) {
        pthread_rwlock_unlock(&st->lock);
        return -1;
    }
    int rc = cat_begin(st);
    if (rc == 0) rc = cat_exec(st, "DELETE FROM streams WHERE id=?", "i", s->id);
    if (rc == 0) rc = cat_exec(st, "DELETE FROM shards WHERE stream_id=?", "i", s->id);
    if (rc == 0) rc = cat_exec(st, "DELETE FROM tags WHERE stream_id=?", "i", s->id);
    char floor_key[48];
    counter_floor_key(s->id, floor_key);
    if (rc == 0) rc = cat_exec(st, "DELETE FROM meta WHERE key=?", "t", floor_key);
    if (cat_end(st, rc) < 0) {
        pthread_rwlock_unlock(&st->lock);
        return sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
    }
    s->status = SL_STREAM_DELETING;
    s->status_until_ms = now + (st->cfg.delete_delay_ms > 0 ? st->cfg.delete_delay_ms : 0);
    if (st->cfg.delete_delay_ms <= 0) settle_status(st, s, now);
    pthread_rwlock_unlock(&st->lock);
    return 0;
}

/* Copies a shard into its client form. Caller holds at least the read lock. */
static void shard_info(const shard_t *sh, sl_shard_info_t *out)
{
    out->ix = sh->ix;
    shard_id(sh->ix, out->id);
    out->parent_ix = sh->parent_ix;
    out->adjacent_parent_ix = sh->adjacent_parent_ix;
    out->start_hash = sh->start_hash;
    out->end_hash = sh->end_hash;
    sl_seqno_format(sh->start_counter, sh->ix, out->start_seq);
    if (sh->closed)
        sl_seqno_format(sh->end_counter, sh->ix, out->end_seq);
    else
        out->end_seq[0] = '\0';
    out->closed = sh->closed;
    out->created_ms = sh->created_ms;
    out->closed_ms = sh->closed_ms;
    out->last_arrival_ms = sh->last_arrival_ms;
}

/* A closed shard is listed until all of its data has expired: closed before the horizon. */
static bool shard_expired(const stream_t *s, const shard_t *sh, int64_t now)
{
    return sh->closed && sh->closed_ms < now - (int64_t)s->retention_hours * 3600000;
}

sl_stream_info_t *sl_store_describe(sl_store_t *st, const char *name, sl_arena_t *a,
                                    sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_rdlock(&st->lock);
    stream_t *s = find_stream(st, name);
    if (!s) {
        pthread_rwlock_unlock(&st->lock);
        not_found(st, name, err);
        return NULL;
    }
    sl_stream_info_t *info = SL_ANEW(a, sl_stream_info_t);
    info->id = s->id;
    info->name = sl_arena_strdup(a, s->name);
    info->arn = sl_arena_strdup(a, s->arn);
    info->status = effective_status(s, now);
    info->created_ms = s->created_ms;
    info->retention_hours = s->retention_hours;
    info->on_demand = s->on_demand;
    info->open_shards = (int)s->nopen;
    info->shards = SL_ANEWN(a, sl_shard_info_t, s->nshards ? s->nshards : 1);
    if (info->status != SL_STREAM_CREATING) {
        for (size_t i = 0; i < s->nshards; i++) {
            shard_t *sh = s->shards[i];
            if (shard_expired(s, sh, now)) continue;
            pthread_mutex_lock(&sh->mu);
            shard_info(sh, &info->shards[info->nshards++]);
            pthread_mutex_unlock(&sh->mu);
        }
    }
    info->tags = SL_ANEWN(a, sl_tag_t, s->ntags ? s->ntags : 1);
    for (size_t i = 0; i < s->ntags; i++) {
        info->tags[i].key = sl_arena_strdup(a, s->tags[i].key);
        info->tags[i].value = sl_arena_strdup(a, s->tags[i].value);
    }
    info->ntags = s->ntags;
    pthread_rwlock_unlock(&st->lock);
    return info;
}

size_t sl_store_list_streams(sl_store_t *st, sl_arena_t *a, const char ***names)
{
    pthread_rwlock_rdlock(&st->lock);
    const char **v = SL_ANEWN(a, const char *, st->nstreams ? st->nstreams : 1);
    for (size_t i = 0; i < st->nstreams; i++) v[i] = sl_arena_strdup(a, st->streams[i]->name);
    size_t n = st->nstreams;
    pthread_rwlock_unlock(&st->lock);
    *names = v;
    return n;
}

/* Looks up a stream for a reshard: it must exist and be ACTIVE. Caller holds the write
 * lock. */
static stream_t *reshard_stream(sl_store_t *st, const char *name, int64_t now, sl_awserr_t *err)
{
    stream_t *s = writable_stream(st, name, now, err);
    if (!s) return NULL;
    if (s->status != SL_STREAM_ACTIVE) {
        sl_awserr_set(err, SL_AWS_ResourceInUseException,
                      "Stream %s under account %s not ACTIVE, instead in state %s", name,
                      st->cfg.account, sl_stream_status_name(s->status));
        return NULL;
    }
    return s;
}

static void mark_updating(sl_store_t *st, stream_t *s, int64_t now)
{
    if (st->cfg.update_delay_ms > 0) {
        s->status = SL_STREAM_UPDATING;
        s->status_until_ms = now + st->cfg.update_delay_ms;
    }
}

/* Splits open shard sh at new_start into two children. Caller holds the write lock and a
 * catalog transaction. */
static int do_split(sl_store_t *st, stream_t *s, shard_t *sh, sl_u128_t new_start, int64_t now,
                    sl_awserr_t *err)
{
    if (close_shard(st, s, sh, now) < 0) goto fail;
    int ix = sh->ix;
    sl_u128_t lo = sh->start_hash, hi = sh->end_hash;
    if (!add_shard(st, s, lo, new_start - 1, ix, -1, now, err)) return -1;
    if (!add_shard(st, s, new_start, hi, ix, -1, now, err)) return -1;
    return 0;
fail:
    return sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
}

/* Merges open shards a and b (a.end + 1 == b.start) into one child. */
static int do_merge(sl_store_t *st, stream_t *s, shard_t *a, shard_t *b, int64_t now,
                    sl_awserr_t *err)
{
    if (close_shard(st, s, a, now) < 0 || close_shard(st, s, b, now) < 0)
        return sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
    if (!add_shard(st, s, a->start_hash, b->end_hash, a->ix, b->ix, now, err)) return -1;
    return 0;
}

/* The shard of s named id, or NULL when there is none or it has expired (closed longer
 * than the retention period ago: Kinesis no longer knows it). */
static shard_t *lookup_shard(const stream_t *s, const char *id, int64_t now)
{
    int ix = parse_shard_id(id);
    shard_t *sh = ix >= 0 && (size_t)ix < s->nshards ? s->shards[ix] : NULL;
    return sh && !shard_expired(s, sh, now) ? sh : NULL;
}

int sl_store_split_shard(sl_store_t *st, const char *name, const char *id, sl_u128_t new_start,
                         sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = reshard_stream(st, name, now, err);
    int rc = -1;
    if (!s) goto out;
    shard_t *sh = lookup_shard(s, id, now);
    if (!sh) {
        sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                      "Could not find shard %s in stream %s under account %s.", id, name,
                      st->cfg.account);
        goto out;
    }
    char sid[24];
    shard_id(sh->ix, sid);
    if (sh->closed) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Shard %s in stream %s under account %s has already been merged or split, "
                      "and thus is not eligible for merging or splitting.",
                      sid, name, st->cfg.account);
        goto out;
    }
    if (!(new_start > sh->start_hash + 1 && new_start < sh->end_hash)) {
        char k[40], a[40], b[40];
        sl_u128_format(new_start, k);
        sl_u128_format(sh->start_hash, a);
        sl_u128_format(sh->end_hash, b);
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under "
                      "account %s is not both greater than one plus the shard's StartingHashKey "
                      "%s and less than the shard's EndingHashKey %s.",
                      k, sid, name, st->cfg.account, a, b);
        goto out;
    }
    if (open_shard_total(st) + 1 > st->cfg.shard_limit) {
        sl_awserr_set(err, SL_AWS_LimitExceededException,
                      "This request would exceed the shard limit for the account %s in %s. "
                      "Current shard count for the account: %" PRId64 ". Limit: %d. Number of "
                      "additional shards that would have resulted from this request: 1.",
                      st->cfg.account, st->cfg.region, open_shard_total(st), st->cfg.shard_limit);
        goto out;
    }
    rc = cat_begin(st);
    if (rc == 0) rc = do_split(st, s, sh, new_start, now, err);
    rc = cat_end(st, rc);
    rebuild_open(s);
    if (rc == 0) mark_updating(st, s, now);
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int sl_store_merge_shards(sl_store_t *st, const char *name, const char *id, const char *adj_id,
                          sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = reshard_stream(st, name, now, err);
    int rc = -1;
    if (!s) goto out;
    shard_t *a = lookup_shard(s, id, now), *b = lookup_shard(s, adj_id, now);
    if (!a || !b) {
        sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                      "Could not find shard %s in stream %s under account %s.", !a ? id : adj_id,
                      name, st->cfg.account);
        goto out;
    }
    char ida[24], idb[24];
    shard_id(a->ix, ida);
    shard_id(b->ix, idb);
    if (a->closed || b->closed) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Shard %s in stream %s under account %s has already been merged or split, "
                      "and thus is not eligible for merging or splitting.",
                      a->closed ? ida : idb, name, st->cfg.account);
        goto out;
    }
    /* The adjacent shard may lie on either side; the child's parent is the one named first. */
    shard_t *lo = a, *hi = b;
    /* (Compare without wrapping: the last shard ends at 2^128 - 1.) */
    if (b->end_hash != SL_U128_MAX && b->end_hash + 1 == a->start_hash) {
        lo = b;
        hi = a;
    } else if (a->end_hash == SL_U128_MAX || a->end_hash + 1 != b->start_hash) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Shards %s and %s in stream %s under account %s are not an adjacent pair of "
                      "shards eligible for merging",
                      ida, idb, name, st->cfg.account);
        goto out;
    }
    rc = cat_begin(st);
    if (rc == 0) {
        rc = do_merge(st, s, lo, hi, now, err);
        if (rc == 0) {
            /* ParentShardId is the shard named ShardToMerge. */
            shard_t *child = s->shards[s->nshards - 1];
            child->parent_ix = a->ix;
            child->adjacent_parent_ix = b->ix;
            rc = cat_put_shard(st, s, child);
        }
    }
    rc = cat_end(st, rc);
    rebuild_open(s);
    if (rc == 0) mark_updating(st, s, now);
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int sl_store_update_shard_count(sl_store_t *st, const char *name, int target, int *current,
                                sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = reshard_stream(st, name, now, err);
    int rc = -1;
    if (!s) goto out;
    int cur = (int)s->nopen;
    *current = cur;
    if (s->on_demand) {
        sl_awserr_set(err, SL_AWS_ValidationException,
                      "UpdateShardCount is not supported for stream %s under account %s in "
                      "ON_DEMAND mode.",
                      name, st->cfg.account);
        goto out;
    }
    if (target > 2 * cur || 2 * target < cur) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "UpdateShardCount to %d shards for stream %s under account %s is not "
                      "allowed: the target must be between half and double the current %d open "
                      "shards.",
                      target, name, st->cfg.account, cur);
        goto out;
    }
    if (open_shard_total(st) - cur + target > st->cfg.shard_limit) {
        sl_awserr_set(err, SL_AWS_LimitExceededException,
                      "This request would exceed the shard limit for the account %s in %s. "
                      "Current shard count for the account: %" PRId64 ". Limit: %d. Number of "
                      "additional shards that would have resulted from this request: %d.",
                      st->cfg.account, st->cfg.region, open_shard_total(st), st->cfg.shard_limit,
                      target - cur);
        goto out;
    }
    rc = cat_begin(st);
    /* Uniform scaling as Kinesis does it, with real splits and merges (so lineage stays
     * well-formed): first split every open shard at each target boundary inside it, then
     * merge neighbours that fall into the same target range. */
    for (int i = 1; i < target && rc == 0; i++) {
        sl_u128_t lo, hi;
        even_range(i, target, &lo, &hi);
        for (size_t k = 0; k < s->nopen && rc == 0; k++) {
            shard_t *sh = s->open[k];
            if (lo > sh->start_hash && lo <= sh->end_hash) {
                rc = do_split(st, s, sh, lo, now, err);
                rebuild_open(s);
                break;
            }
        }
    }
    for (int i = 0; i < target && rc == 0; i++) {
        sl_u128_t lo, hi;
        even_range(i, target, &lo, &hi);
        for (;;) {
            shard_t *first = NULL, *next = NULL;
            for (size_t k = 0; k + 1 < s->nopen; k++) {
                if (s->open[k]->start_hash >= lo && s->open[k + 1]->end_hash <= hi) {
                    first = s->open[k];
                    next = s->open[k + 1];
                    break;
                }
            }
            if (!first || rc != 0) break;
            rc = do_merge(st, s, first, next, now, err);
            rebuild_open(s);
        }
    }
    rc = cat_end(st, rc);
    rebuild_open(s);
    if (rc == 0) mark_updating(st, s, now);
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int sl_store_set_retention(sl_store_t *st, const char *name, int hours, bool increase,
                           sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = writable_stream(st, name, now, err);
    int rc = -1;
    if (!s) {
        /* *err says the stream is not found */
    } else if (hours < 24) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Minimum allowed retention period is 24 hours. Requested retention period "
                      "(%d hours) is too short.",
                      hours);
    } else if (hours > 8760) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Maximum allowed retention period is 8760 hours. Requested retention period "
                      "(%d hours) is too long.",
                      hours);
    } else if (increase && hours < s->retention_hours) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Requested retention period (%d hours) for stream %s can not be shorter "
                      "than existing retention period (%d hours). Use DecreaseRetentionPeriod API.",
                      hours, name, s->retention_hours);
    } else if (!increase && hours > s->retention_hours) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Requested retention period (%d hours) for stream %s can not be longer "
                      "than existing retention period (%d hours). Use IncreaseRetentionPeriod API.",
                      hours, name, s->retention_hours);
    } else if (cat_exec(st, "UPDATE streams SET retention_hours=? WHERE id=?", "ii",
                        (int64_t)hours, s->id) < 0) {
        sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
    } else {
        s->retention_hours = hours;
        rc = 0;
    }
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int sl_store_add_tags(sl_store_t *st, const char *name, const sl_tag_t *tags, size_t n,
                      sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = writable_stream(st, name, now, err);
    int rc = -1;
    if (!s) {
        /* *err says the stream is not found */
    } else if (tags_after(s, tags, n) > MAX_TAGS) {
        sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                      "Failed to add tags to stream %s under account %s because a given stream "
                      "cannot have more than %d tags associated with it.",
                      name, st->cfg.account, MAX_TAGS);
    } else {
        rc = cat_begin(st);
        if (rc == 0) rc = store_tags(st, s, tags, n);
        if (cat_end(st, rc) < 0) {
            rc = -1;
            sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
        }
    }
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

int sl_store_remove_tags(sl_store_t *st, const char *name, const char *const *keys, size_t n,
                         sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_wrlock(&st->lock);
    stream_t *s = writable_stream(st, name, now, err);
    int rc = -1;
    if (!s) goto out;
    rc = cat_begin(st);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = cat_exec(st, "DELETE FROM tags WHERE stream_id=? AND key=?", "it", s->id, keys[i]);
        for (size_t k = 0; k < s->ntags && rc == 0; k++) {
            if (strcmp(s->tags[k].key, keys[i])) continue;
            sl_free(s->tags[k].key);
            sl_free(s->tags[k].value);
            memmove(s->tags + k, s->tags + k + 1, (s->ntags - k - 1) * sizeof(tag_t));
            s->ntags--;
            break;
        }
    }
    if (cat_end(st, rc) < 0) {
        rc = -1;
        sl_awserr_set(err, SL_AWS_InternalFailure, "catalog: %s", sqlite3_errmsg(st->db));
    }
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}

/* ---- data plane ------------------------------------------------------------------------------ */

/* The position in s->open of the open shard holding hash key h (binary search over the
 * sorted open shards), or s->nopen when none does. */
static int route(const stream_t *s, sl_u128_t h)
{
    size_t lo = 0, hi = s->nopen;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->open[mid]->start_hash <= h)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || h > s->open[lo - 1]->end_hash) return (int)s->nopen;
    return (int)(lo - 1);
}

int sl_store_put(sl_store_t *st, const char *name, const sl_put_rec_t *recs, size_t n,
                 sl_put_result_t *results, sl_arena_t *a, sl_awserr_t *err)
{
    pthread_rwlock_rdlock(&st->lock);
    stream_t *s = data_stream(st, name, err);
    if (!s) {
        pthread_rwlock_unlock(&st->lock);
        return -1;
    }
    /* Route every record, then write each shard's records as one batch, in request order:
     * a counting sort of the record indexes by the position of their shard in s->open. */
    int *dest = sl_arena_alloc(a, n * sizeof(int));
    size_t nopen = s->nopen;
    size_t *start = sl_arena_calloc(a, (nopen + 2) * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        sl_u128_t h = recs[i].has_explicit_hash ? recs[i].explicit_hash
                                                : sl_hashkey_of(recs[i].pk, recs[i].pk_len);
        dest[i] = route(s, h);
        start[dest[i] + 1]++;
    }
    for (size_t k = 1; k <= nopen + 1; k++) start[k] += start[k - 1];
    size_t *order = sl_arena_alloc(a, n * sizeof(size_t));
    size_t *fill = sl_arena_alloc(a, (nopen + 1) * sizeof(size_t));
    memcpy(fill, start, (nopen + 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++) order[fill[dest[i]]++] = i;
    sl_logrec_t *batch = sl_arena_alloc(a, n * sizeof(sl_logrec_t));
    int failed = 0;
    for (size_t g = 0; g <= nopen; g++) {
        size_t k = start[g + 1] - start[g];
        if (k == 0) continue;
        const size_t *which = order + start[g];
        for (size_t r = 0; r < k; r++) {
            const sl_put_rec_t *rec = &recs[which[r]];
            batch[r] = (sl_logrec_t){rec->pk, rec->pk_len, rec->data, rec->len};
        }
        if (g == nopen) { /* no open shard holds the key: cannot happen while open shards
                             cover the key space */
            for (size_t r = 0; r < k; r++) {
                results[which[r]].code = SL_AWS_InternalFailure;
                results[which[r]].message = "Internal service failure.";
                failed++;
            }
            continue;
        }
        shard_t *sh = s->open[g];
        pthread_mutex_lock(&sh->mu);
        int64_t now = sl_clock_now_ms();
        size_t accept = k;
        if (st->cfg.throttle) {
            throttle_refill(&sh->tb, now);
            accept = 0;
            while (accept < k) {
                double bytes = (double)(batch[accept].len + batch[accept].pk_len);
                if (sh->tb.in_records < 1 || sh->tb.in_bytes < bytes) break;
                sh->tb.in_records -= 1;
                sh->tb.in_bytes -= bytes;
                accept++;
            }
        }
        /* Arrival times never decrease within a shard, even if the wall clock steps back. */
        int64_t arrival = now > sh->last_arrival_ms ? now : sh->last_arrival_ms;
        uint64_t first = 0;
        char *e = NULL;
        int wrc = 0;
        if (accept) {
            first = atomic_fetch_add(&s->counter, accept);
            wrc = sl_shardlog_append(sh->log, first, arrival, batch, accept,
                                     st->cfg.fsync == SL_FSYNC_ALWAYS, &e);
            if (wrc == 0) sh->last_arrival_ms = arrival;
        }
        pthread_mutex_unlock(&sh->mu);
        for (size_t r = 0; r < k; r++) {
            sl_put_result_t *res = &results[which[r]];
            res->shard_ix = sh->ix;
            if (r >= accept) {
                char sid[24];
                shard_id(sh->ix, sid);
                res->code = SL_AWS_ProvisionedThroughputExceededException;
                res->message = sl_arena_printf(
                    a, "Rate exceeded for shard %s in stream %s under account %s.", sid, name,
                    st->cfg.account);
                failed++;
            } else if (wrc < 0) {
                res->code = SL_AWS_InternalFailure;
                res->message = sl_arena_printf(a, "Internal service failure: %s", e);
                failed++;
            } else {
                res->code = SL_AWS_OK;
                sl_seqno_format(first + r, sh->ix, res->seq);
            }
        }
        sl_free(e);
    }
    pthread_rwlock_unlock(&st->lock);
    if ((size_t)failed < n) {
        pthread_mutex_lock(&st->wake_mu);
        st->appends++;
        pthread_cond_broadcast(&st->wake_cv);
        pthread_mutex_unlock(&st->wake_mu);
    }
    return failed;
}

uint64_t sl_store_appends(sl_store_t *st)
{
    pthread_mutex_lock(&st->wake_mu);
    uint64_t n = st->appends;
    pthread_mutex_unlock(&st->wake_mu);
    return n;
}

uint64_t sl_store_wait_appends(sl_store_t *st, uint64_t seen, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&st->wake_mu);
    while (st->appends == seen) {
        if (pthread_cond_timedwait(&st->wake_cv, &st->wake_mu, &until) != 0) break;
    }
    uint64_t n = st->appends;
    pthread_mutex_unlock(&st->wake_mu);
    return n;
}

/* ---- tokens ------------------------------------------------------------------------------------ */

#define TOKEN_BODY 29 /* version(1) stream(8) shard(4) position(8) issued(8) */
#define TOKEN_MAC  16

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (56 - 8 * i));
}
static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

/* Encodes a token: version, three values, the issue time, and a MAC over them. */
static const char *token_make(sl_store_t *st, int version, int64_t stream_id, int32_t shard,
                              int64_t position, int64_t issued, sl_arena_t *a)
{
    unsigned char raw[TOKEN_BODY + 32];
    raw[0] = (unsigned char)version;
    put64(raw + 1, (uint64_t)stream_id);
    raw[9] = (unsigned char)((uint32_t)shard >> 24);
    raw[10] = (unsigned char)((uint32_t)shard >> 16);
    raw[11] = (unsigned char)((uint32_t)shard >> 8);
    raw[12] = (unsigned char)shard;
    put64(raw + 13, (uint64_t)position);
    put64(raw + 21, (uint64_t)issued);
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), st->key, sizeof st->key, raw, TOKEN_BODY, raw + TOKEN_BODY, &maclen);
    sl_buf_t b = SL_BUF_INIT;
    sl_base64_encode(&b, raw, TOKEN_BODY + TOKEN_MAC);
    char *out = sl_arena_strndup(a, b.p, b.len);
    sl_buf_free(&b);
    return out;
}

/* Decodes and authenticates a token; false when it is not one of ours. */
static bool token_read(sl_store_t *st, const char *tok, int version, int64_t *stream_id,
                       int32_t *shard, int64_t *position, int64_t *issued)
{
    size_t len = strlen(tok);
    if (len != 60) return false; /* base64 of 45 bytes */
    unsigned char raw[48];
    if (sl_base64_decode(tok, len, raw) != TOKEN_BODY + TOKEN_MAC) return false;
    unsigned char mac[32];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), st->key, sizeof st->key, raw, TOKEN_BODY, mac, &maclen);
    if (CRYPTO_memcmp(mac, raw + TOKEN_BODY, TOKEN_MAC) != 0 || raw[0] != version) return false;
    *stream_id = (int64_t)get64(raw + 1);
    *shard = (int32_t)((uint32_t)raw[9] << 24 | (uint32_t)raw[10] << 16 | (uint32_t)raw[11] << 8 |
                       raw[12]);
    *position = (int64_t)get64(raw + 13);
    *issued = (int64_t)get64(raw + 21);
    return true;
}

const char *sl_store_make_token(sl_store_t *st, int64_t stream_id, int64_t a_value,
                                sl_arena_t *a)
{
    return token_make(st, 2, stream_id, 0, a_value, sl_clock_now_ms(), a);
}

bool sl_store_read_token(sl_store_t *st, const char *token, int64_t *stream_id, int64_t *a_value,
                         int64_t *issued_ms)
{
    int32_t unused;
    return token_read(st, token, 2, stream_id, &unused, a_value, issued_ms);
}

const char *sl_store_get_iterator(sl_store_t *st, const char *name, const char *id,
                                  sl_iter_type_t type, const char *seq, int64_t ts_ms,
                                  sl_arena_t *a, sl_awserr_t *err)
{
    int64_t now = sl_clock_now_ms();
    pthread_rwlock_rdlock(&st->lock);
    const char *result = NULL;
    stream_t *s = data_stream(st, name, err);
    shard_t *sh = s ? lookup_shard(s, id, now) : NULL;
    if (!sh) { /* Kinesis words a missing stream here as a missing shard */
        sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                      "Shard %s in stream %s under account %s does not exist", id, name,
                      st->cfg.account);
        goto out;
    }
    char sid[24];
    shard_id(sh->ix, sid);
    uint64_t pos = 0;
    pthread_mutex_lock(&sh->mu);
    uint64_t last = sl_shardlog_empty(sh->log) ? 0 : sl_shardlog_last_counter(sh->log);
    switch (type) {
    case SL_ITER_TRIM_HORIZON: pos = 0; break;
    case SL_ITER_LATEST:
        /* Just after the newest record; for a closed shard, its end. */
        pos = sh->closed ? sh->end_counter : (last > sh->start_counter ? last : sh->start_counter) + 1;
        break;
    case SL_ITER_AT_TIMESTAMP: pos = sl_shardlog_seek_time(sh->log, ts_ms); break;
    case SL_ITER_AT_SEQUENCE_NUMBER:
    case SL_ITER_AFTER_SEQUENCE_NUMBER: {
        uint64_t c;
        int six;
        if (!sl_seqno_parse(seq, &c, &six)) {
            pthread_mutex_unlock(&sh->mu);
            sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                          "StartingSequenceNumber %s used in GetShardIterator on shard %s in "
                          "stream %s under account %s is invalid.",
                          seq, sid, name, st->cfg.account);
            goto out;
        }
        if (six != sh->ix) {
            pthread_mutex_unlock(&sh->mu);
            char other[24];
            shard_id(six, other);
            sl_awserr_set(err, SL_AWS_InvalidArgumentException,
                          "Invalid StartingSequenceNumber. It encodes %s, while it was used in a "
                          "call to a shard with %s",
                          other, sid);
            goto out;
        }
        pos = type == SL_ITER_AT_SEQUENCE_NUMBER ? c : c + 1;
        break;
    }
    }
    if (type == SL_ITER_AT_TIMESTAMP && sl_shardlog_empty(sh->log))
        pos = sh->closed ? sh->end_counter : atomic_load(&s->counter);
    pthread_mutex_unlock(&sh->mu);
    result = token_make(st, 1, s->id, sh->ix, (int64_t)pos, now, a);
out:
    pthread_rwlock_unlock(&st->lock);
    return result;
}

int sl_store_get_records(sl_store_t *st, const char *iterator, int limit, sl_arena_t *a,
                         sl_get_result_t *out, sl_awserr_t *err)
{
    memset(out, 0, sizeof *out);
    int64_t stream_id, position, issued;
    int32_t ix;
    if (!token_read(st, iterator, 1, &stream_id, &ix, &position, &issued))
        return sl_awserr_set(err, SL_AWS_InvalidArgumentException, "Invalid ShardIterator.");
    int64_t now = sl_clock_now_ms();
    if (now - issued > ITERATOR_TTL_MS) {
        char c[64], n[64];
        fmt_time(issued, c, sizeof c);
        fmt_time(now, n, sizeof n);
        return sl_awserr_set(err, SL_AWS_ExpiredIteratorException,
                             "Iterator expired. The iterator was created at time %s while right "
                             "now it is %s which is further in the future than the tolerated "
                             "delay of %d milliseconds.",
                             c, n, ITERATOR_TTL_MS);
    }
    pthread_rwlock_rdlock(&st->lock);
    int rc = -1;
    stream_t *s = find_stream_id(st, stream_id);
    if (!s || s->status == SL_STREAM_DELETING || ix < 0 || (size_t)ix >= s->nshards) {
        sl_awserr_set(err, SL_AWS_ResourceNotFoundException,
                      "Shard shardId-%012d in stream %s under account %s does not exist", ix,
                      s ? s->name : "(deleted)", st->cfg.account);
        goto out;
    }
    shard_t *sh = s->shards[ix];
    pthread_mutex_lock(&sh->mu);
    if (st->cfg.throttle) {
        throttle_refill(&sh->tb, now);
        if (sh->tb.out_calls < 1 || sh->tb.out_bytes <= 0) {
            pthread_mutex_unlock(&sh->mu);
            sl_awserr_set(err, SL_AWS_ProvisionedThroughputExceededException,
                          "Rate exceeded for shard shardId-%012d in stream %s under account %s.",
                          ix, s->name, st->cfg.account);
            goto out;
        }
        sh->tb.out_calls -= 1;
    }
    uint64_t pos = (uint64_t)position;
    sl_recview_t *v;
    char *e = NULL;
    long n = sl_shardlog_read(sh->log, pos, (size_t)limit, MAX_GET_BYTES, a, &v, &e);
    if (n < 0) {
        pthread_mutex_unlock(&sh->mu);
        sl_awserr_set(err, SL_AWS_InternalFailure, "Internal service failure: %s", e);
        sl_free(e);
        goto out;
    }
    size_t bytes = 0;
    out->records = SL_ANEWN(a, sl_record_t, n ? (size_t)n : 1);
    for (long i = 0; i < n; i++) {
        sl_record_t *r = &out->records[i];
        sl_seqno_format(v[i].counter, ix, r->seq);
        r->arrival_ms = v[i].arrival_ms;
        r->pk = v[i].pk;
        r->pk_len = v[i].pk_len;
        r->data = v[i].data;
        r->len = v[i].len;
        bytes += v[i].len;
    }
    out->n = (size_t)n;
    if (st->cfg.throttle) sh->tb.out_bytes -= (double)bytes;
    uint64_t next = n ? v[n - 1].counter + 1 : pos;
    bool more = !sl_shardlog_empty(sh->log) && next <= sl_shardlog_last_counter(sh->log);
    if (more) {
        int64_t arr = sl_shardlog_arrival_at(sh->log, next);
        out->millis_behind = arr >= 0 && now > arr ? now - arr : 0;
    }
    bool at_end = sh->closed && !more;
    pthread_mutex_unlock(&sh->mu);
    if (at_end) {
        out->children = SL_ANEWN(a, sl_shard_info_t, 2);
        for (size_t k = 0; k < s->nshards && out->nchildren < 2; k++) {
            shard_t *c = s->shards[k];
            if (c->parent_ix == ix || c->adjacent_parent_ix == ix)
                shard_info(c, &out->children[out->nchildren++]);
        }
    } else {
        out->next_iterator = token_make(st, 1, s->id, ix, (int64_t)next, now, a);
    }
    rc = 0;
out:
    pthread_rwlock_unlock(&st->lock);
    return rc;
}
