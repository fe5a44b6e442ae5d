/*
 * schema.c - ownership helpers of record schemas; see schema.h.
 */
#include "schema.h"

#include "alloc.h"

#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? sl_strdup(s) : NULL;
}

void sl_record_schema_free(sl_record_schema_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ncols; i++) {
        sl_free(s->cols[i].name);
        sl_free(s->cols[i].sql_type);
        sl_free(s->cols[i].mapping);
    }
    sl_free(s->cols);
    sl_free(s->row_path);
    sl_free(s->row_delim);
    sl_free(s->col_delim);
    sl_free(s->encoding);
    memset(s, 0, sizeof *s);
}

void sl_record_schema_copy(sl_record_schema_t *dst, const sl_record_schema_t *src)
{
    dst->format = src->format;
    dst->row_path = dup_or_null(src->row_path);
    dst->row_delim = dup_or_null(src->row_delim);
    dst->col_delim = dup_or_null(src->col_delim);
    dst->encoding = dup_or_null(src->encoding);
    dst->ncols = src->ncols;
    dst->cols = SL_NEWN(sl_schema_col_t, src->ncols ? src->ncols : 1);
    for (size_t i = 0; i < src->ncols; i++) {
        dst->cols[i].name = dup_or_null(src->cols[i].name);
        dst->cols[i].sql_type = dup_or_null(src->cols[i].sql_type);
        dst->cols[i].mapping = dup_or_null(src->cols[i].mapping);
    }
}
