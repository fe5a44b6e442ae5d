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
        return 0;
    }
    sl_batch_t *b = sl_batch_new(8, tt, 64);
    /* A private copy, so reads past the end are caught. */
    char *rec = sl_malloc(size - 1 ? size - 1 : 1);
    memcpy(rec, data + 1, size - 1);
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
