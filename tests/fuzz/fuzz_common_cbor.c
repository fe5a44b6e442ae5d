/*
 * fuzz_common_cbor.c - libFuzzer target for the CBOR decoder and encoder of val.h.
 *
 * Each input is decoded; when it decodes, the tree is re-encoded as CBOR and decoded again,
 * and the two trees must be equal (sl_val_equal); the re-encoding must also be a fixed point
 * (encoding the second tree gives the same bytes). The tree is also written as JSON, which
 * must parse (it is not compared: blobs and times change type in JSON). Seeds: corpus/cbor/.
 */
#include "val.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer entry point: one input per call; returns 0 (inputs are never rejected). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_arena_t *a = sl_arena_new(0);
    const char *err = NULL;
    sl_val_t *v = sl_cbor_parse(a, data, size, &err);
    if (!v) {
        if (!err) abort();
    } else {
        sl_buf_t b = SL_BUF_INIT, b2 = SL_BUF_INIT;
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_CBOR, &b);
        sl_enc_val(&e, v);
        sl_val_t *w = sl_cbor_parse(a, b.p, b.len, &err);
        if (!w || !sl_val_equal(v, w)) {
            fprintf(stderr, "CBOR round trip failed (%s)\n", w ? "differs" : err);
            abort();
        }
        sl_enc_init(&e, SL_ENC_CBOR, &b2);
        sl_enc_val(&e, w);
        if (b.len != b2.len || memcmp(b.p, b2.p, b.len) != 0) {
            fprintf(stderr, "CBOR re-encoding is not a fixed point\n");
            abort();
        }
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_JSON, &b);
        sl_enc_val(&e, v);
        if (!sl_json_parse(a, b.p, b.len, &err)) {
            fprintf(stderr, "CBOR->JSON output does not parse (%s): %.*s\n", err, (int)b.len,
                    b.p);
            abort();
        }
        sl_buf_free(&b);
        sl_buf_free(&b2);
    }
    sl_arena_free(a);
    return 0;
}
