/*
 * diag.c - the error list of a parse and its rendering as FILE:LINE:COL messages.
 *
 * Errors are collected, not printed: each stage appends to an sl_diag_t and the caller
 * looks at count once the stage is over. Rendering shows the offending source line with a
 * caret under the column, the way compilers do.
 */
#include "parser.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Empties d without freeing anything (for a fresh, zeroed or stack struct). */
void sl_diag_init(sl_diag_t *d)
{
    d->items = NULL;
    d->count = 0;
    d->cap = 0;
}

/* Frees every message and the array; d is empty and reusable afterwards. */
void sl_diag_free(sl_diag_t *d)
{
    if (!d) return;
    for (int i = 0; i < d->count; i++) sl_free(d->items[i].msg);
    sl_free(d->items);
    sl_diag_init(d);
}

/*
 * Records an error at line:col. After SL_DIAG_MAX errors one last "too many errors" entry
 * is kept and later ones are dropped, so a garbage file cannot flood the terminal.
 */
void sl_diag_add(sl_diag_t *d, int line, int col, const char *fmt, ...)
{
    if (d->count > SL_DIAG_MAX) return;
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = sl_realloc(d->items, (size_t)d->cap * sizeof(d->items[0]));
    }
    sl_diag_item_t *it = &d->items[d->count++];
    it->line = line;
    it->col = col;
    if (d->count > SL_DIAG_MAX) {
        it->msg = sl_strdup("too many errors; giving up");
        return;
    }
    sl_buf_t b = SL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    it->msg = b.p ? sl_buf_steal(&b) : sl_strdup("");
}

/* Finds the start and length of 1-based line `line` in text; length 0 if out of range. */
static const char *find_line(const char *text, size_t len, int line, size_t *n)
{
    const char *p = text, *end = text + len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            *n = 0;
            return end;
        }
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *n = (size_t)((nl ? nl : end) - p);
    if (*n && p[*n - 1] == '\r') (*n)--;
    return p;
}

/*
 * Appends every error as "FILE:LINE:COL: error: MSG", the source line, and a caret line
 * whose whitespace copies the tabs of the source line so the caret lands under the column.
 */
void sl_diag_render(const sl_diag_t *d, const char *filename, const char *text, size_t len,
                    sl_buf_t *out)
{
    for (int i = 0; i < d->count; i++) {
        const sl_diag_item_t *it = &d->items[i];
        sl_buf_printf(out, "%s:%d:%d: error: %s\n", filename, it->line, it->col, it->msg);
        size_t n;
        const char *p = find_line(text, len, it->line, &n);
        if (!n) continue;
        for (size_t k = 0; k < n; k++) sl_buf_putc(out, p[k] == '\0' ? ' ' : p[k]);
        sl_buf_putc(out, '\n');
        int col = 1;
        for (size_t k = 0; k < n && col < it->col; k++) {
            unsigned char c = (unsigned char)p[k];
            if ((c & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
            sl_buf_putc(out, c == '\t' ? '\t' : ' ');
            col++;
        }
        sl_buf_puts(out, "^\n");
    }
}
