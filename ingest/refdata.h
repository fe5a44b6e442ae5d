/*
 * refdata.h - loading a reference data source (KDA's S3ReferenceDataSource) into SQLite.
 *
 * A reference source is one object - a local file, an http(s):// URL or s3://bucket/key -
 * read whole, decoded with a ReferenceSchema (CSV or JSON, see schema.h) and stored as one
 * SQLite table the engine joins against. Loading is all or nothing: the table is dropped,
 * recreated and filled inside one savepoint, and any bad record rolls the whole load back
 * (the previous contents of the table survive a failed reload).
 *
 * Column storage, by SQL type (sl_sqltype_affinity):
 *   BOOLEAN, TINYINT..BIGINT   INTEGER  (BOOLEAN as 1/0)
 *   REAL, DOUBLE               REAL     (REAL rounded to float precision)
 *   DECIMAL(p,s)               TEXT     exact decimal with exactly s fraction digits
 *                                       ("12.50"): a double would not keep cents exact
 *   CHAR(n), VARCHAR(n)        TEXT     cut to n characters (KDA truncates silently)
 *   BINARY(n), VARBINARY(n)    BLOB     from X'hex' or base64 text; longer than n is an error
 *   DATE                       INTEGER  days since 1970-01-01
 *   TIME                       INTEGER  milliseconds since midnight
 *   TIMESTAMP                  INTEGER  epoch milliseconds (UTC; "2024-01-31 12:00:00.123",
 *                                       'T' separator and a trailing 'Z' accepted)
 * A missing JSON member, JSON null, or an empty unquoted CSV field of a non-character
 * column is NULL; an empty CSV field of a CHAR/VARCHAR column is ''.
 *
 * Ownership: the caller owns db and keeps it open; *err is a heap string (sl_free).
 */
#ifndef SL_REFDATA_H
#define SL_REFDATA_H

#include "buf.h"
#include "schema.h"

#include <sqlite3.h>
#include <stdint.h>

/* KDA's cap on a reference object. KDA skipped larger objects silently; sluice fails. */
#define SL_REFDATA_MAX_BYTES ((int64_t)1 << 30)

/* What one load did. */
typedef struct sl_refdata_stats {
    int64_t rows;  /* rows inserted */
    int64_t bytes; /* size of the object read */
    int64_t ms;    /* wall time of fetch + parse + insert */
} sl_refdata_stats_t;

/*
 * Fetches source and loads it as table `table` of db with `schema`. source is a path, a
 * file:// URL, an http:// or https:// URL (libcurl; HTTP status >= 400 is an error) or
 * s3://bucket/key, read as a path-style GET {SLUICE_S3_ENDPOINT}/{bucket}/{key}
 * (SLUICE_S3_ENDPOINT defaults to https://s3.amazonaws.com; the request is signed with
 * SigV4 when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set, else unsigned).
 * stats may be NULL. Returns 0, or -1 with *err naming the source and, for bad data, the
 * record (1-based: the line for CSV and JSON lines, the element for a JSON array) and
 * column: "refs.csv: record 3, column PRICE (DOUBLE): cannot convert 'abc'".
 */
int sl_refdata_load(sqlite3 *db, const char *table, const char *source,
                    const sl_record_schema_t *schema, sl_refdata_stats_t *stats, char **err);

/* The fetch step alone: appends the object's bytes to out. Same sources and errors. */
int sl_refdata_fetch(const char *source, sl_buf_t *out, char **err);

/* The decode + store step alone, on bytes already in memory. `what` names the data in
 * errors (usually the source). stats->bytes is len; stats may be NULL. */
int sl_refdata_load_bytes(sqlite3 *db, const char *table, const char *what, const char *data,
                          size_t len, const sl_record_schema_t *schema, sl_refdata_stats_t *stats,
                          char **err);

#endif
