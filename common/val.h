/*
 * val.h - one document model for JSON and CBOR, and encoders for both.
 *
 * The Kinesis APIs speak JSON 1.1 (boto3, the CLI) and CBOR 1.1 (the Java SDK, KCL, KPL)
 * with the same fields. Requests of either kind decode into one tree of sl_val_t, so each
 * API handler is written once; responses are written through an sl_enc_t, whose backend
 * picks the wire form. The two forms differ only in blobs (JSON: base64 text, CBOR: byte
 * strings) and timestamps (JSON: epoch seconds as a number, CBOR: tag 1 with integer epoch
 * milliseconds); the accessors and sl_enc_blob()/sl_enc_time_ms() hide the difference.
 *
 * Ownership: a decoded tree and every string in it live in the sl_arena_t passed to the
 * decoder and die with it. Strings are NUL-terminated copies (JSON escapes resolved), so
 * they may also be used as C strings; len is authoritative (they may hold NUL bytes).
 *
 * Decoding never crashes on bad input: it returns NULL and a message with the byte offset.
 * Nesting deeper than SL_VAL_MAX_DEPTH is an error, not a stack overflow.
 */
#ifndef SL_VAL_H
#define SL_VAL_H

#include "arena.h"
#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_VAL_MAX_DEPTH 64

typedef enum sl_vtype {
    SL_V_NULL,   /* JSON null; CBOR null or undefined */
    SL_V_BOOL,
    SL_V_NUM,    /* any number; see is_int */
    SL_V_STR,    /* text string (UTF-8) */
    SL_V_BYTES,  /* CBOR byte string (JSON has none: blobs arrive as base64 SL_V_STR) */
    SL_V_ARR,
    SL_V_OBJ,
    SL_V_TIME,   /* CBOR tag 1 (epoch time); ms holds epoch milliseconds */
} sl_vtype_t;

typedef struct sl_val sl_val_t;

typedef struct sl_member {
    const char *key; /* NUL-terminated */
    size_t key_len;
    sl_val_t *val;
} sl_member_t;

struct sl_val {
    sl_vtype_t type;
    union {
        bool b;
        struct {
            double d;     /* the value as a double, always set */
            int64_t i;    /* the value as an integer, valid when is_int */
            bool is_int;  /* written without fraction/exponent (JSON) or a CBOR integer,
                             and fits int64 */
        } num;
        struct {
            const char *p; /* NUL-terminated copy in the arena */
            size_t len;
        } str;             /* SL_V_STR and SL_V_BYTES */
        struct {
            sl_val_t **items;
            size_t n;
        } arr;
        struct {
            sl_member_t *members; /* in document order; duplicate keys: the last wins on lookup */
            size_t n;
        } obj;
        int64_t ms;        /* SL_V_TIME */
    } u;
};

/* Parses one JSON text (RFC 8259; surrounding whitespace allowed, nothing else after it).
 * Returns the root, or NULL with *err set to a message like "offset 17: expected ':'"
 * (allocated in the arena). */
sl_val_t *sl_json_parse(sl_arena_t *a, const char *text, size_t len, const char **err);

/* Parses one CBOR data item (RFC 8949: definite and indefinite lengths, tags: tag 1 becomes
 * SL_V_TIME in ms, whatever the tagged number's unit is taken as below; other tags are
 * dropped and the tagged item kept). Tag 1 content is taken as epoch *milliseconds* when it
 * is an integer (what the AWS Java SDK sends) and as seconds when it is a float.
 * Map keys must be text strings; undefined and unassigned simple values become SL_V_NULL;
 * integers beyond int64 become non-int numbers. Same error contract as sl_json_parse. */
sl_val_t *sl_cbor_parse(sl_arena_t *a, const void *data, size_t len, const char **err);

/* Object member lookup by key; NULL when absent or when obj is not an object. */
sl_val_t *sl_val_get(const sl_val_t *obj, const char *key);
/* Typed lookups: NULL / false when absent *or of another type*. */
const char *sl_val_get_str(const sl_val_t *obj, const char *key, size_t *len);
bool sl_val_get_i64(const sl_val_t *obj, const char *key, int64_t *out);
bool sl_val_get_bool(const sl_val_t *obj, const char *key, bool *out);

