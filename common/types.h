/*
 * types.h - the SQL value types of sluice and their physical form.
 *
 * Every KDA type maps to one of three physical forms, which is all the runtime's vectors
 * know about:
 *     SL_PHYS_I64  BOOLEAN (0/1), TINYINT..BIGINT, DECIMAL(p,s) (the value times 10^s),
 *                  DATE (days since 1970-01-01), TIME (ms since midnight), TIMESTAMP (ms
 *                  since the epoch, UTC), INTERVAL (day-time: ms; year-month: months)
 *     SL_PHYS_F64  REAL, DOUBLE (FLOAT is DOUBLE)
 *     SL_PHYS_STR  CHAR(n), VARCHAR(n), BINARY(n), VARBINARY(n): (pointer, length) slices
 * NULL is not a value of any form: vectors carry a separate null map (batch.h).
 *
 * sl_type_t is a small value type, copied freely; nothing here allocates except
 * sl_type_format() into a caller buffer.
 */
#ifndef SL_TYPES_H
#define SL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The logical types. X(NAME, spelling, physical form). */
#define SL_TIDS(X)                                                                     \
    X(NULL, "NULL", SL_PHYS_I64)              /* the type of a bare NULL literal */     \
    X(BOOLEAN, "BOOLEAN", SL_PHYS_I64)                                                  \
    X(TINYINT, "TINYINT", SL_PHYS_I64)                                                  \
    X(SMALLINT, "SMALLINT", SL_PHYS_I64)                                                \
    X(INTEGER, "INTEGER", SL_PHYS_I64)                                                  \
    X(BIGINT, "BIGINT", SL_PHYS_I64)                                                    \
    X(DECIMAL, "DECIMAL", SL_PHYS_I64)                                                  \
    X(REAL, "REAL", SL_PHYS_F64)                                                        \
    X(DOUBLE, "DOUBLE", SL_PHYS_F64)                                                    \
    X(CHAR, "CHAR", SL_PHYS_STR)                                                        \
    X(VARCHAR, "VARCHAR", SL_PHYS_STR)                                                  \
    X(BINARY, "BINARY", SL_PHYS_STR)                                                    \
    X(VARBINARY, "VARBINARY", SL_PHYS_STR)                                              \
    X(DATE, "DATE", SL_PHYS_I64)                                                        \
    X(TIME, "TIME", SL_PHYS_I64)                                                        \
    X(TIMESTAMP, "TIMESTAMP", SL_PHYS_I64)                                              \
    X(INTERVAL_DS, "INTERVAL DAY TO SECOND", SL_PHYS_I64)                               \
    X(INTERVAL_YM, "INTERVAL YEAR TO MONTH", SL_PHYS_I64)

typedef enum sl_phys { SL_PHYS_I64, SL_PHYS_F64, SL_PHYS_STR } sl_phys_t;

typedef enum sl_tid {
#define SL_TID_ENUM(name, sp, phys) SL_T_##name,
    SL_TIDS(SL_TID_ENUM)
#undef SL_TID_ENUM
        SL_T_COUNT
} sl_tid_t;

/* The widest DECIMAL precision (a scaled int64 holds 18 digits). */
#define SL_DECIMAL_MAX_PREC 18
/* The longest CHAR/VARCHAR/BINARY a column may declare. */
#define SL_STR_MAX_LEN 65535

/* A type with its parameters. */
typedef struct sl_type {
    uint8_t id;       /* sl_tid_t */
    uint8_t not_null; /* declared NOT NULL (ROWTIME, CREATE STREAM ... NOT NULL) */
    int8_t prec;      /* DECIMAL precision (1..18); 0 otherwise */
    int8_t scale;     /* DECIMAL scale (0..prec); 0 otherwise */
    int32_t len;      /* CHAR/VARCHAR/BINARY/VARBINARY length; 0 otherwise */
} sl_type_t;

/* Builds a type with no parameters. */
static inline sl_type_t sl_type_make(sl_tid_t id)
{
    sl_type_t t = {(uint8_t)id, 0, 0, 0, 0};
    if (id == SL_T_VARCHAR || id == SL_T_VARBINARY) t.len = SL_STR_MAX_LEN;
    if (id == SL_T_DECIMAL) t.prec = SL_DECIMAL_MAX_PREC;
    return t;
}

