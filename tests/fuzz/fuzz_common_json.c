/*
 * fuzz_common_json.c - libFuzzer target for the JSON decoder and encoder of val.h.
 *
 * Each input is parsed; when it parses, the tree is re-encoded as JSON and as CBOR, both
 * encodings are parsed back, and all three trees must be equal (sl_val_equal). A re-encoded
 * document that fails to parse, or parses to something else, aborts. Seeds: corpus/json/.
 */
#include "val.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer entry point: one input per call; returns 0 (inputs are never rejected). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_arena_t *a = sl_arena_new(0);
    const char *err = NULL;
    sl_val_t *v = sl_json_parse(a, (const char *)data, size, &err);
    if (!v) {
        if (!err) abort(); /* a failure must say why */
    } else {
        sl_buf_t b = SL_BUF_INIT;
        sl_enc_t e;
        sl_enc_init(&e, SL_ENC_JSON, &b);
        sl_enc_val(&e, v);
        sl_val_t *w = sl_json_parse(a, b.p, b.len, &err);
        if (!w || !sl_val_equal(v, w)) {
            fprintf(stderr, "JSON round trip failed (%s): %.*s\n", w ? "differs" : err,
                    (int)b.len, b.p);
            abort();
        }
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_CBOR, &b);
        sl_enc_val(&e, v);
        sl_val_t *c = sl_cbor_parse(a, b.p, b.len, &err);
        if (!c || !sl_val_equal(v, c)) {
            fprintf(stderr, "JSON->CBOR round trip failed (%s)\n", c ? "differs" : err);
            abort();
        }
        sl_buf_free(&b);
    }
    sl_arena_free(a);
    return 0;
}
