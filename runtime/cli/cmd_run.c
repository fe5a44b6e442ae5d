/*
 * cmd_run.c - `sluice run APP [--data DIR] [--replay DUMP] [--output STREAM]...`: run one
 * application in-process and print its output streams as JSON lines.
 *
 * APP is a .sql file (KDA code, with the self-contained CREATE INPUT / REFERENCE TABLE /
 * OUTPUT extension) or a KDA CreateApplication request in JSON. Both become an
 * sl_app_desc_t, are planned, and run through one engine.
 *
 * Input:
 *   --replay DUMP  one Kinesis record per line ({"SequenceNumber", "ApproximateArrivalTimestamp"
 *                  (epoch seconds), "Data" (base64), "PartitionKey"}: what `sluice tail
 *                  --format kinesis` writes) replaces the application's input; ROWTIME is
 *                  the dump's arrival time; at the end every window closes. Deterministic.
 *   --data DIR     read the input stream from the embedded store in DIR (the Outputs that
 *                  name store streams are written there too), from the input's starting
 *                  position (TRIM_HORIZON, NOW, AT_TIMESTAMP; --from overrides), following
 *                  it; when it is idle the clock closes windows. --idle-exit MS stops after
 *                  MS ms without records (and closes every window). On exit the last record
 *                  read of each shard is checkpointed in DIR/checkpoints/, where
 *                  LAST_STOPPED_POINT resumes. An input or stream Output with
 *                  sluice:Endpoint (.sql: WITH (endpoint = 'URL')) is read from / written
 *                  to that Kinesis endpoint instead; DIR still holds the checkpoints.
 * Output: each row of the selected streams (default: the application's Outputs, else every
 * stream it creates) as one JSON object per line with "ROWTIME" as "YYYY-MM-DD HH:MM:SS.mmm"
 * (UTC). Error rows go to stderr as JSON, unless error_stream is selected (--output
 * error_stream). --explain prints the plan and exits.
 *
 * A dump of 8 MB or more is read and decoded by NWORKERS threads while the engine runs on
 * the calling thread; when the input feeds a tumbling GROUP BY alone, the workers also
 * aggregate their chunks (engine.h, partial aggregation). The output is the same as a
 * sequential replay's. Environment, for tests and measurements: SLUICE_SEQUENTIAL=1 replays
 * on one thread, SLUICE_NO_PARTIAL=1 turns the workers' aggregation off,
 * SLUICE_REPLAY_STATS=1 prints how many chunks were merged as partial aggregates.
 */
#include "commands.h"

#include "alloc.h"
#include "appdesc.h"
#include "buf.h"
#include "bytes.h"
#include "clock.h"
#include "engine.h"
#include "kpl.h"
#include "plan.h"
#include "runner.h"
#include "sqlapp.h"
#include "store.h"
#include "val.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM: finish (close windows) and exit. */
static volatile sig_atomic_t stop_requested;

/* Signal handler: asks the run loop to stop. */
static void on_signal(int sig) { stop_requested = 1; }

/* Prints the usage of the subcommand. */
static void usage(FILE *f)
{
    fprintf(f, "usage: sluice run APP [--replay DUMP | --data DIR] [--output STREAM]... [--explain]\n"
               "  APP            a .sql application or a KDA CreateApplication JSON\n"
               "  --replay DUMP  replay a `sluice tail --format kinesis` dump as the input\n"
               "  --data DIR     read the input from the embedded store in DIR (or from its\n"
               "                 sluice:Endpoint; DIR keeps the checkpoints)\n"
               "  --from POS     trim_horizon | latest (--data; default: the input's position)\n"
               "  --idle-exit MS stop after MS ms without input (--data)\n"
               "  --output S     print stream S (repeatable; error_stream for error rows)\n"
               "  --explain      print the plan and exit\n");
}

/* A loaded, planned application. */
typedef struct app {
    sl_buf_t text;     /* the file */
    sl_app_desc_t desc;
    bool desc_ok;
    sl_ast_t *script;
    sl_plan_t *plan;
    const char *code;  /* SQL text */
    const char *shown; /* file name for messages */
} app_t;

