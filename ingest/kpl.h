/*
 * kpl.h - records aggregated by the Kinesis Producer Library (KPL).
 *
 * A KPL producer packs many user records into one Kinesis record:
 *
 *   magic F3 89 9A C2 | AggregatedRecord (protocol buffers) | MD5 of the AggregatedRecord
 *
 *   AggregatedRecord { repeated string partition_key_table = 1;
 *                      repeated string explicit_hash_key_table = 2;
 *                      repeated Record records = 3; }
 *   Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *            required bytes data = 3; repeated Tag tags = 4; }
 *
 * (the format the KPL documents in its aggregation-format notes; this is our own reader).
 * KDA for SQL did not take such records apart (they reached error_stream); sluice reads the
 * user records inside, each as a record of its own. A record is taken as aggregated only
 * when it starts with the magic, is long enough and its MD5 trailer matches, so ordinary
 * JSON or CSV data (which cannot start with byte F3) is never mistaken for one.
 *
 * No allocation beyond the caller's array: the user records' bytes are slices of the
 * aggregated record's.
 */
#ifndef SL_KPL_H
#define SL_KPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One user record of an aggregate: its data as a slice [off, off + len) of the aggregated
 * record's bytes. */
typedef struct sl_kpl_rec {
    size_t off, len;
} sl_kpl_rec_t;

/* True when data[0, len) is a KPL aggregated record (magic, size, MD5 trailer). */
bool sl_kpl_is_aggregated(const void *data, size_t len);

/*
 * Lists the user records of the aggregated record data[0, len) (sl_kpl_is_aggregated must
 * hold) into out[0, max), in order. Returns their number (which may exceed max: only max
 * are written; call again with room for all), or -1 with *err (static text) when the
 * protocol buffer is malformed: a truncated field, a varint over 10 bytes, a record
 * without data, or a partition key index outside the table.
 */
long sl_kpl_records(const void *data, size_t len, sl_kpl_rec_t *out, size_t max, const char **err);

/*
 * The same into a list that always has room: buf (nbuf entries) when the records fit,
 * else a heap array the caller frees (sl_free) when it is not buf. *n gets their number,
 * or -1 with *err as sl_kpl_records.
 */
sl_kpl_rec_t *sl_kpl_list(const void *data, size_t len, sl_kpl_rec_t *buf, size_t nbuf, long *n,
                          const char **err);

#endif
