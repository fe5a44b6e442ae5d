/*
 * kpl.c - KPL aggregated records; see kpl.h.
 *
 * A minimal protocol-buffers reader: only the wire format (varints, length-delimited
 * fields, fixed 32/64-bit fields skipped) and the two messages kpl.h names. Unknown fields
 * are skipped, as protocol buffers require, so a newer producer's extra fields are fine.
 */
#include "kpl.h"

#include "alloc.h"
#include "hashkey.h"

#include <string.h>

static const unsigned char magic[4] = {0xF3, 0x89, 0x9A, 0xC2};

bool sl_kpl_is_aggregated(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len < sizeof magic + 16 || memcmp(p, magic, sizeof magic) != 0) return false;
    unsigned char md[16];
    sl_md5(p + sizeof magic, len - sizeof magic - 16, md);
    return memcmp(md, p + len - 16, 16) == 0;
}

/* A cursor over a protocol buffer. */
typedef struct pb {
    const unsigned char *p, *end;
} pb_t;

/* Reads a varint; false when it is truncated or longer than 10 bytes. */
static bool varint(pb_t *b, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (b->p >= b->end) return false;
        unsigned char c = *b->p++;
        if (shift == 63 && c > 1) return false; /* more than 64 bits */
        *v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) return true;
    }
    return false;
}

/*
 * Reads one field's key and, for a length-delimited field, its payload (*sub); other wire
 * types are skipped (their value in *v for varints). Returns the field number, 0 at the end
 * of the buffer, -1 when malformed.
 */
static long field(pb_t *b, int *wire, uint64_t *v, pb_t *sub)
{
    if (b->p >= b->end) return 0;
    uint64_t key;
    if (!varint(b, &key) || key >> 3 == 0 || key >> 3 > 0x1FFFFFFF) return -1;
    *wire = (int)(key & 7);
    switch (*wire) {
    case 0: return varint(b, v) ? (long)(key >> 3) : -1;
    case 1:
        if (b->end - b->p < 8) return -1;
        b->p += 8;
        return (long)(key >> 3);
    case 5:
        if (b->end - b->p < 4) return -1;
        b->p += 4;
        return (long)(key >> 3);
    case 2: {
        uint64_t n;
        if (!varint(b, &n) || n > (uint64_t)(b->end - b->p)) return -1;
        sub->p = b->p;
        sub->end = b->p + n;
        b->p += n;
        return (long)(key >> 3);
    }
    default: return -1; /* groups (3, 4) are not used by the format */
    }
}

long sl_kpl_records(const void *data, size_t len, sl_kpl_rec_t *out, size_t max, const char **err)
{
    const unsigned char *base = data;
    pb_t agg = {base + sizeof magic, base + len - 16};
    uint64_t nkeys = 0;
    long n = 0;
    int wire;
    uint64_t v;
    pb_t sub;
    long f;
    /* The partition key table comes first in what the KPL writes, but a protocol buffer
     * may order fields freely: count the keys in a first pass. */
    for (pb_t b = agg; (f = field(&b, &wire, &v, &sub)) != 0;) {
        if (f < 0) goto bad;
        if (f == 1 && wire == 2) nkeys++;
    }
    for (pb_t b = agg; (f = field(&b, &wire, &v, &sub)) != 0;) {
        if (f < 0) goto bad;
        if (f != 3 || wire != 2) continue;
        pb_t r = sub;
        bool have_key = false, have_data = false;
        sl_kpl_rec_t rec = {0, 0};
        long g;
        uint64_t rv;
        pb_t rs;
        int rw;
        while ((g = field(&r, &rw, &rv, &rs)) != 0) {
            if (g < 0) goto bad;
            if (g == 1 && rw == 0) {
                if (rv >= nkeys) {
                    *err = "KPL aggregated record: a partition key index is outside the table";
                    return -1;
                }
                have_key = true;
            } else if (g == 3 && rw == 2) {
                rec.off = (size_t)(rs.p - base);
                rec.len = (size_t)(rs.end - rs.p);
                have_data = true;
            }
        }
        if (!have_key || !have_data) {
            *err = "KPL aggregated record: a user record lacks its partition key index or data";
            return -1;
        }
        if ((size_t)n < max) out[n] = rec;
        n++;
    }
    return n;
bad:
    *err = "KPL aggregated record: malformed protocol buffer";
    return -1;
}

sl_kpl_rec_t *sl_kpl_list(const void *data, size_t len, sl_kpl_rec_t *buf, size_t nbuf, long *n,
                          const char **err)
{
    *n = sl_kpl_records(data, len, buf, nbuf, err);
    if (*n <= (long)nbuf) return buf;
    sl_kpl_rec_t *all = SL_NEWN(sl_kpl_rec_t, (size_t)*n);
    *n = sl_kpl_records(data, len, all, (size_t)*n, err);
    return all;
}