/* Loads, parses and plans APP; prints errors; 0 or the exit status. */
static int load_app(app_t *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->shown = path;
    if (sl_buf_read_file(&a->text, path) < 0) {
        fprintf(stderr, "sluice run: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t pl = strlen(path);
    bool json = pl > 5 && !strcasecmp(path + pl - 5, ".json");
    sl_diag_t diags = SL_DIAG_INIT;
    int rc = 0;
    if (json) {
        char *err = NULL;
        if (sl_app_desc_from_json(a->text.p ? a->text.p : "", a->text.len, &a->desc, &err) < 0) {
            fprintf(stderr, "sluice run: %s: %s\n", path, err);
            sl_free(err);
            return 1;
        }
        a->desc_ok = true;
        a->code = a->desc.code ? a->desc.code : "";
        a->script = sl_parse(path, a->code, strlen(a->code), &diags);
    } else {
        a->code = a->text.p ? a->text.p : "";
        a->script = sl_parse(path, a->code, a->text.len, &diags);
        if (!diags.count) {
            sl_app_desc_from_sql(a->script, path, a->code, &a->desc, &diags);
            a->desc_ok = true;
        }
    }
    if (!diags.count) {
        char *err = NULL;
        if (sl_app_desc_check_supported(&a->desc, &err) < 0) {
            fprintf(stderr, "sluice run: %s: %s\n", path, err);
            sl_free(err);
            rc = 1;
        }
    }
    if (!diags.count && !rc) a->plan = sl_plan_build(a->script, &a->desc, &diags);
    if (diags.count) {
        sl_buf_t out = SL_BUF_INIT;
        /* For a JSON application, positions are in its ApplicationCode. */
        char *shown = json ? sl_asprintf("%s#ApplicationCode", path) : sl_strdup(path);
        sl_diag_render(&diags, shown, a->code, strlen(a->code), &out);
        sl_free(shown);
        fputs(out.p, stderr);
        sl_buf_free(&out);
        rc = 1;
    }
    sl_diag_free(&diags);
    return rc;
}

/* Frees what load_app made. */
static void free_app(app_t *a)
{
    sl_plan_free(a->plan);
    sl_ast_free(a->script);
    if (a->desc_ok) sl_app_desc_free(&a->desc);
    sl_buf_free(&a->text);
}

/* One replayed record of a dump line. */
typedef struct dump_rec {
    int64_t arrival;
    const char *seq;
    size_t seq_len;
    const char *data64; /* base64 text */
    size_t data64_len;
} dump_rec_t;

/* True when the 8 bytes at p are decimal digits. */
static inline bool digits8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return (x & UINT64_C(0xF0F0F0F0F0F0F0F0)) == UINT64_C(0x3030303030303030) &&
           ((x + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) == UINT64_C(0x3030303030303030);
}

/* The value of 8 decimal digits at p (digits8(p) holds): digit pairs, then pairs of pairs,
 * combined by multiplications within one 64-bit word. */
static inline uint32_t value8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    v -= UINT64_C(0x3030303030303030);
    v = v * 10 + (v >> 8);
    v = ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
         ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >> 32;
    return (uint32_t)v;
}

/* Parses "seconds[.fraction]" into epoch ms without floating point; NULL when malformed. */
static const char *parse_epoch(const char *q, const char *end, int64_t *out)
{
    /* The form sluice tail writes for this century: ten digits, '.', three digits. */
    if (end - q > 14 && digits8(q) && (unsigned)(q[8] - '0') < 10 && (unsigned)(q[9] - '0') < 10 &&
        q[10] == '.' && (unsigned)(q[11] - '0') < 10 && (unsigned)(q[12] - '0') < 10 &&
        (unsigned)(q[13] - '0') < 10 && (unsigned)(q[14] - '0') >= 10 && q[14] != 'e' && q[14] != 'E') {
        int64_t secs = (int64_t)value8(q) * 100 + (q[8] - '0') * 10 + (q[9] - '0');
        *out = secs * 1000 + (q[11] - '0') * 100 + (q[12] - '0') * 10 + (q[13] - '0');
        return q + 14;
    }
    int64_t secs = 0, ms = 0;
    int nd = 0;
    bool neg = q < end && *q == '-';
    if (neg) q++;
    while (q < end && *q >= '0' && *q <= '9') secs = secs * 10 + (*q++ - '0'), nd++;
    if (!nd) return NULL;
    if (q < end && *q == '.') {
        q++;
        int fd = 0;
        while (q < end && *q >= '0' && *q <= '9') {
            if (fd < 3) ms = ms * 10 + (*q - '0');
            fd++;
            q++;
        }
        for (; fd < 3; fd++) ms *= 10;
    }
    if (q < end && (*q == 'e' || *q == 'E')) return NULL;
    *out = (neg ? -1 : 1) * (secs * 1000 + ms);
    return q;
}

/* Length of a string literal. */
#define LIT(s) (sizeof(s) - 1)


/*
 * The exact layout `sluice tail --format kinesis` writes, members in its order and no
 * spaces: {"SequenceNumber":"..","ApproximateArrivalTimestamp":S.mmm,"Data":"..",
 * "PartitionKey":".."}. Returns the position just after the closing brace, or NULL when the
 * line starting at p is laid out any other way (the general scans then take it). Strings
 * end at the first quote; one preceded by a backslash is not taken for an end.
 */
static const char *exact_dump_line(const char *p, const char *end, dump_rec_t *r)
{
    static const char k_seq[] = "{\"SequenceNumber\":\"", k_ts[] = "\",\"ApproximateArrivalTimestamp\":",
                      k_data[] = ",\"Data\":\"", k_pk[] = "\",\"PartitionKey\":\"";
    if ((size_t)(end - p) < LIT(k_seq) || !sl_mem_eq(p, k_seq, LIT(k_seq))) return NULL;
    /* Sequence numbers are decimal: skip digits 8 at a time, then find the quote. */
    const char *q = p + LIT(k_seq), *e = q;
    while (end - e >= 8 && digits8(e)) e += 8;
    if (e >= end || *e != '"') e = memchr(e, '"', (size_t)(end - e)); /* not all digits */
    if (!e || e[-1] == '\\') return NULL;
    r->seq = q;
    r->seq_len = (size_t)(e - q);
    q = e;
    if ((size_t)(end - q) < LIT(k_ts) || !sl_mem_eq(q, k_ts, LIT(k_ts))) return NULL;
    q = parse_epoch(q + LIT(k_ts), end, &r->arrival);
    if (!q || (size_t)(end - q) < LIT(k_data) || !sl_mem_eq(q, k_data, LIT(k_data))) return NULL;
    q += LIT(k_data);
    e = memchr(q, '"', (size_t)(end - q));
    if (!e || e[-1] == '\\') return NULL;
    r->data64 = q;
    r->data64_len = (size_t)(e - q);
    q = e;
    if ((size_t)(end - q) < LIT(k_pk) || !sl_mem_eq(q, k_pk, LIT(k_pk))) return NULL;
    q += LIT(k_pk);
    e = memchr(q, '"', (size_t)(end - q));
    if (!e || e[-1] == '\\' || e + 1 >= end || e[1] != '}') return NULL;
    return e + 2;
}

/* One pass over a dump line written as `sluice tail --format kinesis` writes it: a flat
 * object of strings and numbers without escapes. false: use the full JSON parser. */
static bool fast_dump_line(const char *p, const char *end, dump_rec_t *r)
{
    bool have_t = false, have_d = false;
    r->seq = NULL;
    r->seq_len = 0;
    while (p < end && *p == ' ') p++;
    if (p >= end || *p++ != '{') return false;
    for (;;) {
        while (p < end && *p == ' ') p++;
        if (p >= end || *p != '"') return false;
        const char *k = p + 1, *ke = k;
        while (ke < end && *ke != '"' && *ke != '\\') ke++;
        if (ke >= end || *ke != '"') return false;
        p = ke + 1;
        while (p < end && (*p == ' ' || *p == ':')) p++;
        if (p >= end) return false;
        size_t kl = (size_t)(ke - k);
        if (*p == '"') {
            const char *v = p + 1, *ve;
            if (kl == 4) {
                ve = memchr(v, '"', (size_t)(end - v)); /* Data: long, no escapes expected */
            } else {
                ve = v;
                while (ve < end && *ve != '"' && *ve != '\\') ve++;
                if (ve >= end || *ve != '"') ve = NULL;
            }
            if (!ve || ve[-1] == '\\') return false;
            if (kl == 4 && !memcmp(k, "Data", 4)) {
                r->data64 = v;
                r->data64_len = (size_t)(ve - v);
                have_d = true;
            } else if (kl == 14 && !memcmp(k, "SequenceNumber", 14)) {
                r->seq = v;
                r->seq_len = (size_t)(ve - v);
            }
            p = ve + 1;
        } else if (kl == 27 && !memcmp(k, "ApproximateArrivalTimestamp", 27)) {
            p = parse_epoch(p, end, &r->arrival);
            if (!p) return false;
            have_t = true;
        } else {
            while (p < end && *p != ',' && *p != '}') p++;
        }
        while (p < end && *p == ' ') p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}') break;
        return false;
    }
    /* A "\/" escape inside Data is not checked for here: base64 has no backslash, so
     * such a line fails to decode and is read again with the full parser (decode_data). */
    return have_t && have_d;
}

