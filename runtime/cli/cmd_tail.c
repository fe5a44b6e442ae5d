/*
 * cmd_tail.c - `sluice tail STREAM`: print a stream's records.
 *
 * Reads every shard (parents before children, in shard-id order) from the chosen position.
 * --format raw prints each record's data as one line; --format kinesis prints one GetRecords
 * record per line as JSON {SequenceNumber, ApproximateArrivalTimestamp (epoch seconds),
 * Data (base64), PartitionKey} - the dump format `sluice run --replay` reads. Without
 * --follow, tail reads until every shard is caught up and prints the records merged in
 * arrival order (ties by sequence number, which for sluice is put order), so a dump is in
 * ROWTIME order; with
 * --follow it keeps polling and prints records as they come.
 */
#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "commands.h"
#include "kclient.h"
#include "val.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct shard_cursor {
    char *id;
    char *iter; /* NULL when finished (closed shard drained) */
    bool caught_up;
} shard_cursor_t;

typedef struct out_rec {
    int64_t arrival_ms;
    int shard;
    char *seq;
    char *line; /* the formatted output line */
} out_rec_t;

static int cmp_out(const void *a, const void *b)
{
    const out_rec_t *x = a, *y = b;
    if (x->arrival_ms != y->arrival_ms) return x->arrival_ms < y->arrival_ms ? -1 : 1;
    /* Equal arrival times: sluice's sequence numbers carry a stream-wide counter first, so
     * comparing them (shorter first, then as text) restores put order across shards. */
    size_t lx = strlen(x->seq), ly = strlen(y->seq);
    if (lx != ly) return lx < ly ? -1 : 1;
    int c = strcmp(x->seq, y->seq);
    if (c) return c;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* Parses --timestamp: epoch seconds (with fraction) or "YYYY-MM-DD[T ]HH:MM:SS[.mmm][Z]". */
static bool parse_ts(const char *s, int64_t *ms)
{
    char *end;
    double d = strtod(s, &end);
    if (*s && !*end) {
        *ms = (int64_t)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
        return true;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int frac = 0;
    char sep;
    if (sscanf(s, "%d-%d-%d%c%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &sep, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 7)
        return false;
    const char *dot = strchr(s, '.');
    if (dot) frac = atoi(dot + 1);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return true;
}

static void tail_usage(FILE *f)
{
    fprintf(f, "usage: sluice tail STREAM [--endpoint URL] [--from trim_horizon|latest|at_timestamp]\n"
               "                  [--timestamp T] [--format raw|kinesis] [--follow]\n");
}

/* Formats one record as an output line. */
static char *format_record(const sl_val_t *r, bool kinesis, sl_arena_t *a, int64_t *arrival)
{
    const unsigned char *data = NULL;
    size_t len = 0;
    sl_val_blob(a, sl_val_get(r, "Data"), &data, &len);
    *arrival = 0;
    sl_val_time_ms(sl_val_get(r, "ApproximateArrivalTimestamp"), arrival);
    sl_buf_t b = SL_BUF_INIT;
    if (kinesis) {
        const char *seq = sl_val_get_str(r, "SequenceNumber", NULL);
        const char *pk = sl_val_get_str(r, "PartitionKey", NULL);
        sl_buf_puts(&b, "{\"SequenceNumber\":");
        sl_json_quote(&b, seq ? seq : "", seq ? strlen(seq) : 0);
        sl_buf_printf(&b, ",\"ApproximateArrivalTimestamp\":%lld.%03d,\"Data\":\"",
                      (long long)(*arrival / 1000), (int)(*arrival % 1000));
        sl_base64_encode(&b, data, len);
        sl_buf_puts(&b, "\",\"PartitionKey\":");
        sl_json_quote(&b, pk ? pk : "", pk ? strlen(pk) : 0);
        sl_buf_puts(&b, "}\n");
    } else {
        sl_buf_append(&b, data, len);
        sl_buf_putc(&b, '\n');
    }
    return sl_buf_steal(&b);
}

int sl_cmd_tail(int argc, char **argv)
{
    const char *endpoint = "http://127.0.0.1:4567", *from = "trim_horizon", *format = "raw",
               *tsarg = NULL;
    bool follow = false;
    static const struct option opts[] = {
        {"endpoint", required_argument, 0, 'e'}, {"from", required_argument, 0, 'f'},
        {"timestamp", required_argument, 0, 't'}, {"format", required_argument, 0, 'F'},
        {"follow", no_argument, 0, 'w'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:f:t:F:wh", opts, NULL)) != -1) {
        switch (c) {
        case 'e': endpoint = optarg; break;
        case 'f': from = optarg; break;
        case 't': tsarg = optarg; break;
        case 'F': format = optarg; break;
        case 'w': follow = true; break;
        case 'h': tail_usage(stdout); return 0;
        default: tail_usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        tail_usage(stderr);
        return 2;
    }
    const char *type;
    if (!strcmp(from, "trim_horizon"))
        type = "TRIM_HORIZON";
    else if (!strcmp(from, "latest"))
        type = "LATEST";
    else if (!strcmp(from, "at_timestamp"))
        type = "AT_TIMESTAMP";
    else {
        fprintf(stderr, "sluice tail: --from must be trim_horizon, latest or at_timestamp\n");
        return 2;
    }
    int64_t ts = 0;
    if (!strcmp(type, "AT_TIMESTAMP") && (!tsarg || !parse_ts(tsarg, &ts))) {
        fprintf(stderr, "sluice tail: --from at_timestamp needs --timestamp (epoch seconds or "
                        "YYYY-MM-DDTHH:MM:SS)\n");
        return 2;
    }
    bool kinesis = !strcmp(format, "kinesis");
    if (!kinesis && strcmp(format, "raw")) {
        fprintf(stderr, "sluice tail: --format must be raw or kinesis\n");
        return 2;
    }
    const char *stream = argv[optind];
    sl_kclient_t *kc = sl_kclient_new(endpoint);
    sl_arena_t *a = sl_arena_new(0);
    int rc = 0;
    sl_val_t *out;
    const char *etype, *emsg;

    /* The shards, all of them (pages of ListShards). */
    shard_cursor_t *shards = NULL;
    size_t nshards = 0;
    char *next = NULL;
    do {
        sl_buf_t body = SL_BUF_INIT;
        if (next) {
            sl_buf_puts(&body, "{\"NextToken\":");
            sl_json_quote(&body, next, strlen(next));
        } else {
            sl_buf_puts(&body, "{\"StreamName\":");
            sl_json_quote(&body, stream, strlen(stream));
        }
        sl_buf_putc(&body, '}');
        sl_free(next);
        next = NULL;
        int r = sl_kclient_call(kc, "ListShards", body.p, body.len, a, &out, &etype, &emsg);
        sl_buf_free(&body);
        if (r != 0) {
            fprintf(stderr, "sluice tail: %s%s%s\n", etype ? etype : "", etype ? ": " : "", emsg);
            rc = 1;
            goto done;
        }
        const sl_val_t *list = sl_val_get(out, "Shards");
        for (size_t i = 0; list && list->type == SL_V_ARR && i < list->u.arr.n; i++) {
            shards = sl_realloc(shards, (nshards + 1) * sizeof *shards);
            shards[nshards].id = sl_strdup(sl_val_get_str(list->u.arr.items[i], "ShardId", NULL));
            shards[nshards].iter = NULL;
            shards[nshards].caught_up = false;
            nshards++;
        }
        const char *tok = sl_val_get_str(out, "NextToken", NULL);
        if (tok) next = sl_strdup(tok);
        sl_arena_reset(a);
    } while (next);

    for (size_t i = 0; i < nshards; i++) {
        sl_buf_t body = SL_BUF_INIT;
        sl_buf_puts(&body, "{\"StreamName\":");
        sl_json_quote(&body, stream, strlen(stream));
        sl_buf_printf(&body, ",\"ShardId\":\"%s\",\"ShardIteratorType\":\"%s\"", shards[i].id, type);
        if (ts) sl_buf_printf(&body, ",\"Timestamp\":%lld.%03d", (long long)(ts / 1000), (int)(ts % 1000));
        sl_buf_putc(&body, '}');
        int r = sl_kclient_call(kc, "GetShardIterator", body.p, body.len, a, &out, &etype, &emsg);
        sl_buf_free(&body);
        if (r != 0) {
            fprintf(stderr, "sluice tail: %s: %s%s%s\n", shards[i].id, etype ? etype : "",
                    etype ? ": " : "", emsg);
            rc = 1;
            goto done;
        }
        shards[i].iter = sl_strdup(sl_val_get_str(out, "ShardIterator", NULL));
        sl_arena_reset(a);
    }

    out_rec_t *recs = NULL;
    size_t nrecs = 0, caprecs = 0;
    for (;;) {
        bool all_done = true, got_any = false;
        for (size_t i = 0; i < nshards; i++) {
            shard_cursor_t *sc = &shards[i];
            if (!sc->iter || (!follow && sc->caught_up)) continue;
            all_done = false;
            sl_buf_t body = SL_BUF_INIT;
            sl_buf_puts(&body, "{\"ShardIterator\":");
            sl_json_quote(&body, sc->iter, strlen(sc->iter));
            sl_buf_puts(&body, ",\"Limit\":10000}");
            int r = sl_kclient_call(kc, "GetRecords", body.p, body.len, a, &out, &etype, &emsg);
            sl_buf_free(&body);
            if (r != 0) {
                fprintf(stderr, "sluice tail: %s: %s%s%s\n", sc->id, etype ? etype : "",
                        etype ? ": " : "", emsg);
                rc = 1;
                goto drained;
            }
            const sl_val_t *list = sl_val_get(out, "Records");
            size_t n = list && list->type == SL_V_ARR ? list->u.arr.n : 0;
            for (size_t k = 0; k < n; k++) {
                int64_t arrival;
                char *line = format_record(list->u.arr.items[k], kinesis, a, &arrival);
                if (follow) {
                    fputs(line, stdout);
                    sl_free(line);
                    continue;
                }
                if (nrecs == caprecs) {
                    caprecs = caprecs ? caprecs * 2 : 1024;
                    recs = sl_realloc(recs, caprecs * sizeof *recs);
                }
                const char *seq = sl_val_get_str(list->u.arr.items[k], "SequenceNumber", NULL);
                recs[nrecs++] = (out_rec_t){arrival, (int)i, sl_strdup(seq ? seq : ""), line};
            }
            if (n) got_any = true;
            if (follow) fflush(stdout);
            int64_t behind = 0;
            sl_val_get_i64(out, "MillisBehindLatest", &behind);
            const char *ni = sl_val_get_str(out, "NextShardIterator", NULL);
            sl_free(sc->iter);
            sc->iter = ni ? sl_strdup(ni) : NULL;
            if (n == 0 && behind == 0) sc->caught_up = true;
            sl_arena_reset(a);
        }
        if (!follow && all_done) break;
        if (follow && !got_any) usleep(200000);
        if (follow) {
            bool open_left = false;
            for (size_t i = 0; i < nshards; i++) open_left |= shards[i].iter != NULL;
            if (!open_left) break;
        }
    }
drained:
    if (nrecs) qsort(recs, nrecs, sizeof *recs, cmp_out);
    for (size_t i = 0; i < nrecs; i++) {
        if (rc == 0) fputs(recs[i].line, stdout);
        sl_free(recs[i].line);
        sl_free(recs[i].seq);
    }
    sl_free(recs);
done:
    for (size_t i = 0; i < nshards; i++) {
        sl_free(shards[i].id);
        sl_free(shards[i].iter);
    }
    sl_free(shards);
    sl_free(next);
    sl_arena_free(a);
    sl_kclient_free(kc);
    return rc;
}
