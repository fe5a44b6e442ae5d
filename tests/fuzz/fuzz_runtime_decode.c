/*
 * fuzz_runtime_decode.c - libFuzzer target for the record decoders (runtime/engine/decode.c):
 * arbitrary bytes as one Kinesis record, decoded as JSON with nested paths, a whole array
 * and a flattened array, and as CSV, into batches of every physical type. A record either
 * gives rows or an error message; it never crashes, hangs or reads out of bounds.
 * The first byte picks the format; the rest is the record.
 */
#include "alloc.h"
#include "decode.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Same rows in a and b (values compared by physical type, floats bit for bit). */
static void same_rows(const sl_batch_t *a, const sl_batch_t *b, int ncols)
{
    if (a->n != b->n) __builtin_trap();
    for (size_t r = 0; r < a->n; r++) {
        if (a->rowtime[r] != b->rowtime[r]) __builtin_trap();
        for (int c = 0; c < ncols; c++) {
            const sl_vec_t *x = &a->cols[c], *y = &b->cols[c];
            if (x->null[r] != y->null[r]) __builtin_trap();
            if (x->null[r]) continue;
            switch (sl_type_phys(x->type)) {
            case SL_PHYS_I64:
                if (x->v.i[r] != y->v.i[r]) __builtin_trap();
                break;
            case SL_PHYS_F64:
                if (memcmp(&x->v.f[r], &y->v.f[r], sizeof(double))) __builtin_trap();
                break;
            case SL_PHYS_STR:
                if (x->v.s[r].len != y->v.s[r].len ||
                    memcmp(x->v.s[r].p, y->v.s[r].p, x->v.s[r].len))
                    __builtin_trap();
                break;
            }
        }
    }
}

/*
 * The flat schema (every mapping `$.name`, so the decoder's fast path applies): the input is
 * split at '\n' into records decoded one after the other by the same two decoders, one with
 * the fast path and one without (the fast path remembers the previous record's member
 * names); for every record both must give the same rows, or the same error message.
 */
static void flat_differential(const char *rec, size_t n)
{
    static sl_schema_col_t cols[7] = {
        {"ID", "INTEGER", "$.id"},     {"P", "DECIMAL(8,2)", "$.p"}, {"S", "VARCHAR(4)", "$.s"},
        {"TS", "TIMESTAMP", "$.ts"},   {"D", "DOUBLE", "$.d"},       {"B", "BOOLEAN", "$.b"},
        {"T", "VARCHAR(16)", "$.t"},
    };
    static const char *types[7] = {"INTEGER", "DECIMAL(8,2)", "VARCHAR(4)", "TIMESTAMP", "DOUBLE",
                                   "BOOLEAN", "VARCHAR(16)"};
    sl_record_schema_t schema = {SL_FORMAT_JSON, "$", "\n", ",", "UTF-8", cols, 7};
    sl_pcol_t pc[8];
    sl_type_t tt[8];
    for (int i = 0; i < 7; i++) {
        sl_type_parse(types[i], &tt[i]);
        pc[i] = (sl_pcol_t){cols[i].name, tt[i], false};
    }
    tt[7] = sl_type_make(SL_T_TIMESTAMP);
    pc[7] = (sl_pcol_t){"APPROXIMATE_ARRIVAL_TIME", tt[7], true};
    char *err = NULL;
    sl_decoder_t *fast = sl_decoder_new(&schema, pc, 8, &err), *slow = sl_decoder_new(&schema, pc, 8, &err);
    if (!fast || !slow) __builtin_trap();
    sl_decoder_fast_path(slow, false);
    sl_batch_t *bf = sl_batch_new(8, tt, 4), *bs = sl_batch_new(8, tt, 4);
    size_t at = 0;
    while (at <= n) {
        const char *nl = memchr(rec + at, '\n', n - at);
        size_t ln = nl ? (size_t)(nl - (rec + at)) : n - at;
        /* Each record in a heap copy of its own, so reads past its end are caught. */
        char *one = sl_malloc(ln ? ln : 1);
        memcpy(one, rec + at, ln);
        sl_batch_reset(bf);
        sl_batch_reset(bs);
        const char *mf = NULL, *ms = NULL;
        int rf = sl_decoder_decode(fast, one, ln, bf, 1000, 1000, &mf);
        int rs = sl_decoder_decode(slow, one, ln, bs, 1000, 1000, &ms);
        if (rf != rs) __builtin_trap();
        if (rf == SL_DECODE_ERROR && strcmp(mf, ms)) __builtin_trap();
        same_rows(bf, bs, 8);
        sl_free(one);
        if (!nl) break;
        at += ln + 1;
    }
    sl_batch_free(bf);
    sl_batch_free(bs);
    sl_decoder_free(fast);
    sl_decoder_free(slow);
}

/* Decodes one input with both decoders. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sl_schema_col_t cols[7] = {
        {"ID", "INTEGER", "$.id"},
        {"P", "DECIMAL(8,2)", "$.items[0:].p"},
        {"S", "VARCHAR(4)", "$.items[0:].s"},
        {"TS", "TIMESTAMP", "$.a.ts"},
        {"D", "DOUBLE", "$.a.d"},
        {"B", "BOOLEAN", "$.b"},
        {"T", "VARCHAR(16)", "$.tags[0:]"},
    };
    static const char *types[7] = {"INTEGER", "DECIMAL(8,2)", "VARCHAR(4)", "TIMESTAMP", "DOUBLE",
                                   "BOOLEAN", "VARCHAR(16)"};
    if (size < 1) return 0;
    /* A private copy, so reads past the end are caught. */
    char *rec = sl_malloc(size - 1 ? size - 1 : 1);
    memcpy(rec, data + 1, size - 1);
    if (data[0] & 2) {
        flat_differential(rec, size - 1);
        sl_free(rec);
        return 0;
    }
    sl_record_format_t fmt = (data[0] & 1) ? SL_FORMAT_CSV : SL_FORMAT_JSON;
    sl_record_schema_t schema = {fmt, "$", "\n", ",", "UTF-8", cols, 7};
    sl_pcol_t pc[8];
    sl_type_t tt[8];
    for (int i = 0; i < 7; i++) {
        sl_type_parse(types[i], &tt[i]);
        pc[i] = (sl_pcol_t){cols[i].name, tt[i], false};
    }
    tt[7] = sl_type_make(SL_T_TIMESTAMP);
    pc[7] = (sl_pcol_t){"APPROXIMATE_ARRIVAL_TIME", tt[7], true};
    char *err = NULL;
    sl_decoder_t *d = sl_decoder_new(&schema, pc, 8, &err);
    if (!d) {
        sl_free(err);
        sl_free(rec);
        return 0;
    }
    sl_batch_t *b = sl_batch_new(8, tt, 64);
    for (int round = 0; round < 3; round++) {
        const char *msg = NULL;
        int rc = sl_decoder_decode(d, rec, size - 1, b, 1000, 1000, &msg);
        if (rc == SL_DECODE_FULL) sl_batch_reset(b);
        if (rc == SL_DECODE_ERROR && !msg) __builtin_trap();
    }
    sl_free(rec);
    sl_batch_free(b);
    sl_decoder_free(d);
    return 0;
}