/* Parses a dump line with the full JSON parser (escapes resolved). */
static bool slow_dump_line(const char *p, size_t n, dump_rec_t *r, sl_arena_t *a)
{
    const char *err;
    sl_val_t *v = sl_json_parse(a, p, n, &err);
    if (!v) return false;
    int64_t ms;
    if (sl_val_time_ms(sl_val_get(v, "ApproximateArrivalTimestamp"), &ms) != 1) return false;
    size_t dl;
    const char *data = sl_val_get_str(v, "Data", &dl);
    if (!data) return false;
    r->arrival = ms;
    r->data64 = data;
    r->data64_len = dl;
    size_t sl;
    r->seq = sl_val_get_str(v, "SequenceNumber", &sl);
    r->seq_len = r->seq ? sl : 0;
    return true;
}

/* Base64-decodes a record's Data into out (room for data64_len bytes); when the fast scan
 * kept a JSON escape in it, re-reads the line with the full parser. -1: not base64. */
static long decode_data(const char *line, size_t ll, dump_rec_t *r, unsigned char *out, sl_arena_t *a)
{
    long dl = sl_base64_decode(r->data64, r->data64_len, out);
    if (dl >= 0 || !memchr(r->data64, '\\', r->data64_len)) return dl;
    if (!slow_dump_line(line, ll, r, a)) return -1;
    return sl_base64_decode(r->data64, r->data64_len, out);
}

/* Parses a dump line with a fast scan (the format sluice tail writes), falling back to a
 * full JSON parse. Returns false when the line is not a record. */
static bool parse_dump_line(const char *p, size_t n, dump_rec_t *r, sl_arena_t *a)
{
    if (fast_dump_line(p, p + n, r)) return true;
    return slow_dump_line(p, n, r, a);
}

