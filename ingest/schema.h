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

/* ---- SQL column types ------------------------------------------------------------------
 * The types a KDA column may have, parsed from the text of RecordColumns[].SqlType (or a
 * CREATE STREAM column). One X-macro row per type: kind, canonical name, SQLite affinity
 * used for reference tables (see ingest/refdata.h for the value encodings). */
#define SL_SQLTYPE_LIST(X)                     \
    X(BOOLEAN, "BOOLEAN", "INTEGER")           \
    X(TINYINT, "TINYINT", "INTEGER")           \
    X(SMALLINT, "SMALLINT", "INTEGER")         \
    X(INTEGER, "INTEGER", "INTEGER")           \
    X(BIGINT, "BIGINT", "INTEGER")             \
    X(REAL, "REAL", "REAL")                    \
    X(DOUBLE, "DOUBLE", "REAL")                \
    X(DECIMAL, "DECIMAL", "TEXT")              \
    X(CHAR, "CHAR", "TEXT")                    \
    X(VARCHAR, "VARCHAR", "TEXT")              \
    X(BINARY, "BINARY", "BLOB")                \
    X(VARBINARY, "VARBINARY", "BLOB")          \
    X(DATE, "DATE", "INTEGER")                 \
    X(TIME, "TIME", "INTEGER")                 \
    X(TIMESTAMP, "TIMESTAMP", "INTEGER")

typedef enum sl_sqltype_kind {
#define SL_SQLTYPE_ENUM(k, name, aff) SL_SQLT_##k,
    SL_SQLTYPE_LIST(SL_SQLTYPE_ENUM)
#undef SL_SQLTYPE_ENUM
} sl_sqltype_kind_t;

#define SL_SQLTYPE_MAX_LEN       65535 /* CHAR/VARCHAR/BINARY/VARBINARY length */
#define SL_SQLTYPE_MAX_PRECISION 18    /* DECIMAL digits (KDA caps results at 18) */

/* A parsed column type. */
typedef struct sl_sqltype {
    sl_sqltype_kind_t kind;
    int len;   /* CHAR/BINARY: n (default 1); VARCHAR/VARBINARY: n (default 65535);
                  DECIMAL: precision (default 18); 0 for the others */
    int scale; /* DECIMAL: digits after the point (default 0); 0 for the others */
} sl_sqltype_t;

/*
 * Parses a type as KDA writes it, case-insensitively, with optional spaces:
 * "VARCHAR(8)", "DECIMAL(10, 2)", "DOUBLE PRECISION", "CHARACTER VARYING(4)". Aliases:
 * INT -> INTEGER, DEC/NUMERIC -> DECIMAL, FLOAT/DOUBLE PRECISION -> DOUBLE, CHARACTER ->
 * CHAR. Returns 0, or -1 with *why (static text) saying what is wrong.
 */
int sl_sqltype_parse(const char *text, sl_sqltype_t *out, const char **why);
/* The canonical name of a kind ("VARCHAR"). */
const char *sl_sqltype_name(sl_sqltype_kind_t kind);
/* The SQLite column affinity a kind maps to ("INTEGER", "REAL", "TEXT", "BLOB"). */
const char *sl_sqltype_affinity(sl_sqltype_kind_t kind);

#endif