/* The physical form of a type id (inline: every vector loop asks). */
extern const sl_phys_t sl_tid_phys_table[SL_T_COUNT];
static inline sl_phys_t sl_tid_phys(sl_tid_t id)
{
    return id < SL_T_COUNT ? sl_tid_phys_table[id] : SL_PHYS_I64;
}
static inline sl_phys_t sl_type_phys(sl_type_t t) { return sl_tid_phys((sl_tid_t)t.id); }
/* "VARCHAR" ... */
const char *sl_tid_name(sl_tid_t id);

/* Classification helpers. Exact numerics are TINYINT..BIGINT and DECIMAL. */
static inline bool sl_type_is_integer(sl_type_t t)
{
    return t.id == SL_T_TINYINT || t.id == SL_T_SMALLINT || t.id == SL_T_INTEGER || t.id == SL_T_BIGINT;
}
static inline bool sl_type_is_exact(sl_type_t t) { return sl_type_is_integer(t) || t.id == SL_T_DECIMAL; }
static inline bool sl_type_is_numeric(sl_type_t t)
{
    return sl_type_is_exact(t) || t.id == SL_T_REAL || t.id == SL_T_DOUBLE;
}
/* CHAR, VARCHAR */
static inline bool sl_type_is_string(sl_type_t t) { return t.id == SL_T_CHAR || t.id == SL_T_VARCHAR; }
/* BINARY, VARBINARY */
static inline bool sl_type_is_binary(sl_type_t t) { return t.id == SL_T_BINARY || t.id == SL_T_VARBINARY; }
/* DATE, TIME, TIMESTAMP */
static inline bool sl_type_is_datetime(sl_type_t t)
{
    return t.id == SL_T_DATE || t.id == SL_T_TIME || t.id == SL_T_TIMESTAMP;
}
static inline bool sl_type_is_interval(sl_type_t t)
{
    return t.id == SL_T_INTERVAL_DS || t.id == SL_T_INTERVAL_YM;
}

/* The scale of an exact numeric (0 for integers). */
static inline int sl_type_scale(sl_type_t t) { return t.id == SL_T_DECIMAL ? t.scale : 0; }
/* Decimal digits an exact numeric type holds (TINYINT 3, SMALLINT 5, INTEGER 10,
 * BIGINT 19 capped to 18, DECIMAL its precision). */
int sl_type_digits(sl_type_t t);

/*
 * The common type of two operands of arithmetic or comparison (KDA's implicit widening):
 * integers widen to the larger integer, integer with DECIMAL gives DECIMAL, anything with
 * REAL/DOUBLE gives DOUBLE, CHAR with VARCHAR gives VARCHAR, NULL takes the other side.
 * Returns false when the two types have no common type (e.g. VARCHAR and INTEGER).
 */
bool sl_type_common(sl_type_t a, sl_type_t b, sl_type_t *out);

/* Writes the SQL spelling ("DECIMAL(10,2)", "VARCHAR(8)") into out (at least 48 bytes). */
void sl_type_format(sl_type_t t, char *out, size_t outlen);

/*
 * Parses a type as written in a record schema ("VARCHAR(8)", "DECIMAL(10, 2)", "DOUBLE
 * PRECISION", "INT", "CHARACTER VARYING(4)", "TIMESTAMP"); case-insensitive. Returns false
 * for anything else.
 */
bool sl_type_parse(const char *text, sl_type_t *out);

/* 10^n for 0 <= n <= 18. */
int64_t sl_pow10(int n);

/* ---- calendar helpers shared by decoders, functions and the output ------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t sl_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse of sl_days_from_civil. */
void sl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/*
 * Parses "YYYY-MM-DD[ HH:MM[:SS[.fff]]]" (also 'T' for the space, a trailing 'Z') into
 * epoch ms. Returns false when the text is not such a timestamp.
 */
bool sl_parse_timestamp(const char *s, size_t n, int64_t *ms);
/* Parses "HH:MM[:SS[.fff]]" into ms since midnight. */
bool sl_parse_time(const char *s, size_t n, int64_t *ms);
/* Formats a DATE (days) as "YYYY-MM-DD" and a TIME (ms) as "HH:MM:SS.mmm" (out >= 24). */
void sl_format_date(int64_t days, char *out);
void sl_format_time(int64_t ms, char *out);

#endif