/* Replays a dump into input 0 of the engine. Returns 0 or 1. */
static int replay(sl_engine_t *e, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "sluice run: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = sl_malloc(cap);
    sl_arena_t *scratch = sl_arena_new(0);
    long lineno = 0;
    bool eof = false;
    while (!eof && !stop_requested) {
        if (len == cap) {
            cap *= 2;
            buf = sl_realloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (!got) {
            eof = true;
            if (!len) break;
        }
        len += got;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', len - start);
            size_t ll;
            if (nl) ll = (size_t)(nl - (buf + start));
            else if (eof) ll = len - start;
            else break;
            lineno++;
            const char *line = buf + start;
            start += ll + (nl ? 1 : 0);
            while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' ')) ll--;
            if (!ll) {
                if (!nl) break;
                continue;
            }
            dump_rec_t r = {0, NULL, 0, NULL, 0};
            if (!parse_dump_line(line, ll, &r, scratch)) {
                fprintf(stderr, "sluice run: %s:%ld: not a Kinesis record (want SequenceNumber, "
                                "ApproximateArrivalTimestamp, Data, PartitionKey)\n", path, lineno);
                sl_arena_reset(scratch);
                if (!nl) break;
                continue;
            }
            unsigned char *data = sl_engine_record_buf(e, 0, r.data64_len);
            long dl = decode_data(line, ll, &r, data, scratch);
            char seqbuf[64];
            if (r.seq) {
                size_t sl = r.seq_len < sizeof seqbuf - 1 ? r.seq_len : sizeof seqbuf - 1;
                memcpy(seqbuf, r.seq, sl);
                seqbuf[sl] = '\0';
            }
            if (dl < 0) {
                fprintf(stderr, "sluice run: %s:%ld: Data is not valid base64\n", path, lineno);
            } else {
                sl_engine_record(e, 0, (const char *)data, (size_t)dl, r.arrival, r.arrival,
                                 r.seq ? seqbuf : NULL);
            }
            sl_arena_reset(scratch);
            if (!nl) break;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
        if (eof) break;
    }
    if (f != stdin) fclose(f);
    sl_free(buf);
    sl_arena_free(scratch);
    return 0;
}

/* ---- parallel replay of a large dump ------------------------------------------------------
 *
 * The dump is cut into chunks of CHUNK bytes (a line belongs to the chunk its first byte is
 * in). NWORKERS threads each read their chunks w, w + NWORKERS, ... with pread into a
 * buffer of their own (reading beats mapping here: no page faults, and the process's
 * memory does not grow with the file) and decode them into a ring of RING results (batches
 * + the records that did not decode, per batch); the engine's thread takes the results in
 * chunk order and pushes them. Memory stays bounded (each worker is at most RING chunks
 * ahead) and the output is the same as a sequential replay's, except that error rows may
 * sit differently between data rows.
 */
#define CHUNK (1u << 20)
#define NWORKERS 2
#define RING 4
#define CHUNK_SLACK (64u << 10) /* read past the chunk's end to finish its last line */

/* A record that did not decode. */
typedef struct bad_rec {
    char *msg;      /* heap */
    int64_t rowtime;
    char *data;     /* heap copy of the record */
    size_t len;
    char seq[128];  /* its SequenceNumber (Kinesis writes 56 digits), as the sequential replay
                       keeps it; "SEQ (user record i of n)" for a KPL user record */
} bad_rec_t;

/* What decoding one chunk produced. */
typedef struct chunk_res {
    int state;            /* 0 free, 1 being filled, 2 ready */
    size_t nb;            /* batches used */
    sl_batch_t **b;       /* batches (owned by the slot, reused) */
    size_t cap;
    size_t *nbad_before;  /* per batch: bad records reported before it (prefix counts) */
    bad_rec_t *bad;
    size_t nbad, badcap;
    long bad_lines;       /* lines that are not records */
    int io_errno;         /* the chunk could not be read: errno, else 0 */
    sl_partial_t *part;   /* the batches folded by the tumbling GROUP BY, or NULL (engine.h) */
} chunk_res_t;

/* A decoding worker. */
typedef struct worker {
    pthread_t th;
    int id;
    struct par *par;
    sl_decoder_t *dec;
    char *buf;            /* the chunk's bytes (heap, grows for very long lines) */
    size_t bufcap;
    chunk_res_t ring[RING];
} worker_t;

/* The shared state of a parallel replay. */
typedef struct par {
    sl_engine_t *e;
    const char *path;
    int fd;
    size_t size;
    size_t nchunks;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool abort;           /* under mu: the engine's thread stopped taking results */
    worker_t w[NWORKERS];
} par_t;

