/*
 * buf.h - a growable byte buffer.
 *
 * sl_buf_t is a plain struct the caller owns (usually on the stack or inside another
 * struct); it owns its bytes. The contents are always NUL-terminated one past len (when
 * cap > 0), so a buffer holding text can be passed as a C string. Appends that grow the
 * buffer may move p: never keep pointers into it across an append.
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sl_buf {
    char *p;    /* bytes; NULL until the first append */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated (len + 1 <= cap once allocated) */
} sl_buf_t;

#define SL_BUF_INIT {NULL, 0, 0}

/* Ensures room for extra more bytes (plus the terminating NUL). */
void sl_buf_reserve(sl_buf_t *b, size_t extra);
void sl_buf_append(sl_buf_t *b, const void *data, size_t n);
void sl_buf_putc(sl_buf_t *b, char c);
void sl_buf_puts(sl_buf_t *b, const char *s);
void sl_buf_printf(sl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_buf_vprintf(sl_buf_t *b, const char *fmt, va_list ap);
/* Appends the decimal form of v. */
void sl_buf_put_i64(sl_buf_t *b, int64_t v);
void sl_buf_put_u64(sl_buf_t *b, uint64_t v);
/* Appends s as the text of a Prometheus label value (between the quotes, which the caller
 * writes): backslash and double quote get a backslash, a newline becomes \n. */
void sl_buf_prom_label(sl_buf_t *b, const char *s);
/* Appends everything left to read from f (which stays open), or the whole file at path.
 * Returns 0 - b->p is then non-NULL, "" for an empty file - or -1 with errno (EIO for a
 * read error; fopen's for a file that cannot be opened). */
int sl_buf_read_fp(sl_buf_t *b, FILE *f);
int sl_buf_read_file(sl_buf_t *b, const char *path);
/* Empties the buffer, keeping its allocation. */
void sl_buf_reset(sl_buf_t *b);
/* Frees the bytes and leaves an empty buffer. */
void sl_buf_free(sl_buf_t *b);
/* Hands the bytes to the caller (who frees them with sl_free) and leaves an empty buffer. */
char *sl_buf_steal(sl_buf_t *b);

#endif
