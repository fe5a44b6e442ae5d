/*
 * hashkey.h - Kinesis hash keys: unsigned 128-bit integers, MD5 of partition keys, and
 * their decimal text form.
 *
 * A record goes to the open shard whose inclusive [StartingHashKey, EndingHashKey] holds
 * MD5(partition key) read as a big-endian unsigned 128-bit integer, or its ExplicitHashKey.
 * On the wire hash keys are decimal strings of up to 39 digits (regex 0|([1-9]\d{0,38})).
 */
#ifndef SL_HASHKEY_H
#define SL_HASHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 sl_u128_t;

#define SL_U128_MAX (~(sl_u128_t)0)

/* MD5 (RFC 1321) of n bytes into out[16]. */
void sl_md5(const void *data, size_t n, unsigned char out[16]);
/* The hash key of a partition key: MD5 read big-endian. */
sl_u128_t sl_hashkey_of(const char *partition_key, size_t n);
/* Parses a decimal hash key. Returns false when s is not 0|[1-9][0-9]* or exceeds 2^128-1. */
bool sl_u128_parse(const char *s, size_t n, sl_u128_t *out);
/* Writes the decimal form (at most 39 digits + NUL) into out[40]; returns its length. */
int sl_u128_format(sl_u128_t v, char out[40]);

#endif
