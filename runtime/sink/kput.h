/*
 * kput.h - writing an output's records to a stream of a remote Kinesis endpoint
 * (PutRecords through ingest/kclient.h), for stream outputs with `sluice:Endpoint`.
 *
 * One writer per output, used by the engine's thread alone (not thread-safe). A call to
 * sl_kput_put() delivers the records it is given, in order, before it returns: in requests
 * of at most 500 records and 5 MiB (data plus partition keys), each request waiting until
 * the one before it is settled. Records the endpoint refused for a transient reason
 * (ProvisionedThroughputExceededException, InternalFailure, KMSThrottlingException, HTTP
 * 5xx, a transport failure) are sent again, alone and in their original order, after an
 * exponential backoff with jitter; a hard refusal (ResourceNotFoundException,
 * ValidationException, AccessDeniedException, ...) or exhausted retries give the records
 * up, and the call reports how many and why. Nothing here blocks forever: one request has
 * SL_KPUT_RETRIES + 1 attempts of at most SL_KPUT_TIMEOUT_MS each, with backoffs capped at
 * SL_KPUT_BACKOFF_MAX_MS between them.
 *
 * Delivery is at-least-once: a request whose answer was lost is sent again.
 */
#ifndef SL_KPUT_H
#define SL_KPUT_H

#include <stddef.h>
#include <stdint.h>

#define SL_KPUT_MAX_RECORDS    500               /* records per PutRecords (the AWS limit) */
#define SL_KPUT_MAX_BYTES      (5 * 1024 * 1024) /* data + partition keys per PutRecords */
#define SL_KPUT_RETRIES        8                 /* retries of one request at most */
#define SL_KPUT_BACKOFF_MS     100               /* first backoff; doubles per retry ... */
#define SL_KPUT_BACKOFF_MAX_MS 2000              /* ... up to this (then jittered in [d/2, d]) */
#define SL_KPUT_TIMEOUT_MS     10000 /* one request at most (then a transport failure) */

typedef struct sl_kput sl_kput_t;

/* One record: its data and partition key (neither copied beyond the call). */
typedef struct sl_kput_rec {
    const void *data;
    size_t len;
    const char *pk;
    size_t pklen;
} sl_kput_rec_t;

/* Counters, all monotonic. */
typedef struct sl_kput_stats {
    uint64_t delivered; /* records the endpoint accepted */
    uint64_t retried;   /* records sent again after a transient failure */
    uint64_t dropped;   /* records given up (hard failure or retries exhausted) */
    uint64_t requests;  /* PutRecords requests sent (retries included) */
} sl_kput_stats_t;

/* A writer to stream `stream` at endpoint ("http://host:port"); both are copied. No request
 * is made here: a missing stream shows on the first put. */
sl_kput_t *sl_kput_new(const char *endpoint, const char *stream);

/*
 * Delivers recs[0..n) as described above. Returns how many records were given up (0: all
 * delivered). When it is not 0, sl_kput_error() tells why.
 */
size_t sl_kput_put(sl_kput_t *p, const sl_kput_rec_t *recs, size_t n);

/* The last failure: *type is the AWS error type ("ResourceNotFoundException") or
 * "TransportError", *msg a sentence naming the stream and endpoint. Both NULL before any
 * failure; valid until the next sl_kput_put() or sl_kput_free(). */
void sl_kput_error(const sl_kput_t *p, const char **type, const char **msg);

/* Copies the counters into *out. */
void sl_kput_stats(const sl_kput_t *p, sl_kput_stats_t *out);

/* Frees the writer (pending nothing: every put settles before it returns). NULL is a no-op. */
void sl_kput_free(sl_kput_t *p);

#endif
