/*
 * schema.h - record schemas: how the bytes of a record map to named, typed columns.
 *
 * This is KDA's InputSchema / ReferenceSchema (RecordFormat + RecordEncoding +
 * RecordColumns), shared by stream inputs, reference tables and DiscoverInputSchema. It is
 * plain data: the SQL types stay text ("VARCHAR(8)", "DECIMAL(10,2)") for the planner to
 * parse, and decoding lives with its users.
 *
 * Ownership: an sl_record_schema_t owns its strings and column array;
 * sl_record_schema_free() releases them (the struct itself belongs to the caller).
 */
#ifndef SL_SCHEMA_H
#define SL_SCHEMA_H

#include <stddef.h>

typedef enum sl_record_format {
    SL_FORMAT_JSON, /* one JSON document per record (or per row of a flattened array) */
    SL_FORMAT_CSV   /* delimited text; columns by position */
} sl_record_format_t;

/* One column of a record schema. */
typedef struct sl_schema_col {
    char *name;     /* column name, case kept (KDA creates input columns quoted) */
    char *sql_type; /* SQL type as written: "VARCHAR(8)", "DOUBLE", "TIMESTAMP", ... */
    char *mapping;  /* JSON: a JSONPath ("$.ticker", "$.items[0:].price"); CSV: NULL */
} sl_schema_col_t;

/* A record format and its columns. */
typedef struct sl_record_schema {
    sl_record_format_t format;
    char *row_path;   /* JSON RecordRowPath; "$" when absent */
    char *row_delim;  /* CSV RecordRowDelimiter; "\n" when absent */
    char *col_delim;  /* CSV RecordColumnDelimiter; "," when absent */
    char *encoding;   /* RecordEncoding; "UTF-8" (the only one KDA accepts) */
    sl_schema_col_t *cols;
    size_t ncols;
} sl_record_schema_t;

/* Frees the strings and columns of s and zeroes it. NULL is a no-op. */
void sl_record_schema_free(sl_record_schema_t *s);
/* Deep copy of src into dst. */
void sl_record_schema_copy(sl_record_schema_t *dst, const sl_record_schema_t *src);

#endif
