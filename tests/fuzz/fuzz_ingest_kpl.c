/*
 * fuzz_ingest_kpl.c - libFuzzer target for ingest/kpl.h (KPL aggregated records come from
 * any producer that writes to a stream).
 *
 * The input is taken twice: as a whole record (usually not an aggregate: the MD5 check
 * must reject it without reading past the end), and as the protocol buffer of an aggregate
 * (magic and MD5 trailer added, so the reader really parses it). Checks, besides the
 * sanitizers: every user record is a slice inside the protocol buffer, in increasing order
 * without overlap, and asking with less room returns the same count.
 */
#include "hashkey.h"
#include "kpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    const char *err;
    sl_kpl_rec_t recs[256];
    if (sl_kpl_is_aggregated(data, size)) (void)sl_kpl_records(data, size, recs, 256, &err);

    size_t len = 4 + size + 16;
    unsigned char *agg = malloc(len);
    memcpy(agg, "\xf3\x89\x9a\xc2", 4);
    if (size) memcpy(agg + 4, data, size);
    sl_md5(data, size, agg + 4 + size);
    if (!sl_kpl_is_aggregated(agg, len)) abort();
    long n = sl_kpl_records(agg, len, recs, 256, &err);
    if (n >= 0) {
        size_t prev = 4;
        for (long i = 0; i < n && i < 256; i++) {
            if (recs[i].off < prev || recs[i].off + recs[i].len > len - 16) abort();
            prev = recs[i].off + recs[i].len;
        }
        if (sl_kpl_records(agg, len, recs, 1, &err) != n) abort();
    }
    free(agg);
    return 0;
}
