/*
 * store.h - the shard store: Kinesis-style streams of shards, durable on local disk.
 *
 * The store owns streams, their shards (with lineage after resharding), tags, retention
 * and each shard's log (shardlog.h). The catalog (streams, shards, tags, the iterator key)
 * lives in SQLite at DIR/catalog.db and changes transactionally; records live in segment
 * files under DIR/streams/<stream id>/<shard index>/.
 *
 * Semantics are those of Amazon Kinesis Data Streams (see ../shared/reference/kinesis_api.md):
 * partition key -> MD5 -> 128-bit hash key -> the open shard whose range holds it; sequence
 * numbers are decimal strings increasing per shard; iterators are opaque tokens valid for
 * five minutes; split/merge close parents with an EndingSequenceNumber and open children.
 * Errors come back as an sl_awserr_t worded as AWS words them.
 *
 * Sequence numbers. Every record gets a counter from its stream's counter, which only
 * grows (it survives restarts: it restarts above every counter on disk or in the catalog).
 * The wire form is "49" + the counter in 20 digits + the shard index in 10 digits: fixed
 * width, so text order is numeric order, increasing per shard and unique in the stream, and
 * it names its shard (GetShardIterator rejects a number from another shard).
 *
 * Threading: every call is thread-safe. Control operations (create, delete, reshard, tags,
 * retention) take the store's write lock; puts and reads take its read lock plus the one
 * shard's mutex, so different shards are written in parallel. A maintenance thread applies
 * delayed status changes (CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING -> gone), drops
 * expired segments and runs the interval fsync.
 *
 * Ownership: results are allocated in the arena the caller passes and die with it.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include "arena.h"
#include "awserr.h"
#include "hashkey.h"
#include "shardlog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sl_store sl_store_t;

typedef enum sl_fsync { SL_FSYNC_ALWAYS, SL_FSYNC_INTERVAL, SL_FSYNC_NEVER } sl_fsync_t;

typedef struct sl_store_config {
    const char *dir;          /* data directory (created if missing) */
    sl_fsync_t fsync;         /* when appended batches reach the disk; see README */
    int fsync_interval_ms;    /* for SL_FSYNC_INTERVAL; default 1000 */
    int create_delay_ms;      /* how long a new stream stays CREATING; default 0 */
    int delete_delay_ms;      /* how long a deleted stream stays DELETING; default 0 */
    int update_delay_ms;      /* how long a resharded stream stays UPDATING; default 0 */
    bool throttle;            /* enforce the per-shard Kinesis throughput limits */
    int shard_limit;          /* open shards per account; default 500 */
    const char *region;       /* for ARNs; default "us-east-1" */
    const char *account;      /* for ARNs and messages; default "000000000000" */
    size_t segment_bytes;     /* segment size before rolling; default 64 MiB */
} sl_store_config_t;

/* Stream statuses, as the API spells them. */
typedef enum sl_stream_status {
    SL_STREAM_CREATING,
    SL_STREAM_ACTIVE,
    SL_STREAM_UPDATING,
    SL_STREAM_DELETING
} sl_stream_status_t;

const char *sl_stream_status_name(sl_stream_status_t s);

/* A shard as described to clients. */
typedef struct sl_shard_info {
    int ix;                   /* shard index: ShardId is "shardId-%012d" */
    char id[24];              /* "shardId-000000000000" */
    int parent_ix;            /* -1 when none */
    int adjacent_parent_ix;   /* -1 when none */
    sl_u128_t start_hash, end_hash;
    char start_seq[33];       /* StartingSequenceNumber */
    char end_seq[33];         /* EndingSequenceNumber, "" while open */
    bool closed;
    int64_t created_ms, closed_ms; /* closed_ms 0 while open */
    int64_t last_arrival_ms;       /* newest record, 0 when none */
} sl_shard_info_t;

typedef struct sl_tag {
    const char *key, *value;
} sl_tag_t;

/* A stream snapshot. shards: every shard still within retention, by index. */
typedef struct sl_stream_info {
    int64_t id;
    const char *name;
    const char *arn;
    sl_stream_status_t status;
    int64_t created_ms;
    int retention_hours;
    bool on_demand;
    int open_shards;
    sl_shard_info_t *shards;
    size_t nshards;
    sl_tag_t *tags; /* sorted by key */
    size_t ntags;
} sl_stream_info_t;

/* Opens the store in cfg->dir (recovering every shard log). NULL and *err (heap) on error. */
sl_store_t *sl_store_open(const sl_store_config_t *cfg, char **err);
/* Stops the maintenance thread, syncs and closes everything. NULL is a no-op. */
void sl_store_close(sl_store_t *st);
const sl_store_config_t *sl_store_config(const sl_store_t *st);

/* Resolves a stream given by name or by ARN into its name (into the arena). Returns NULL
 * and sets err when the ARN is not one of this store's (region, account). */
const char *sl_store_resolve_name(sl_store_t *st, const char *name_or_arn, sl_arena_t *a,
                                  sl_awserr_t *err);
/* The ARN of a stream name. */
char *sl_store_arn(sl_store_t *st, const char *name, sl_arena_t *a);

/* ---- control plane -------------------------------------------------------------------- */

int sl_store_create_stream(sl_store_t *st, const char *name, int shard_count, bool on_demand,
                           const sl_tag_t *tags, size_t ntags, sl_awserr_t *err);
