/*
 * cmd_put.c - `sluice put STREAM`: records from stdin into a stream, batched with PutRecords.
 *
 * One line of stdin is one record (the newline is not part of it). The partition key is
 * --partition-key K for every record, or the value of the JSON field --key-field F of the
 * line (a line that is not a JSON object with that field is reported and skipped, nothing
 * else is lost), or by default the line number. Records go in batches of up to 500 records
 * / 4 MiB; records a batch reports as failed (throttling) are retried with backoff.
 */
#include "alloc.h"
#include "buf.h"
#include "commands.h"
#include "kclient.h"
#include "val.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_RECORDS 500
#define BATCH_BYTES   (4u << 20)

typedef struct pending {
    char *data;
    size_t len;
    char *pk;
} pending_t;

/* Sends the batch, retrying failed records; returns records written or -1 on a hard error.
 * Written records are freed and removed; *np is left counting the ones still owned. */
static long send_batch(sl_kclient_t *kc, const char *stream, pending_t *recs, size_t *np)
{
    size_t n = *np;
    long written = 0;
    int attempt = 0;
    sl_arena_t *a = sl_arena_new(0);
    while (n > 0) {
        sl_arena_reset(a);
        sl_buf_t body = SL_BUF_INIT;
        sl_buf_puts(&body, "{\"StreamName\":");
        sl_json_quote(&body, stream, strlen(stream));
        sl_buf_puts(&body, ",\"Records\":[");
        for (size_t i = 0; i < n; i++) {
            if (i) sl_buf_putc(&body, ',');
            sl_buf_puts(&body, "{\"Data\":\"");
            sl_base64_encode(&body, recs[i].data, recs[i].len);
            sl_buf_puts(&body, "\",\"PartitionKey\":");
            sl_json_quote(&body, recs[i].pk, strlen(recs[i].pk));
            sl_buf_putc(&body, '}');
        }
        sl_buf_puts(&body, "]}");
        sl_val_t *out;
        const char *etype, *emsg;
        int rc = sl_kclient_call(kc, "PutRecords", body.p, body.len, a, &out, &etype, &emsg);
        sl_buf_free(&body);
        if (rc != 0) {
            if (rc > 0 && !strcmp(etype, "ProvisionedThroughputExceededException") && attempt < 10) {
                usleep((useconds_t)(100000 << (attempt < 5 ? attempt : 5)));
                attempt++;
                continue;
            }
            fprintf(stderr, "sluice put: %s%s%s\n", etype ? etype : "", etype ? ": " : "", emsg);
            sl_arena_free(a);
            *np = n;
            return -1;
        }
        const sl_val_t *res = sl_val_get(out, "Records");
        size_t keep = 0;
        for (size_t i = 0; i < n; i++) {
            const sl_val_t *r = res && res->type == SL_V_ARR && i < res->u.arr.n ? res->u.arr.items[i] : NULL;
            if (r && sl_val_get_str(r, "SequenceNumber", NULL)) {
                written++;
                sl_free(recs[i].data);
                sl_free(recs[i].pk);
            } else {
                recs[keep++] = recs[i];
            }
        }
        n = keep;
        *np = n;
        if (n) {
            if (++attempt > 20) {
                fprintf(stderr, "sluice put: %zu records still failing after 20 attempts\n", n);
                sl_arena_free(a);
                return -1;
            }
            usleep((useconds_t)(50000 << (attempt < 5 ? attempt : 5)));
        }
    }
    sl_arena_free(a);
    return written;
}

static void put_usage(FILE *f)
{
    fprintf(f, "usage: sluice put STREAM [--endpoint URL] [--partition-key K | --key-field F]\n"
               "Reads one record per line from stdin and puts them into STREAM.\n");
}

int sl_cmd_put(int argc, char **argv)
{
    const char *endpoint = "http://127.0.0.1:4567", *fixed_key = NULL, *key_field = NULL;
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'},
        {"partition-key", required_argument, 0, 'k'},
        {"key-field", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:k:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': endpoint = optarg; break;
        case 'k': fixed_key = optarg; break;
        case 'f': key_field = optarg; break;
        case 'h': put_usage(stdout); return 0;
        default: put_usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        put_usage(stderr);
        return 2;
    }
    const char *stream = argv[optind];
    sl_kclient_t *kc = sl_kclient_new(endpoint);
    pending_t *batch = SL_NEWN(pending_t, BATCH_RECORDS);
    size_t n = 0, bytes = 0;
    long total = 0, lineno = 0, skipped = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    sl_arena_t *a = sl_arena_new(0);
    int rc = 0;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
        char *pk;
        if (fixed_key) {
            pk = sl_strdup(fixed_key);
        } else if (key_field) {
            sl_arena_reset(a);
            const char *perr;
            sl_val_t *v = sl_json_parse(a, line, (size_t)len, &perr);
            const sl_val_t *f = v ? sl_val_get(v, key_field) : NULL;
            if (!f || f->type == SL_V_NULL || f->type == SL_V_ARR || f->type == SL_V_OBJ) {
                fprintf(stderr, "sluice put: stdin:%ld: no field '%s' for the partition key%s%s; "
                                "line skipped\n",
                        lineno, key_field, v ? "" : " (not JSON: ", v ? "" : perr);
                skipped++;
                continue;
            }
            if (f->type == SL_V_STR)
                pk = sl_strdup(f->u.str.p);
            else {
                sl_buf_t b = SL_BUF_INIT;
                sl_enc_t e;
                sl_enc_init(&e, SL_ENC_JSON, &b);
                sl_enc_val(&e, f);
                pk = sl_buf_steal(&b);
            }
        } else {
            pk = sl_asprintf("%ld", lineno);
        }
        if (n == BATCH_RECORDS || bytes + (size_t)len > BATCH_BYTES) {
            long w = send_batch(kc, stream, batch, &n);
            if (w < 0) {
                rc = 1;
                sl_free(pk);
                break;
            }
            total += w;
            bytes = 0;
        }
        batch[n].data = sl_strndup(line, (size_t)len);
        batch[n].len = (size_t)len;
        batch[n].pk = pk;
        n++;
        bytes += (size_t)len;
    }
    if (rc == 0 && n) {
        long w = send_batch(kc, stream, batch, &n);
        if (w < 0)
            rc = 1;
        else
            total += w;
    }
    for (size_t i = 0; i < n; i++) {
        sl_free(batch[i].data);
        sl_free(batch[i].pk);
    }
    free(line);
    sl_free(batch);
    sl_arena_free(a);
    sl_kclient_free(kc);
    fprintf(stderr, "sluice put: %ld records put into %s%s\n", total, stream,
            skipped ? " (some lines skipped)" : "");
    return rc ? rc : (skipped ? 1 : 0);
}
