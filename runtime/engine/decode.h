/*
 * decode.h - record decoders: the bytes of a Kinesis record into rows of a batch, as an
 * input's InputSchema (KDA's RecordFormat + RecordColumns) says.
 *
 *   JSON  one document per record; each column has a JSONPath mapping: `$.a.b` (a missing
 *         member is NULL), `$.arr[0:]` (the whole array as text), and at most one flattened
 *         array `$.arr[0:].f`: one row per element, the other columns repeated (an empty or
 *         missing array gives one row with NULLs). Values convert by KDA's JSON-to-SQL
 *         rules (numbers into numeric columns, strings parsed, arrays/objects as text).
 *   CSV   rows split by RecordRowDelimiter, fields by RecordColumnDelimiter, mapped by
 *         position; missing trailing fields are NULL; an empty field of a non-character
 *         column is NULL; "double quoted" fields may hold delimiters ("" is a quote).
 *
 * The decoder scans the record once with no allocation: values go straight into the batch's
 * column vectors; strings without escapes point into the record bytes, which therefore must
 * live as long as the batch (the sources decode base64 into the batch's arena).
 *
 * A record that does not decode produces no row and an error message naming the column
 * and the problem ("column PRICE (DOUBLE): cannot convert \"abc\""); the caller sends it to
 * error_stream.
 */
#ifndef SL_DECODE_H
#define SL_DECODE_H

#include "batch.h"
#include "plan.h"
#include "schema.h"

typedef struct sl_decoder sl_decoder_t;

/* Result of sl_decoder_decode() besides a row count. */
enum { SL_DECODE_ERROR = -1, SL_DECODE_FULL = -2 };

/* A decoder for `schema` writing into batches whose columns are `cols` (the SOURCE node's:
 * the schema's columns then APPROXIMATE_ARRIVAL_TIME). NULL and *err (heap) when a
 * mapping is not supported. */
sl_decoder_t *sl_decoder_new(const sl_record_schema_t *schema, const sl_pcol_t *cols, int ncols,
                             char **err);
void sl_decoder_free(sl_decoder_t *d);
/* Restricts decoding to the columns with wanted[i] set (the others are left NULL and not
 * converted, so a bad value in a column no query reads is not an error). NULL: all. */
void sl_decoder_want(sl_decoder_t *d, const uint8_t *wanted);
/* Turns the flat-object fast path on (the default) or off; the fuzzer decodes every input
 * both ways and requires the same rows and errors. */
void sl_decoder_fast_path(sl_decoder_t *d, bool on);

/*
 * Appends the rows of one record to b with the given ROWTIME and arrival time. Returns the
 * number of rows appended; SL_DECODE_FULL when b has no room for them (nothing appended:
 * flush and retry); SL_DECODE_ERROR with *err (a static or decoder-owned message valid until
 * the next call) when the record is malformed.
 */
int sl_decoder_decode(sl_decoder_t *d, const char *data, size_t len, sl_batch_t *b,
                      int64_t rowtime, int64_t arrival, const char **err);

#endif
