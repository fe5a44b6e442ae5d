/*
 * kput.c - PutRecords to a remote Kinesis stream with retries; see kput.h.
 *
 *   sl_kput_put(recs, n)
 *     cut recs into requests: <= 500 records, <= 5 MiB of data + partition keys
 *     per request, in order:
 *       pending = every record of the request
 *       loop: POST PutRecords {StreamName, Records: pending as {Data: base64, PartitionKey}}
 *         transport failure / transient AWS error  -> all pending stay pending
 *         hard AWS error                           -> give up pending and the rest of recs
 *         200: per record, OK -> delivered; transient ErrorCode -> stays pending (in order);
 *              other ErrorCode -> given up
 *         nothing pending -> next request
 *         retries left -> sleep backoff(attempt) (100 ms doubling to 2 s, equal jitter)
 *         else give up pending
 */
#include "kput.h"

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "kclient.h"
#include "val.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct sl_kput {
    sl_kclient_t *kc;
    char *endpoint;
    char *stream;
    sl_arena_t *arena;  /* answers of one request */
    sl_buf_t body;      /* the request being sent */
    size_t *pend;       /* indexes (into the request) of records still to deliver */
    size_t *next;       /* the same after an answer */
    char *etype, *emsg; /* the last failure (heap) */
    uint64_t rng;       /* xorshift state for the jitter */
    sl_kput_stats_t st;
};

/* Creates a writer; see kput.h. */
sl_kput_t *sl_kput_new(const char *endpoint, const char *stream)
{
    sl_kput_t *p = SL_NEW(sl_kput_t);
    p->kc = sl_kclient_new(endpoint);
    sl_kclient_set_timeout(p->kc, SL_KPUT_TIMEOUT_MS);
    p->endpoint = sl_strdup(endpoint);
    p->stream = sl_strdup(stream);
    p->arena = sl_arena_new(0);
    p->pend = SL_NEWN(size_t, SL_KPUT_MAX_RECORDS);
    p->next = SL_NEWN(size_t, SL_KPUT_MAX_RECORDS);
    p->rng = (uint64_t)sl_clock_mono_ns() | 1;
    return p;
}

/* Frees a writer; see kput.h. */
void sl_kput_free(sl_kput_t *p)
{
    if (!p) return;
    sl_kclient_free(p->kc);
    sl_free(p->endpoint);
    sl_free(p->stream);
    sl_arena_free(p->arena);
    sl_buf_free(&p->body);
    sl_free(p->pend);
    sl_free(p->next);
    sl_free(p->etype);
    sl_free(p->emsg);
    sl_free(p);
}

/* The last failure; see kput.h. */
void sl_kput_error(const sl_kput_t *p, const char **type, const char **msg)
{
    *type = p->etype;
    *msg = p->emsg;
}

/* Counters; see kput.h. */
void sl_kput_stats(const sl_kput_t *p, sl_kput_stats_t *out)
{
    *out = p->st;
}

/* Remembers a failure: type as given, the message prefixed with where it happened. */
static void set_error(sl_kput_t *p, const char *type, const char *msg)
{
    sl_free(p->etype);
    sl_free(p->emsg);
    p->etype = sl_strdup(type ? type : "TransportError");
    p->emsg = sl_asprintf("PutRecords to stream %s at %s: %s: %s", p->stream, p->endpoint, p->etype,
                          msg && *msg ? msg : "(no message)");
}

/* True when an error (a request's __type or a record's ErrorCode) may pass if the same
 * records are sent again: throttling, a service fault, an HTTP 5xx without a type. */
static bool transient(const char *type)
{
    static const char *const names[] = {"ProvisionedThroughputExceededException",
                                        "InternalFailure",
                                        "InternalFailureException",
                                        "ServiceUnavailable",
                                        "ServiceUnavailableException",
                                        "ThrottlingException",
                                        "KMSThrottlingException",
                                        "LimitExceededException",
                                        NULL};
    if (!type) return true; /* a transport failure */
    for (int i = 0; names[i]; i++)
        if (!strcmp(type, names[i])) return true;
    return !strncmp(type, "HTTP 5", 6);
}

/* The backoff before retry `attempt` (1-based): SL_KPUT_BACKOFF_MS * 2^(attempt-1), capped
 * at SL_KPUT_BACKOFF_MAX_MS, then a random point in its upper half ("equal jitter") so
 * writers throttled together do not retry in lockstep. */