/* Reads [off, off + n) of the dump into w->buf. Returns 0 or an errno value. */
static int read_span(par_t *p, worker_t *w, size_t off, size_t n)
{
    if (n > w->bufcap) {
        w->bufcap = n;
        w->buf = sl_realloc(w->buf, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(p->fd, w->buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return errno;
        if (k == 0) return EIO; /* the file shrank under us */
        got += (size_t)k;
    }
    return 0;
}

/*
 * Reads chunk c into w->buf, which then begins at file offset lo = c * CHUNK - 1 (0 for the
 * first chunk), and finds the chunk's lines: [*start, *end) of the buffer. The chunk's
 * first line starts after the first '\n' at or after offset c * CHUNK - 1 (a chunk with no
 * line start before the next chunk's offset is empty); its last line ends with the first
 * '\n' at or after (c + 1) * CHUNK - 1, or at the end of the file. Returns 0 or an errno.
 */
static int read_chunk(par_t *p, worker_t *w, size_t c, size_t *start, size_t *end)
{
    size_t lo = c ? c * CHUNK - 1 : 0, cut = (c + 1) * CHUNK; /* cut: the next chunk's offset */
    size_t slack = CHUNK_SLACK;
    /* Ask the kernel to bring in the chunk this worker takes after the next one, so a dump
     * that is not (or no longer) in the page cache is read ahead while this one decodes. */
    if ((c + 2 * NWORKERS) * CHUNK < p->size)
        posix_fadvise(p->fd, (off_t)((c + 2 * NWORKERS) * CHUNK), CHUNK, POSIX_FADV_WILLNEED);
    *start = *end = 0;
    for (;;) {
        size_t hi = cut + slack < p->size ? cut + slack : p->size;
        if (lo >= hi) return 0;
        int rc = read_span(p, w, lo, hi - lo);
        if (rc) return rc;
        size_t s = 0;
        if (c) {
            size_t lim = (cut - 1 < hi ? cut - 1 : hi) - lo; /* a '\n' at cut - 1 starts the next chunk */
            const char *nl = memchr(w->buf, '\n', lim);
            if (!nl) return 0;
            s = (size_t)(nl - w->buf) + 1;
        }
        size_t e;
        if (cut >= p->size) {
            e = hi - lo;
        } else {
            const char *nl = memchr(w->buf + (cut - 1 - lo), '\n', hi - (cut - 1));
            if (nl) e = (size_t)(nl - w->buf) + 1;
            else if (hi == p->size) e = hi - lo;
            else {
                slack *= 4; /* a line longer than the slack: read more */
                continue;
            }
        }
        *start = s;
        *end = e;
        return 0;
    }
}

/* Takes a fresh batch for result r. */
static sl_batch_t *res_batch(par_t *p, chunk_res_t *r)
{
    if (r->nb == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->b = sl_realloc(r->b, r->cap * sizeof *r->b);
        r->nbad_before = sl_realloc(r->nbad_before, r->cap * sizeof(size_t));
        for (size_t i = r->nb; i < r->cap; i++) r->b[i] = NULL;
    }
    if (!r->b[r->nb]) r->b[r->nb] = sl_engine_input_batch(p->e, 0);
    sl_batch_reset(r->b[r->nb]);
    r->nbad_before[r->nb] = r->nbad;
    return r->b[r->nb++];
}

/* Folds a full batch into the result's partial aggregate while its rows are still in this
 * core's cache (once the partial has failed, it stays so and the batches are pushed). */
static void fold(chunk_res_t *r, const sl_batch_t *b)
{
    if (r->part) sl_partial_add(r->part, b);
}

/* Records a record that did not decode, for the engine thread (sl_engine_decode_error). */
static void add_bad(chunk_res_t *r, const char *msg, int64_t rowtime, const void *data, size_t len,
                    const char *seq, size_t seq_len)
{
    if (r->nbad == r->badcap) {
        r->badcap = r->badcap ? r->badcap * 2 : 8;
        r->bad = sl_realloc(r->bad, r->badcap * sizeof *r->bad);
    }
    bad_rec_t *x = &r->bad[r->nbad++];
    x->msg = sl_strdup(msg);
    x->rowtime = rowtime;
    x->data = sl_malloc(len + 1);
    memcpy(x->data, data, len);
    x->len = len;
    size_t sl = seq && seq_len < sizeof x->seq - 1 ? seq_len : seq ? sizeof x->seq - 1 : 0;
    if (sl) memcpy(x->seq, seq, sl);
    x->seq[sl] = '\0';
}

/*
 * The user records of a KPL aggregated record data[0, len) (in b's arena), decoded into b
 * as sl_engine_record does (same rows, same error texts): each is a record of its own.
 * When b fills, it is folded and a new batch taken, and the rest of the aggregate copied
 * into the new batch's arena (its rows point into those bytes). Returns the current batch.
 */
static sl_batch_t *decode_kpl(par_t *p, worker_t *w, chunk_res_t *r, sl_batch_t *b,
                              const unsigned char *data, size_t len, const dump_rec_t *rec)
{
    char seq[64] = "?";
    if (rec->seq) {
        size_t sl = rec->seq_len < sizeof seq - 1 ? rec->seq_len : sizeof seq - 1;
        memcpy(seq, rec->seq, sl);
        seq[sl] = '\0';
    }
    sl_kpl_rec_t small[64];
    const char *err = NULL;
    long n;
    sl_kpl_rec_t *recs = sl_kpl_list(data, len, small, 64, &n, &err);
    if (n < 0) {
        add_bad(r, err, rec->arrival, data, len, rec->seq, rec->seq ? rec->seq_len : 0);
        if (recs != small) sl_free(recs);
        return b;
    }
    const unsigned char *home = data;
    for (long i = 0; i < n; i++) {
        if (b->n >= b->cap) {
            fold(r, b);
            b = res_batch(p, r);
            unsigned char *copy = sl_arena_alloc(b->arena, len ? len : 1);
            memcpy(copy, home, len);
            home = copy;
        }
        const char *sub = (const char *)home + recs[i].off;
        int rc = sl_decoder_decode(w->dec, sub, recs[i].len, b, rec->arrival, rec->arrival, &err);
        if (rc == SL_DECODE_FULL && b->n) {
            fold(r, b);
            b = res_batch(p, r);
            unsigned char *copy = sl_arena_alloc(b->arena, len ? len : 1);
            memcpy(copy, home, len);
            home = copy;
            sub = (const char *)home + recs[i].off;
            rc = sl_decoder_decode(w->dec, sub, recs[i].len, b, rec->arrival, rec->arrival, &err);
        }
        if (rc < 0) {
            char name[128];
            int nl = snprintf(name, sizeof name, "%s (user record %ld of %ld)", seq, i + 1, n);
            add_bad(r, rc == SL_DECODE_FULL ? "the record has more rows than a batch holds" : err,
                    rec->arrival, sub, recs[i].len, name,
                    nl < 0 ? 0 : (size_t)nl < sizeof name ? (size_t)nl : sizeof name - 1);
        }
    }
    if (recs != small) sl_free(recs);
    return b;
}

/* Decodes chunk c into result r. */
static void decode_chunk(par_t *p, worker_t *w, size_t c, chunk_res_t *r)
{
    r->nb = 0;
    r->nbad = 0;
    r->bad_lines = 0;
    if (r->part) sl_partial_reset(r->part);
    size_t start, end;
    r->io_errno = read_chunk(p, w, c, &start, &end);
    if (r->io_errno) return;
    const char *buf = w->buf;
    sl_arena_t *scratch = sl_arena_new(0);
    sl_batch_t *b = res_batch(p, r);
    size_t at = start;
    while (at < end) {
        const char *line = buf + at;
        dump_rec_t rec = {0, NULL, 0, NULL, 0};
        size_t ll = 0;
        /* The layout sluice writes, its end found by the scan itself; else a line split at
         * '\n' and the general scans. */
        const char *q = exact_dump_line(line, buf + end, &rec);
        if (q) {
            const char *t = q;
            while (t < buf + end && (*t == '\r' || *t == ' ')) t++;
            if (t == buf + end || *t == '\n') {
                ll = (size_t)(q - line);
                at = (size_t)(t - buf) + 1;
            } else {
                q = NULL;
            }
        }
        if (!q) {
            const char *nl = memchr(line, '\n', end - at);
            ll = nl ? (size_t)(nl - line) : end - at;
            at += ll + 1;
            while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' ')) ll--;
            if (!ll) continue;
            if (!parse_dump_line(line, ll, &rec, scratch)) {
                r->bad_lines++;
                sl_arena_reset(scratch);
                continue;
            }
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            unsigned char *data = sl_arena_alloc(b->arena, rec.data64_len ? rec.data64_len : 1);
            long dl = decode_data(line, ll, &rec, data, scratch);
            if (dl < 0) {
                r->bad_lines++;
                break;
            }
            if (sl_kpl_is_aggregated(data, (size_t)dl)) {
                b = decode_kpl(p, w, r, b, data, (size_t)dl, &rec);
                break;
            }
            const char *err = NULL;
            int rc = sl_decoder_decode(w->dec, (const char *)data, (size_t)dl, b, rec.arrival, rec.arrival, &err);
            if (rc == SL_DECODE_FULL && attempt == 0 && b->n) {
                fold(r, b);
                b = res_batch(p, r);
                continue;
            }
            if (rc < 0)
                add_bad(r, rc == SL_DECODE_FULL ? "the record has more rows than a batch holds" : err,
                        rec.arrival, data, (size_t)dl, rec.seq, rec.seq ? rec.seq_len : 0);
            break;
        }
        if (b->n >= b->cap) {
            fold(r, b);
            b = res_batch(p, r);
        }
        sl_arena_reset(scratch);
    }
    sl_arena_free(scratch);
    fold(r, b);
}