int sl_store_delete_stream(sl_store_t *st, const char *name, sl_awserr_t *err);
/* Snapshot of one stream; NULL with ResourceNotFoundException when absent. */
sl_stream_info_t *sl_store_describe(sl_store_t *st, const char *name, sl_arena_t *a,
                                    sl_awserr_t *err);
/* Names of all streams in name order (into the arena). */
size_t sl_store_list_streams(sl_store_t *st, sl_arena_t *a, const char ***names);
int sl_store_split_shard(sl_store_t *st, const char *name, const char *shard_id,
                         sl_u128_t new_start, sl_awserr_t *err);
int sl_store_merge_shards(sl_store_t *st, const char *name, const char *shard_id,
                          const char *adjacent_id, sl_awserr_t *err);
/* Reshards to target open shards of equal ranges; *current receives the count before. */
int sl_store_update_shard_count(sl_store_t *st, const char *name, int target, int *current,
                                sl_awserr_t *err);
/* increase: true for IncreaseStreamRetentionPeriod, false for Decrease. */
int sl_store_set_retention(sl_store_t *st, const char *name, int hours, bool increase,
                           sl_awserr_t *err);
int sl_store_add_tags(sl_store_t *st, const char *name, const sl_tag_t *tags, size_t n,
                      sl_awserr_t *err);
int sl_store_remove_tags(sl_store_t *st, const char *name, const char *const *keys, size_t n,
                         sl_awserr_t *err);

/* ---- data plane ----------------------------------------------------------------------- */

/* One record to put. */
typedef struct sl_put_rec {
    const unsigned char *data;
    size_t len;
    const char *pk;
    size_t pk_len;
    bool has_explicit_hash;
    sl_u128_t explicit_hash;
} sl_put_rec_t;

/* The outcome of one record of a put. */
typedef struct sl_put_result {
    sl_awserr_code_t code;  /* SL_AWS_OK, or ProvisionedThroughputExceededException /
                               InternalFailure for this record alone */
    int shard_ix;
    char seq[33];           /* SequenceNumber when OK */
    const char *message;    /* ErrorMessage when not OK (arena) */
} sl_put_result_t;

/* Puts n records; results[i] tells each one's fate (order is kept). Returns the number of
 * failed records, or -1 with err when the whole call fails (stream absent or not ACTIVE/
 * UPDATING). A record is reported OK only once it is in its shard's log. */
int sl_store_put(sl_store_t *st, const char *name, const sl_put_rec_t *recs, size_t n,
                 sl_put_result_t *results, sl_arena_t *a, sl_awserr_t *err);

typedef enum sl_iter_type {
    SL_ITER_TRIM_HORIZON,
    SL_ITER_LATEST,
    SL_ITER_AT_SEQUENCE_NUMBER,
    SL_ITER_AFTER_SEQUENCE_NUMBER,
    SL_ITER_AT_TIMESTAMP
} sl_iter_type_t;

/* Builds a shard iterator (an opaque token, written into the arena). seq is needed for the
 * *_SEQUENCE_NUMBER types, ts_ms for AT_TIMESTAMP. */
const char *sl_store_get_iterator(sl_store_t *st, const char *name, const char *shard_id,
                                  sl_iter_type_t type, const char *seq, int64_t ts_ms,
                                  sl_arena_t *a, sl_awserr_t *err);

/* Room for a sequence number as read: the store's have 32 digits, those of AWS and of
 * other endpoints (kinesalite) 56; SequenceNumber is at most 128 characters by the API, and
 * longer ones are refused where they are read. */
#define SL_SEQ_BUF 64

/* A record as read. */
typedef struct sl_record {
    char seq[SL_SEQ_BUF];
    int64_t arrival_ms;
    const char *pk;
    size_t pk_len;
    const unsigned char *data;
    size_t len;
} sl_record_t;

typedef struct sl_get_result {
    sl_record_t *records;
    size_t n;
    const char *next_iterator;   /* NULL at the end of a closed shard */
    int64_t millis_behind;       /* 0 when caught up */
    sl_shard_info_t *children;   /* set at the end of a closed shard */
    size_t nchildren;
} sl_get_result_t;

/* GetRecords: reads up to limit records (and at most 10 MiB) at the iterator. */
int sl_store_get_records(sl_store_t *st, const char *iterator, int limit, sl_arena_t *a,
                         sl_get_result_t *out, sl_awserr_t *err);

/* The store's append count: it grows with every put that wrote at least one record. A
 * reader that found nothing new waits on it instead of sleeping a fixed interval, so
 * records reach continuous queries as soon as they are acknowledged. */
uint64_t sl_store_appends(sl_store_t *st);
/* Waits until the append count differs from `seen` or timeout_ms has passed; returns the
 * count then. */
uint64_t sl_store_wait_appends(sl_store_t *st, uint64_t seen, int timeout_ms);

/* Formats and parses the wire form of sequence numbers (see the top of this file). */
void sl_seqno_format(uint64_t counter, int shard_ix, char out[33]);
bool sl_seqno_parse(const char *s, uint64_t *counter, int *shard_ix);

/* Opaque, MAC-protected tokens for ListShards' NextToken: the stream, the last shard index
 * listed and the time of issue. */
const char *sl_store_make_token(sl_store_t *st, int64_t stream_id, int64_t a_value,
                                sl_arena_t *a);
bool sl_store_read_token(sl_store_t *st, const char *token, int64_t *stream_id,
                         int64_t *a_value, int64_t *issued_ms);

#endif
