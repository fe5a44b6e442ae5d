/*
 * shardlog.c - one shard's segment files and their batch index; see shardlog.h.
 *
 * Memory layout: an array of segments, oldest first; each segment owns a growable array of
 * batch entries in file order. Reads binary-search the segment by its first counter, then
 * the batch, and pread a run of consecutive batches in one call.
 */
#include "shardlog.h"

#include "alloc.h"
#include "buf.h"
#include "crc32c.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define BATCH_MAGIC 0x31424c53u /* "SLB1" little-endian */
#define HDR_SIZE    32
#define REC_HDR     6
/* A batch larger than this is corrupt: PutRecords carries at most 500 records, 10 MiB. */
#define MAX_PAYLOAD (64u << 20)

/* One batch as indexed in memory. */
typedef struct batch {
    uint64_t first;     /* counter of its first record */
    uint32_t nrec;      /* records in it */
    uint32_t len;       /* payload bytes (the batch is HDR_SIZE + len in the file) */
    uint64_t offset;    /* file offset of its header */
    int64_t arrival_ms; /* arrival time of all its records */
} batch_t;

/* One segment file. */
typedef struct segment {
    char *path;
    int fd;
    uint64_t size;    /* bytes of complete batches */
    batch_t *batches; /* in file order */
    size_t nbatches, cap;
    uint64_t records;
    bool writable;    /* the newest segment, open for appends */
} segment_t;

struct sl_shardlog {
    char *dir;
    size_t segment_bytes;
    segment_t *segs; /* oldest first */
    size_t nsegs, capsegs;
    bool dirty;        /* written since the last fdatasync */
    sl_buf_t scratch;  /* the batch being assembled by append */
};

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Reads exactly n bytes at off; returns 0, or -1 on error or short file. */
static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

/* Writes all n bytes at the end of fd (opened O_APPEND). */
static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void seg_add_batch(segment_t *s, const batch_t *b)
{
    if (s->nbatches == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->batches = sl_realloc(s->batches, s->cap * sizeof(batch_t));
    }
    s->batches[s->nbatches++] = *b;
    s->records += b->nrec;
    s->size = b->offset + HDR_SIZE + b->len;
}

static void seg_free(segment_t *s)
{
    if (s->fd >= 0) close(s->fd);
    sl_free(s->path);
    sl_free(s->batches);
}

/* Checks a batch header read from the file; returns 0 when it is plausible. */
static int check_header(const unsigned char *h, batch_t *b, uint64_t off)
{
    if (get_u32(h) != BATCH_MAGIC) return -1;
    b->len = get_u32(h + 4);
    b->nrec = get_u32(h + 12);
    b->first = get_u64(h + 16);
    b->arrival_ms = (int64_t)get_u64(h + 24);
    b->offset = off;
    if (b->len > MAX_PAYLOAD || b->nrec == 0 || (uint64_t)b->nrec * REC_HDR > b->len) return -1;
    return 0;
}

/*
 * Scans one segment file into s. verify: check every batch's checksum (the newest segment).
 * Stops at the first bad or incomplete batch and truncates the file there, so a torn tail
 * disappears; returns the number of bytes cut (0 normally), or -1 on I/O error.
 */