static int64_t backoff_ms(sl_kput_t *p, int attempt)
{
    int64_t d = SL_KPUT_BACKOFF_MS;
    for (int i = 1; i < attempt && d < SL_KPUT_BACKOFF_MAX_MS; i++) d *= 2;
    if (d > SL_KPUT_BACKOFF_MAX_MS) d = SL_KPUT_BACKOFF_MAX_MS;
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return d / 2 + (int64_t)(p->rng % (uint64_t)(d - d / 2 + 1));
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Renders the PutRecords body for the pending records of request r[0..]. */
static void render(sl_kput_t *p, const sl_kput_rec_t *r, size_t npend)
{
    sl_buf_t *b = &p->body;
    sl_buf_reset(b);
    sl_buf_puts(b, "{\"StreamName\":");
    sl_json_quote(b, p->stream, strlen(p->stream));
    sl_buf_puts(b, ",\"Records\":[");
    for (size_t k = 0; k < npend; k++) {
        const sl_kput_rec_t *x = &r[p->pend[k]];
        sl_buf_puts(b, k ? ",{\"Data\":\"" : "{\"Data\":\"");
        sl_base64_encode(b, x->data, x->len);
        sl_buf_puts(b, "\",\"PartitionKey\":");
        sl_json_quote(b, x->pk, x->pklen);
        sl_buf_putc(b, '}');
    }
    sl_buf_puts(b, "]}");
}

/*
 * Delivers one request's records r[0..n) (n <= 500, within 5 MiB), retrying what failed
 * transiently: only those records, in their order. Returns how many were given up; *hard
 * is set when the endpoint refused the request itself for a reason resending cannot cure
 * (the caller then gives up the rest too).
 */
static size_t put_request(sl_kput_t *p, const sl_kput_rec_t *r, size_t n, bool *hard)
{
    size_t npend = n, given = 0;
    for (size_t k = 0; k < n; k++) p->pend[k] = k;
    for (int attempt = 0;; attempt++) {
        if (attempt) {
            sleep_ms(backoff_ms(p, attempt));
            p->st.retried += npend;
        }
        render(p, r, npend);
        sl_arena_reset(p->arena);
        sl_val_t *ans = NULL;
        const char *etype = NULL, *emsg = NULL;
        p->st.requests++;
        int rc = sl_kclient_call(p->kc, "PutRecords", p->body.p, p->body.len, p->arena, &ans,
                                 &etype, &emsg);
        if (rc == 0) {
            const sl_val_t *recs = ans ? sl_val_get(ans, "Records") : NULL;
            if (!recs || recs->type != SL_V_ARR || recs->u.arr.n != npend) {
                /* Which records were stored cannot be told: resending could duplicate all. */
                set_error(p, "InvalidResponse", "the answer does not hold one result per record");
                p->st.dropped += npend;
                return given + npend;
            }
            size_t keep = 0;
            for (size_t k = 0; k < npend; k++) {
                const sl_val_t *one = recs->u.arr.items[k];
                const char *code =
                    one->type == SL_V_OBJ ? sl_val_get_str(one, "ErrorCode", NULL) : NULL;
                if (!code) {
                    p->st.delivered++;
                    continue;
                }
                set_error(p, code, sl_val_get_str(one, "ErrorMessage", NULL));
                if (transient(code)) {
                    p->next[keep++] = p->pend[k];
                } else {
                    given++;
                    p->st.dropped++;
                }
            }
            size_t *t = p->pend;
            p->pend = p->next;
            p->next = t;
            npend = keep;
            if (!npend) return given;
        } else {
            set_error(p, rc < 0 ? NULL : etype, emsg);
            if (rc > 0 && !transient(etype)) {
                *hard = true;
                p->st.dropped += npend;
                return given + npend;
            }
        }
        if (attempt >= SL_KPUT_RETRIES) {
            char *m = sl_asprintf("%s (gave up after %d retries)", p->emsg, SL_KPUT_RETRIES);
            sl_free(p->emsg);
            p->emsg = m;
            p->st.dropped += npend;
            return given + npend;
        }
    }
}

/* Delivers records; see kput.h. */
size_t sl_kput_put(sl_kput_t *p, const sl_kput_rec_t *recs, size_t n)
{
    size_t given = 0, i = 0;
    while (i < n) {
        size_t k = 0, bytes = 0;
        while (i + k < n && k < SL_KPUT_MAX_RECORDS) {
            size_t sz = recs[i + k].len + recs[i + k].pklen;
            if (k && bytes + sz > SL_KPUT_MAX_BYTES) break;
            bytes += sz;
            k++;
        }
        bool hard = false;
        given += put_request(p, recs + i, k, &hard);
        i += k;
        if (hard) {
            p->st.dropped += n - i;
            given += n - i;
            break;
        }
    }
    return given;
}