/* A worker: decodes its chunks into its ring, waiting for free slots. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    par_t *p = w->par;
    for (size_t c = (size_t)w->id, k = 0; c < p->nchunks && !stop_requested; c += NWORKERS, k++) {
        chunk_res_t *r = &w->ring[k % RING];
        pthread_mutex_lock(&p->mu);
        while (r->state != 0 && !p->abort) pthread_cond_wait(&p->cv, &p->mu);
        if (p->abort) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        r->state = 1;
        pthread_mutex_unlock(&p->mu);
        decode_chunk(p, w, c, r);
        pthread_mutex_lock(&p->mu);
        r->state = 2;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* Replays a regular file with NWORKERS decoding threads. Returns 0, or -1 when the file
 * cannot be mapped (the caller then replays sequentially). */
static int replay_parallel(sl_engine_t *e, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return -1;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    par_t *p = SL_NEW(par_t);
    p->e = e;
    p->path = path;
    p->fd = fd;
    p->size = (size_t)st.st_size;
    p->nchunks = (p->size + CHUNK - 1) / CHUNK;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    /* SLUICE_NO_PARTIAL=1 pushes every row through the engine (tests compare the two). */
    const char *np = getenv("SLUICE_NO_PARTIAL");
    bool no_partial = np && *np && *np != '0';
    for (int i = 0; i < NWORKERS; i++) {
        p->w[i].id = i;
        p->w[i].par = p;
        p->w[i].dec = sl_engine_decoder(e, 0);
        if (!no_partial)
            for (int k = 0; k < RING; k++) p->w[i].ring[k].part = sl_partial_new(e, 0);
        pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i]);
    }
    long bad_lines = 0;
    int io_errno = 0;
    size_t nmerged = 0; /* chunks merged as partial aggregates */
    for (size_t c = 0; c < p->nchunks && !stop_requested && !io_errno; c++) {
        worker_t *w = &p->w[c % NWORKERS];
        chunk_res_t *r = &w->ring[(c / NWORKERS) % RING];
        pthread_mutex_lock(&p->mu);
        while (r->state != 2) pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        size_t bi = 0;
        bool merged = false;
        if (r->part) {
            /* Folded by the worker: the records that did not decode first, then one merge. */
            for (; bi < r->nbad; bi++) {
                bad_rec_t *x = &r->bad[bi];
                sl_engine_decode_error(e, 0, x->msg, x->rowtime, x->data, x->len, x->seq[0] ? x->seq : NULL);
            }
            merged = sl_engine_push_partial(e, 0, r->part);
            nmerged += merged;
        }
        for (size_t b = 0; b < r->nb && !merged; b++) {
            for (; bi < r->nbad && (b + 1 >= r->nb || bi < r->nbad_before[b + 1]); bi++) {
                bad_rec_t *x = &r->bad[bi];
                sl_engine_decode_error(e, 0, x->msg, x->rowtime, x->data, x->len, x->seq[0] ? x->seq : NULL);
            }
            sl_engine_push_batch(e, 0, r->b[b]);
        }
        for (size_t k = 0; k < r->nbad; k++) {
            sl_free(r->bad[k].msg);
            sl_free(r->bad[k].data);
        }
        bad_lines += r->bad_lines;
        if (r->io_errno && !io_errno) io_errno = r->io_errno;
        pthread_mutex_lock(&p->mu);
        r->state = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    if (stop_requested || io_errno) {
        /* Let the workers finish the slots they hold, and take no more chunks. */
        pthread_mutex_lock(&p->mu);
        p->abort = true;
        for (int i = 0; i < NWORKERS; i++)
            for (int k = 0; k < RING; k++)
                if (p->w[i].ring[k].state == 2) p->w[i].ring[k].state = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    for (int i = 0; i < NWORKERS; i++) {
        pthread_join(p->w[i].th, NULL);
        sl_decoder_free(p->w[i].dec);
        for (int k = 0; k < RING; k++) {
            chunk_res_t *r = &p->w[i].ring[k];
            for (size_t b = 0; b < r->cap; b++) sl_batch_free(r->b[b]);
            sl_free(r->b);
            sl_free(r->nbad_before);
            sl_free(r->bad);
            sl_partial_free(r->part);
        }
        sl_free(p->w[i].buf);
    }
    if (bad_lines)
        fprintf(stderr, "sluice run: %s: %ld lines are not Kinesis records or have bad base64 Data\n",
                path, bad_lines);
    if (getenv("SLUICE_REPLAY_STATS"))
        fprintf(stderr, "sluice run: %s: %zu chunks, %zu merged as partial aggregates\n", path,
                p->nchunks, nmerged);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    close(p->fd);
    sl_free(p);
    if (io_errno) {
        fprintf(stderr, "sluice run: %s: %s\n", path, strerror(io_errno));
        return 1;
    }
    return 0;
}

/*
 * Follows the application's input in the embedded store with a runner (runtime/app/runner.h,
 * the same code that runs applications in the daemon) until SIGINT/SIGTERM or, with
 * --idle-exit, until the input has been quiet that long; then every window closes and the
 * checkpoint is written. Returns 0, or 1 when the run failed.
 */
static int run_store(const app_t *app, sl_store_t *st, const char *data_dir, const char *from,
                     long idle_exit, const char **outputs, int noutputs, const char *base_dir,
                     const char *name)
{
    sl_runner_opts_t ro;
    memset(&ro, 0, sizeof ro);
    ro.store = st;
    ro.data_dir = data_dir;
    ro.base_dir = base_dir;
    ro.name = name;
    ro.out = stdout;
    ro.err = stderr;
    ro.outputs = outputs;
    ro.noutputs = noutputs;
    ro.idle_exit_ms = idle_exit > 0 ? (int)idle_exit : 0;
    ro.finish_on_stop = true;
    if (from) {
        ro.start_set = true;
        if (!strcasecmp(from, "trim_horizon"))
            ro.start = SL_START_TRIM_HORIZON;
        else if (!strcasecmp(from, "latest") || !strcasecmp(from, "now"))
            ro.start = SL_START_NOW;
        else if (!strcasecmp(from, "last_stopped_point"))
            ro.start = SL_START_LAST_STOPPED_POINT;
        else {
            fprintf(stderr, "sluice run: --from must be trim_horizon, now (latest) or "
                            "last_stopped_point\n");
            return 2;
        }
    }
    sl_diag_t diags = SL_DIAG_INIT;
    char *err = NULL;
    sl_runner_t *r = sl_runner_start(&app->desc, &ro, &diags, &err);
    if (!r) {
        if (diags.count) {
            sl_buf_t msg = SL_BUF_INIT;
            const char *code = app->desc.code ? app->desc.code : "";
            sl_diag_render(&diags, app->shown, code, strlen(code), &msg);
            fputs(msg.p ? msg.p : "", stderr);
            sl_buf_free(&msg);
        } else {
            fprintf(stderr, "sluice run: %s: %s\n", app->shown, err ? err : "cannot start");
        }
        sl_diag_free(&diags);
        sl_free(err);
        return 1;
    }
    sl_runner_stats_t stats;
    do {
        struct timespec d = {0, 50 * 1000000};
        nanosleep(&d, NULL);
        sl_runner_stats(r, &stats);
    } while (stats.running && !stop_requested);
    sl_runner_free(r);
    return stats.failure[0] ? 1 : 0;
}

/* Entry point of `sluice run`; see the file comment. */
int sl_cmd_run(int argc, char **argv)
{
    const char *replay_path = NULL, *data_dir = NULL, *from = NULL;
    const char **outputs = NULL;
    int noutputs = 0;
    bool explain = false;
    long idle_exit = -1;
    static const struct option opts[] = {
        {"replay", required_argument, 0, 'r'}, {"data", required_argument, 0, 'd'},
        {"output", required_argument, 0, 'o'}, {"explain", no_argument, 0, 'x'},
        {"from", required_argument, 0, 'f'},   {"idle-exit", required_argument, 0, 'i'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': replay_path = optarg; break;
        case 'd': data_dir = optarg; break;
        case 'f': from = optarg; break;
        case 'i': idle_exit = atol(optarg); break;
        case 'o':
            outputs = sl_realloc(outputs, sizeof *outputs * (size_t)(noutputs + 1));
            outputs[noutputs++] = optarg;
            break;
        case 'x': explain = true; break;
        case 'h':
            usage(stdout);
            sl_free(outputs);
            return 0;
        default:
            usage(stderr);
            sl_free(outputs);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        sl_free(outputs);
        return 2;
    }
    app_t app;
    int rc = load_app(&app, argv[optind]);
    if (rc) {
        free_app(&app);
        sl_free(outputs);
        return rc;
    }
    if (explain) {
        sl_buf_t out = SL_BUF_INIT;
        sl_plan_explain(app.plan, &out);
        fputs(out.p ? out.p : "", stdout);
        sl_buf_free(&out);
        free_app(&app);
        sl_free(outputs);
        return 0;
    }
    for (int i = 0; i < noutputs; i++)
        if (strcasecmp(outputs[i], "error_stream") && sl_plan_find_stream(app.plan, outputs[i]) < 0) {
            fprintf(stderr, "sluice run: --output %s: the application has no such stream\n", outputs[i]);
            free_app(&app);
            sl_free(outputs);
            return 2;
        }
    if (!app.desc.ninputs) {
        fprintf(stderr, "sluice run: %s: the application declares no input (CREATE INPUT, or "
                        "Inputs in the JSON)\n", app.shown);
        free_app(&app);
        sl_free(outputs);
        return 1;
    }
    if (!replay_path && !data_dir) {
        fprintf(stderr, "sluice run: give --replay DUMP or --data DIR\n");
        free_app(&app);
        sl_free(outputs);
        return 2;
    }
    sl_store_t *st = NULL;
    if (data_dir) {
        sl_store_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.dir = data_dir;
        cfg.fsync = SL_FSYNC_INTERVAL;
        char *err = NULL;
        st = sl_store_open(&cfg, &err);
        if (!st) {
            fprintf(stderr, "sluice run: --data %s: %s\n", data_dir, err);
            sl_free(err);
            free_app(&app);
            sl_free(outputs);
            return 1;
        }
    }
    char *dir = sl_strdup(argv[optind]);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    const char *base_dir = slash ? dir : ".";
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!replay_path) {
        rc = run_store(&app, st, data_dir, from, idle_exit, outputs, noutputs, base_dir,
                       app.desc.name ? app.desc.name : argv[optind]);
        sl_free(dir);
        sl_store_close(st);
        free_app(&app);
        sl_free(outputs);
        return rc;
    }
    sl_engine_opts_t eo;
    memset(&eo, 0, sizeof eo);
    eo.outputs = outputs;
    eo.noutputs = noutputs;
    eo.out = stdout;
    eo.err = stderr;
    eo.base_dir = base_dir;
    char *err = NULL;
    sl_engine_t *e = sl_engine_new(app.plan, &eo, &err);
    sl_free(dir);
    if (!e) {
        fprintf(stderr, "sluice run: %s: %s\n", app.shown, err);
        sl_free(err);
        sl_store_close(st);
        free_app(&app);
        sl_free(outputs);
        return 1;
    }
    /* Large dumps decode on NWORKERS threads; small ones (tests) sequentially, which
     * also keeps error rows exactly between the data rows they came between. */
    struct stat rst;
    bool big = strcmp(replay_path, "-") && stat(replay_path, &rst) == 0 && S_ISREG(rst.st_mode) &&
               rst.st_size >= 8 * (off_t)CHUNK && !getenv("SLUICE_SEQUENTIAL");
    if (!big || replay_parallel(e, replay_path) < 0) rc = replay(e, replay_path);
    sl_engine_finish(e);
    sl_engine_free(e);
    sl_store_close(st);
    free_app(&app);
    sl_free(outputs);
    return rc;
}