static long seg_scan(segment_t *s, bool verify, uint64_t min_counter, int64_t min_arrival)
{
    struct stat st;
    if (fstat(s->fd, &st) < 0) return -1;
    uint64_t fsize = (uint64_t)st.st_size, off = 0;
    unsigned char h[HDR_SIZE];
    unsigned char *payload = NULL;
    size_t paycap = 0;
    while (off + HDR_SIZE <= fsize) {
        batch_t b;
        if (pread_full(s->fd, h, HDR_SIZE, off) < 0 || check_header(h, &b, off) < 0) break;
        if (off + HDR_SIZE + b.len > fsize) break;
        if (b.first < min_counter || b.arrival_ms < min_arrival) break;
        if (verify) {
            if (b.len > paycap) {
                paycap = b.len;
                payload = sl_realloc(payload, paycap);
            }
            if (pread_full(s->fd, payload, b.len, off + HDR_SIZE) < 0) break;
            uint32_t crc = sl_crc32c(0, h + 12, HDR_SIZE - 12);
            crc = sl_crc32c(crc, payload, b.len);
            if (crc != get_u32(h + 8)) break;
            /* The record framing must add up to the payload exactly. */
            size_t p = 0;
            uint32_t k;
            for (k = 0; k < b.nrec && p + REC_HDR <= b.len; k++) {
                size_t pk = get_u16(payload + p), dl = get_u32(payload + p + 2);
                p += REC_HDR + pk + dl;
            }
            if (k != b.nrec || p != b.len) break;
        }
        seg_add_batch(s, &b);
        min_counter = b.first + b.nrec;
        min_arrival = b.arrival_ms;
        off += HDR_SIZE + b.len;
    }
    sl_free(payload);
    s->size = off;
    if (off < fsize) {
        if (ftruncate(s->fd, (off_t)off) < 0) return -1;
        return (long)(fsize - off);
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Creates dir and its parents (mkdir -p). */
static int mkdirs(const char *dir)
{
    char *p = sl_strdup(dir);
    for (char *q = p + 1; *q; q++) {
        if (*q == '/') {
            *q = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                sl_free(p);
                return -1;
            }
            *q = '/';
        }
    }
    int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
    sl_free(p);
    return rc;
}

static segment_t *push_segment(sl_shardlog_t *log)
{
    if (log->nsegs == log->capsegs) {
        log->capsegs = log->capsegs ? log->capsegs * 2 : 8;
        log->segs = sl_realloc(log->segs, log->capsegs * sizeof(segment_t));
    }
    segment_t *s = &log->segs[log->nsegs++];
    memset(s, 0, sizeof *s);
    s->fd = -1;
    return s;
}

sl_shardlog_t *sl_shardlog_open(const char *dir, size_t segment_bytes, char **err)
{
    if (mkdirs(dir) < 0) {
        *err = sl_asprintf("cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    DIR *d = opendir(dir);
    if (!d) {
        *err = sl_asprintf("cannot open %s: %s", dir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l != 24 || strcmp(e->d_name + 20, ".log")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = sl_realloc(names, cap * sizeof(char *));
        }
        names[n++] = sl_strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(char *), cmp_names);

    sl_shardlog_t *log = SL_NEW(sl_shardlog_t);
    log->dir = sl_strdup(dir);
    log->segment_bytes = segment_bytes ? segment_bytes : (64u << 20);
    uint64_t min_counter = 0;
    int64_t min_arrival = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        segment_t *s = push_segment(log);
        s->path = sl_asprintf("%s/%s", dir, names[i]);
        bool newest = i + 1 == n;
        s->fd = open(s->path, newest ? O_RDWR | O_APPEND : O_RDONLY);
        s->writable = newest;
        if (s->fd < 0 || seg_scan(s, newest, min_counter, min_arrival) < 0) {
            *err = sl_asprintf("cannot read %s: %s", s->path, strerror(errno));
            for (size_t k = i; k < n; k++) sl_free(names[k]);
            sl_free(names);
            sl_shardlog_close(log);
            return NULL;
        }
        if (s->nbatches) {
            const batch_t *lb = &s->batches[s->nbatches - 1];
            min_counter = lb->first + lb->nrec;
            min_arrival = lb->arrival_ms;
        }
        sl_free(names[i]);
    }
    sl_free(names);
    /* An empty newest segment (its whole content was torn) is removed: its name claims a
     * first counter that no batch carries. */
    if (log->nsegs && log->segs[log->nsegs - 1].nbatches == 0) {
        segment_t *s = &log->segs[--log->nsegs];
        unlink(s->path);
        seg_free(s);
    }
    return log;
}

void sl_shardlog_close(sl_shardlog_t *log)
{
    if (!log) return;
    for (size_t i = 0; i < log->nsegs; i++) seg_free(&log->segs[i]);
    sl_free(log->segs);
    sl_free(log->dir);
    sl_buf_free(&log->scratch);
    sl_free(log);
}

void sl_shardlog_destroy(sl_shardlog_t *log)
{
    if (!log) return;
    for (size_t i = 0; i < log->nsegs; i++) unlink(log->segs[i].path);
    rmdir(log->dir);
    sl_shardlog_close(log);
}

/* Starts a new segment whose first batch will have counter first. */
static segment_t *start_segment(sl_shardlog_t *log, uint64_t first, char **err)
{
    /* The previous newest segment is complete from now on and receives no more appends. */
    if (log->nsegs) log->segs[log->nsegs - 1].writable = false;
    segment_t *s = push_segment(log);
    s->path = sl_asprintf("%s/%020" PRIu64 ".log", log->dir, first);
    s->fd = open(s->path, O_RDWR | O_CREAT | O_APPEND | O_TRUNC, 0644);
    if (s->fd < 0) {
        *err = sl_asprintf("cannot create %s: %s", s->path, strerror(errno));
        seg_free(s);
        log->nsegs--;
        return NULL;
    }
    s->writable = true;
    /* Make the new directory entry durable with the data that follows. */
    int dfd = open(log->dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return s;
}

int sl_shardlog_append(sl_shardlog_t *log, uint64_t first_counter, int64_t arrival_ms,
                       const sl_logrec_t *recs, size_t n, bool sync, char **err)
{
    sl_buf_t *b = &log->scratch;
    sl_buf_reset(b);
    size_t total = HDR_SIZE;
    for (size_t i = 0; i < n; i++) total += REC_HDR + recs[i].pk_len + recs[i].len;
    sl_buf_reserve(b, total);
    unsigned char *h = (unsigned char *)b->p;
    unsigned char *p = h + HDR_SIZE;
    for (size_t i = 0; i < n; i++) {
        put_u16(p, (uint16_t)recs[i].pk_len);
        put_u32(p + 2, (uint32_t)recs[i].len);
        memcpy(p + REC_HDR, recs[i].pk, recs[i].pk_len);
        if (recs[i].len) memcpy(p + REC_HDR + recs[i].pk_len, recs[i].data, recs[i].len);
        p += REC_HDR + recs[i].pk_len + recs[i].len;
    }
    uint32_t len = (uint32_t)(total - HDR_SIZE);
    put_u32(h, BATCH_MAGIC);
    put_u32(h + 4, len);
    put_u32(h + 12, (uint32_t)n);
    put_u64(h + 16, first_counter);
    put_u64(h + 24, (uint64_t)arrival_ms);
    uint32_t crc = sl_crc32c(0, h + 12, HDR_SIZE - 12);
    put_u32(h + 8, sl_crc32c(crc, h + HDR_SIZE, len));

    segment_t *s = log->nsegs ? &log->segs[log->nsegs - 1] : NULL;
    if (!s || !s->writable || s->size >= log->segment_bytes) {
        if (s && s->writable && log->dirty) fdatasync(s->fd); /* a closed segment is durable */
        s = start_segment(log, first_counter, err);
        if (!s) return -1;
    }
    if (write_full(s->fd, h, total) < 0) {
        *err = sl_asprintf("write to %s failed: %s", s->path, strerror(errno));
        /* Cut whatever part of the batch reached the file: the log stays as it was. */
        if (ftruncate(s->fd, (off_t)s->size) < 0) {
        }
        return -1;
    }
    if (sync && fdatasync(s->fd) < 0) {
        *err = sl_asprintf("fdatasync of %s failed: %s", s->path, strerror(errno));
        return -1;
    }
    log->dirty = !sync;
    batch_t bt = {first_counter, (uint32_t)n, len, s->size, arrival_ms};
    seg_add_batch(s, &bt);
    return 0;
}

/* Finds the first batch that holds a counter >= from: sets *si and *bi; false when none. */
static bool find_batch(const sl_shardlog_t *log, uint64_t from, size_t *si, size_t *bi)
{
    /* Segments: the last one whose first counter <= from (or the first). */
    size_t lo = 0, hi = log->nsegs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const segment_t *s = &log->segs[mid];
        if (s->nbatches && s->batches[0].first <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t s0 = lo ? lo - 1 : 0;
    for (size_t i = s0; i < log->nsegs; i++) {
        const segment_t *s = &log->segs[i];
        size_t l = 0, h = s->nbatches;
        while (l < h) { /* first batch whose last counter >= from */
            size_t m = (l + h) / 2;
            if (s->batches[m].first + s->batches[m].nrec - 1 < from)
                l = m + 1;
            else
                h = m;
        }
        if (l < s->nbatches) {
            *si = i;
            *bi = l;
            return true;
        }
    }
    return false;
}

long sl_shardlog_read(sl_shardlog_t *log, uint64_t from, size_t limit, size_t max_bytes,
                      sl_arena_t *a, sl_recview_t **out, char **err)
{
    *out = NULL;
    size_t si, bi;
    if (limit == 0 || !find_batch(log, from, &si, &bi)) return 0;
    size_t cap = 64, n = 0, bytes = 0;
    sl_recview_t *v = sl_arena_alloc(a, cap * sizeof *v);
    while (si < log->nsegs && n < limit && bytes < max_bytes) {
        segment_t *s = &log->segs[si];
        /* A run of consecutive batches of this segment, read with one pread. */
        size_t b0 = bi, b1 = bi;
        size_t want = 0, runbytes = 0;
        while (b1 < s->nbatches && n + want < limit && bytes + runbytes < max_bytes) {
            want += s->batches[b1].nrec;
            runbytes += s->batches[b1].len;
            b1++;
        }
        uint64_t off = s->batches[b0].offset;
        uint64_t end = s->batches[b1 - 1].offset + HDR_SIZE + s->batches[b1 - 1].len;
        unsigned char *buf = sl_arena_alloc(a, end - off);
        if (pread_full(s->fd, buf, end - off, off) < 0) {
            *err = sl_asprintf("read from %s failed: %s", s->path, strerror(errno));
            return -1;
        }
        for (size_t k = b0; k < b1 && n < limit; k++) {
            const batch_t *b = &s->batches[k];
            const unsigned char *p = buf + (b->offset - off) + HDR_SIZE;
            for (uint32_t r = 0; r < b->nrec && n < limit; r++) {
                size_t pk = get_u16(p), dl = get_u32(p + 2);
                uint64_t c = b->first + r;
                if (c >= from) {
                    if (n == cap) {
                        sl_recview_t *nv = sl_arena_alloc(a, cap * 2 * sizeof *v);
                        memcpy(nv, v, cap * sizeof *v);
                        v = nv;
                        cap *= 2;
                    }
                    v[n].counter = c;
                    v[n].arrival_ms = b->arrival_ms;
                    v[n].pk = (const char *)p + REC_HDR;
                    v[n].pk_len = pk;
                    v[n].data = p + REC_HDR + pk;
                    v[n].len = dl;
                    n++;
                    bytes += dl + pk;
                    if (bytes >= max_bytes) break;
                }
                p += REC_HDR + pk + dl;
            }
            if (bytes >= max_bytes) break;
        }
        if (b1 < s->nbatches) {
            bi = b1;
        } else {
            si++;
            bi = 0;
        }
    }
    *out = v;
    return (long)n;
}

uint64_t sl_shardlog_seek_time(const sl_shardlog_t *log, int64_t ts)
{
    for (size_t i = 0; i < log->nsegs; i++) {
        const segment_t *s = &log->segs[i];
        if (!s->nbatches || s->batches[s->nbatches - 1].arrival_ms < ts) continue;
        size_t l = 0, h = s->nbatches;
        while (l < h) {
            size_t m = (l + h) / 2;
            if (s->batches[m].arrival_ms < ts)
                l = m + 1;
            else
                h = m;
        }
        return s->batches[l].first;
    }
    return sl_shardlog_last_counter(log) + 1;
}

int64_t sl_shardlog_arrival_at(const sl_shardlog_t *log, uint64_t from)
{
    size_t si, bi;
    if (!find_batch(log, from, &si, &bi)) return -1;
    return log->segs[si].batches[bi].arrival_ms;
}

bool sl_shardlog_empty(const sl_shardlog_t *log)
{
    for (size_t i = 0; i < log->nsegs; i++)
        if (log->segs[i].nbatches) return false;
    return true;
}

uint64_t sl_shardlog_first_counter(const sl_shardlog_t *log)
{
    for (size_t i = 0; i < log->nsegs; i++)
        if (log->segs[i].nbatches) return log->segs[i].batches[0].first;
    return 0;
}

uint64_t sl_shardlog_last_counter(const sl_shardlog_t *log)
{
    for (size_t i = log->nsegs; i-- > 0;) {
        const segment_t *s = &log->segs[i];
        if (s->nbatches) return s->batches[s->nbatches - 1].first + s->batches[s->nbatches - 1].nrec - 1;
    }
    return 0;
}

int64_t sl_shardlog_last_arrival(const sl_shardlog_t *log)
{
    for (size_t i = log->nsegs; i-- > 0;) {
        const segment_t *s = &log->segs[i];
        if (s->nbatches) return s->batches[s->nbatches - 1].arrival_ms;
    }
    return 0;
}

uint64_t sl_shardlog_records(const sl_shardlog_t *log)
{
    uint64_t n = 0;
    for (size_t i = 0; i < log->nsegs; i++) n += log->segs[i].records;
    return n;
}

uint64_t sl_shardlog_bytes(const sl_shardlog_t *log)
{
    uint64_t n = 0;
    for (size_t i = 0; i < log->nsegs; i++) n += log->segs[i].size;
    return n;
}

int sl_shardlog_expire(sl_shardlog_t *log, int64_t cutoff_ms)
{
    size_t drop = 0;
    while (drop < log->nsegs) {
        const segment_t *s = &log->segs[drop];
        if (s->nbatches && s->batches[s->nbatches - 1].arrival_ms >= cutoff_ms) break;
        drop++;
    }
    for (size_t i = 0; i < drop; i++) {
        unlink(log->segs[i].path);
        seg_free(&log->segs[i]);
    }
    if (drop) {
        memmove(log->segs, log->segs + drop, (log->nsegs - drop) * sizeof(segment_t));
        log->nsegs -= drop;
    }
    return (int)drop;
}

int sl_shardlog_sync(sl_shardlog_t *log)
{
    if (!log->dirty || !log->nsegs) return 0;
    log->dirty = false;
    return fdatasync(log->segs[log->nsegs - 1].fd);
}

int sl_shardlog_take_sync_fd(sl_shardlog_t *log)
{
    if (!log->dirty || !log->nsegs) return -1;
    log->dirty = false;
    return dup(log->segs[log->nsegs - 1].fd);
}
