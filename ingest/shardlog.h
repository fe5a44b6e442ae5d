/*
 * shardlog.h - the durable log of one shard: append-only segment files.
 *
 * A shard's records live in a directory of segment files named by the counter of their
 * first record ("00000000000000000042.log"). A segment is a sequence of record batches; a
 * batch is what one append wrote: a 32-byte header, then its records.
 *
 *     batch   := magic "SLB1" (u32) | payload_len (u32) | crc (u32) | nrec (u32)
 *                | first_counter (u64) | arrival_ms (i64) | payload
 *     payload := nrec x ( pk_len (u16) | data_len (u32) | pk bytes | data bytes )
 *
 * All integers little-endian. crc is CRC-32C over the header bytes after it (nrec,
 * first_counter, arrival_ms) and the payload. The records of a batch have the consecutive
 * counters first_counter .. first_counter + nrec - 1 and one arrival time.
 *
 * Invariants:
 *   - counters increase strictly along the log, arrival_ms never decreases;
 *   - an append returns only after write(2) has put the whole batch in the file (and, with
 *     sync, after fdatasync), so a killed process loses no batch it acknowledged;
 *   - on open, the newest segment is verified batch by batch and cut at the first batch that
 *     is incomplete or fails its checksum (a torn tail); older segments are closed and were
 *     complete when the next one started;
 *   - whole segments are dropped by expiry, never parts of one.
 *
 * An in-memory index holds one entry per batch (counter, arrival, file offset), so a read
 * seeks by counter or by time with a binary search and reads whole batches with pread.
 *
 * Not thread-safe: the store serialises calls per shard with the shard's mutex.
 */
#ifndef SL_SHARDLOG_H
#define SL_SHARDLOG_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sl_shardlog sl_shardlog_t;

/* One record to append. */
typedef struct sl_logrec {
    const char *pk;
    size_t pk_len; /* < 65536 */
    const unsigned char *data;
    size_t len;
} sl_logrec_t;

/* One record read back; pk and data point into the arena passed to sl_shardlog_read. */
typedef struct sl_recview {
    uint64_t counter;
    int64_t arrival_ms;
    const char *pk;
    size_t pk_len;
    const unsigned char *data;
    size_t len;
} sl_recview_t;

/* Opens (creating if needed) the log in dir, scanning its segments and cutting a torn tail.
 * segment_bytes: roll to a new segment past this size. Returns NULL and a heap message in
 * *err on an I/O error. */
sl_shardlog_t *sl_shardlog_open(const char *dir, size_t segment_bytes, char **err);
/* Closes the files and frees the log. NULL is a no-op. */
void sl_shardlog_close(sl_shardlog_t *log);
/* Closes the log and deletes its directory and files. */
void sl_shardlog_destroy(sl_shardlog_t *log);

/* Appends n records with counters first_counter.. and arrival arrival_ms as one batch.
 * first_counter must exceed every counter in the log and arrival_ms must not be below the
 * last one (the store guarantees both). With sync, fdatasync before returning. Returns 0,
 * or -1 with *err (heap) when the write failed; then the log is unchanged. */
int sl_shardlog_append(sl_shardlog_t *log, uint64_t first_counter, int64_t arrival_ms,
                       const sl_logrec_t *recs, size_t n, bool sync, char **err);

/* Reads the records with counter >= from, at most limit records and about max_bytes bytes
 * of data (always at least one record when there is one). Returns the count and sets
 * *out to an arena array. -1 with *err on an I/O error. */
long sl_shardlog_read(sl_shardlog_t *log, uint64_t from, size_t limit, size_t max_bytes,
                      sl_arena_t *a, sl_recview_t **out, char **err);

/* The counter of the first record whose arrival_ms >= ts, or last_counter + 1 when none. */
uint64_t sl_shardlog_seek_time(const sl_shardlog_t *log, int64_t ts);
/* Arrival time of the first record with counter >= from, or -1 when there is none. */
int64_t sl_shardlog_arrival_at(const sl_shardlog_t *log, uint64_t from);

bool sl_shardlog_empty(const sl_shardlog_t *log);
/* Counter of the oldest record kept (0 when empty). */
uint64_t sl_shardlog_first_counter(const sl_shardlog_t *log);
/* Counter of the newest record (0 when empty). */
uint64_t sl_shardlog_last_counter(const sl_shardlog_t *log);
/* Arrival of the newest record (0 when empty). */
int64_t sl_shardlog_last_arrival(const sl_shardlog_t *log);
/* Records currently kept and bytes on disk. */
uint64_t sl_shardlog_records(const sl_shardlog_t *log);
uint64_t sl_shardlog_bytes(const sl_shardlog_t *log);

/* Deletes every segment whose newest record arrived before cutoff_ms (the newest segment
 * too, once all of it is older; the next append starts a new one). Returns segments
 * dropped. */
int sl_shardlog_expire(sl_shardlog_t *log, int64_t cutoff_ms);
/* fdatasync the current segment if it was written since the last sync. */
int sl_shardlog_sync(sl_shardlog_t *log);
/* For syncing without holding the shard's lock: when the log was written since the last
 * sync, marks it clean and returns a duplicate descriptor of its newest segment, which the
 * caller fdatasyncs and closes after releasing the lock; -1 when nothing is to sync. */
int sl_shardlog_take_sync_fd(sl_shardlog_t *log);

#endif