/* A blob field: a base64 string (JSON) is decoded into the arena, a byte string (CBOR)
 * taken as is. Returns 1 on success, 0 when absent, -1 when present but not a valid blob. */
int sl_val_blob(sl_arena_t *a, const sl_val_t *v, const unsigned char **data, size_t *len);
/* A timestamp field: a number of epoch seconds (int or fraction; JSON) or an SL_V_TIME
 * (CBOR). Sets *ms to epoch milliseconds. Returns 1, 0 when absent/null, -1 when of another type. */
int sl_val_time_ms(const sl_val_t *v, int64_t *ms);

const char *sl_vtype_name(sl_vtype_t t);

/* Deep equality of two trees (either may be NULL: equal only if both are). Numbers compare
 * by value: by i when both are is_int, else by d, with NaN equal to NaN (so 1.0 equals 1);
 * objects member by member in order, keys byte for byte. Used by tests and fuzzers to check
 * that a decode -> encode -> decode round trip is lossless. */
bool sl_val_equal(const sl_val_t *a, const sl_val_t *b);

/* ---- base64 (RFC 4648, standard alphabet, padded) ---------------------------------- */

/* Bytes needed to encode n bytes (without NUL). */
size_t sl_base64_encoded_len(size_t n);
/* Appends the encoding of data to b. */
void sl_base64_encode(sl_buf_t *b, const void *data, size_t n);
/* Decodes text into out (which must hold at least len*3/4 bytes); returns the decoded length
 * or -1 when text is not valid padded base64 (unpadded input is accepted too, as AWS does). */
long sl_base64_decode(const char *text, size_t len, unsigned char *out);

/* ---- encoders ------------------------------------------------------------------------- */

typedef enum sl_enc_kind { SL_ENC_JSON, SL_ENC_CBOR } sl_enc_kind_t;

/*
 * An encoder appends one document to a caller-owned sl_buf_t. Calls must be balanced
 * (every obj_begin has its obj_end); inside an object, each value is preceded by
 * sl_enc_key(). JSON output is compact with no spaces; numbers are never written in exponent
 * form (the Java SDK rejects that for timestamps). CBOR maps and arrays are written with
 * indefinite length.
 */
typedef struct sl_enc {
    sl_enc_kind_t kind;
    sl_buf_t *out;
    /* private: nesting state for separators */
    int depth;
    bool need_comma[SL_VAL_MAX_DEPTH + 1];
    bool after_key;
} sl_enc_t;

void sl_enc_init(sl_enc_t *e, sl_enc_kind_t kind, sl_buf_t *out);
void sl_enc_obj_begin(sl_enc_t *e);
void sl_enc_obj_end(sl_enc_t *e);
void sl_enc_arr_begin(sl_enc_t *e);
void sl_enc_arr_end(sl_enc_t *e);
void sl_enc_key(sl_enc_t *e, const char *key);
void sl_enc_str(sl_enc_t *e, const char *s);
void sl_enc_strn(sl_enc_t *e, const char *s, size_t n);
void sl_enc_i64(sl_enc_t *e, int64_t v);
void sl_enc_double(sl_enc_t *e, double v);
void sl_enc_bool(sl_enc_t *e, bool v);
void sl_enc_null(sl_enc_t *e);
/* A blob: base64 string in JSON, byte string in CBOR. */
void sl_enc_blob(sl_enc_t *e, const void *data, size_t n);
/* A timestamp: JSON number of epoch seconds with 3 decimals ("1700000000.123"),
 * CBOR tag 1 + integer epoch milliseconds. */
void sl_enc_time_ms(sl_enc_t *e, int64_t ms);
/* Re-encodes a decoded value (used by tests and by pass-through code). */
void sl_enc_val(sl_enc_t *e, const sl_val_t *v);

/* Appends s as a JSON string literal (quotes and escapes) to b. */
void sl_json_quote(sl_buf_t *b, const char *s, size_t n);

#endif
