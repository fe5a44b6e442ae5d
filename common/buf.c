/*
 * buf.c - growable byte buffer; see buf.h.
 */
#include "buf.h"

#include "alloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void sl_buf_reserve(sl_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->p = sl_realloc(b->p, cap);
    b->cap = cap;
}

void sl_buf_append(sl_buf_t *b, const void *data, size_t n)
{
    sl_buf_reserve(b, n);
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sl_buf_putc(sl_buf_t *b, char c)
{
    sl_buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void sl_buf_puts(sl_buf_t *b, const char *s)
{
    sl_buf_append(b, s, strlen(s));
}

void sl_buf_vprintf(sl_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    sl_buf_reserve(b, 64);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        sl_buf_reserve(b, (size_t)n);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0) b->len += (size_t)n;
}

void sl_buf_printf(sl_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sl_buf_put_u64(sl_buf_t *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sl_buf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

void sl_buf_put_i64(sl_buf_t *b, int64_t v)
{
    if (v < 0) {
        sl_buf_putc(b, '-');
        sl_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        sl_buf_put_u64(b, (uint64_t)v);
    }
}

void sl_buf_prom_label(sl_buf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            sl_buf_puts(b, "\\n");
            continue;
        }
        if (*s == '\\' || *s == '"') sl_buf_putc(b, '\\');
        sl_buf_putc(b, *s);
    }
}

int sl_buf_read_fp(sl_buf_t *b, FILE *f)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sl_buf_append(b, chunk, n);
    if (ferror(f)) {
        errno = EIO;
        return -1;
    }
    sl_buf_append(b, "", 0); /* allocated, so p is a C string even when nothing was read */
    return 0;
}

int sl_buf_read_file(sl_buf_t *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int rc = sl_buf_read_fp(b, f);
    int saved = errno;
    fclose(f);
    errno = saved;
    return rc;
}

void sl_buf_reset(sl_buf_t *b)
{
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

void sl_buf_free(sl_buf_t *b)
{
    sl_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *sl_buf_steal(sl_buf_t *b)
{
    char *p = b->p ? b->p : sl_strdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}
