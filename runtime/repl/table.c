/*
 * table.c - the REPL's aligned tables: a header sized from the columns' types, then one
 * line per row, cells padded to their column (numbers to the right), cut when wider.
 *
 * Live queries print rows as they come, so widths are fixed before the first row: they
 * come from the types (TIMESTAMP 23, INTEGER 11, VARCHAR(n) up to 32, ...), never from the
 * data. Relational results are known whole and pass the widest cell instead.
 */
#include "repl_int.h"

#include "alloc.h"
#include "arena.h"

#include <string.h>

#define MAX_WIDTH 32 /* widest column drawn from a type; longer cells are cut */

sl_repl_table_t *sl_repl_table_new(int ncols, FILE *out)
{
    sl_repl_table_t *t = SL_NEW(sl_repl_table_t);
    t->ncols = ncols;
    t->names = SL_NEWN(char *, ncols ? (size_t)ncols : 1);
    t->width = SL_NEWN(int, ncols ? (size_t)ncols : 1);
    t->right = SL_NEWN(bool, ncols ? (size_t)ncols : 1);
    t->out = out;
    return t;
}

void sl_repl_table_free(sl_repl_table_t *t)
{
    if (!t) return;
    for (int i = 0; i < t->ncols; i++) sl_free(t->names[i]);
    sl_free(t->names);
    sl_free(t->width);
    sl_free(t->right);
    sl_free(t);
}

int sl_repl_text_width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    return w;
}

void sl_repl_table_col(sl_repl_table_t *t, int i, const char *name, int width, bool right)
{
    sl_free(t->names[i]);
    t->names[i] = sl_strdup(name);
    int nw = sl_repl_text_width(name, strlen(name));
    t->width[i] = width > nw ? width : nw;
    if (t->width[i] < 4) t->width[i] = 4; /* room for NULL */
    t->right[i] = right;
}

/* The display width of a value of type ty: the widest text the engine prints for it. */
static int type_width(sl_type_t ty, bool *right)
{
    *right = true;
    switch ((sl_tid_t)ty.id) {
    case SL_T_BOOLEAN: *right = false; return 5;
    case SL_T_TINYINT: return 4;
    case SL_T_SMALLINT: return 6;
    case SL_T_INTEGER: return 11;
    case SL_T_BIGINT: return 20;
    case SL_T_DECIMAL: return ty.prec + 2;
    case SL_T_REAL: return 12;
    case SL_T_DOUBLE: return 16;
    case SL_T_DATE: *right = false; return 10;
    case SL_T_TIME: *right = false; return 12;
    case SL_T_TIMESTAMP: *right = false; return 23;
    case SL_T_CHAR:
    case SL_T_VARCHAR: *right = false; return ty.len > 0 && ty.len < MAX_WIDTH ? ty.len : MAX_WIDTH;
    case SL_T_BINARY:
    case SL_T_VARBINARY:
        *right = false;
        return ty.len > 0 && 2 * ty.len < MAX_WIDTH ? 2 * ty.len : MAX_WIDTH;
    default: *right = false; return 12;
    }
}

void sl_repl_table_col_typed(sl_repl_table_t *t, int i, const char *name, sl_type_t type)
{
    bool right;
    int w = type_width(type, &right);
    sl_repl_table_col(t, i, name, w, right);
}

/* Prints s (n bytes) padded or cut to w display columns. */
static void put_cell(FILE *out, const char *s, size_t n, int w, bool right)
{
    int sw = sl_repl_text_width(s, n);
    if (sw > w) {
        /* Cut on a code point boundary, leaving room for the '~' that marks the cut. */
        int keep = w - 1, seen = 0;
        size_t i = 0;
        while (i < n) {
            if (((unsigned char)s[i] & 0xC0) != 0x80) {
                if (seen == keep) break;
                seen++;
            }
            i++;
        }
        fwrite(s, 1, i, out);
        fputc('~', out);
        return;
    }
    if (right)
        for (int k = sw; k < w; k++) fputc(' ', out);
    fwrite(s, 1, n, out);
    if (!right)
        for (int k = sw; k < w; k++) fputc(' ', out);
}

void sl_repl_table_header(sl_repl_table_t *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i) fputs(" | ", t->out);
        put_cell(t->out, t->names[i], strlen(t->names[i]), t->width[i], false);
    }
    fputc('\n', t->out);
    for (int i = 0; i < t->ncols; i++) {
        if (i) fputs("-+-", t->out);
        for (int k = 0; k < t->width[i]; k++) fputc('-', t->out);
    }
    fputc('\n', t->out);
    fflush(t->out);
}

void sl_repl_table_row(sl_repl_table_t *t, const char *const *cells)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i) fputs(" | ", t->out);
        const char *c = cells[i] ? cells[i] : "NULL";
        put_cell(t->out, c, strlen(c), t->width[i], t->right[i]);
    }
    fputc('\n', t->out);
    fflush(t->out);
    t->rows++;
}

/* Appends the UTF-8 encoding of code point cp. */
static void put_utf8(sl_buf_t *b, unsigned cp)
{
    if (cp < 0x80) {
        sl_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        sl_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sl_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/*
 * Reads a JSON string starting at s[*i] == '"' into b (escapes decoded; a surrogate pair
 * is kept as two replacement-free 3-byte sequences, enough for display). Returns false on
 * malformed input.
 */
static bool scan_string(const char *s, size_t n, size_t *i, sl_buf_t *b)
{
    size_t k = *i + 1;
    while (k < n && s[k] != '"') {
        if (s[k] == '\\' && k + 1 < n) {
            char e = s[k + 1];
            k += 2;
            switch (e) {
            case 'n': sl_buf_putc(b, ' '); break; /* one line per row */
            case 't': sl_buf_putc(b, ' '); break;
            case 'r': break;
            case 'b': case 'f': break;
            case 'u':
                if (k + 4 <= n) {
                    unsigned cp = 0;
                    for (int d = 0; d < 4; d++) {
                        char c = s[k + (size_t)d];
                        cp = cp * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
                    }
                    put_utf8(b, cp);
                    k += 4;
                }
                break;
            default: sl_buf_putc(b, e); break;
            }
        } else {
            sl_buf_putc(b, s[k++]);
        }
    }
    if (k >= n) return false;
    *i = k + 1;
    return true;
}

/*
 * The engine prints each row as one flat JSON object (sink format): keys are column names,
 * values strings, numbers, true/false or null. Numbers are shown as written (no re-format).
 */
void sl_repl_table_json_row(sl_repl_table_t *t, const char *line, size_t len)
{
    char **cells = SL_NEWN(char *, (size_t)t->ncols + 1);
    size_t i = 0;
    while (i < len && line[i] != '{') i++;
    i++;
    sl_buf_t key = SL_BUF_INIT, val = SL_BUF_INIT;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == ',')) i++;
        if (i >= len || line[i] != '"') break;
        sl_buf_reset(&key);
        if (!scan_string(line, len, &i, &key)) break;
        while (i < len && (line[i] == ' ' || line[i] == ':')) i++;
        sl_buf_reset(&val);
        bool null = false;
        if (i < len && line[i] == '"') {
            if (!scan_string(line, len, &i, &val)) break;
        } else {
            size_t st = i;
            while (i < len && line[i] != ',' && line[i] != '}') i++;
            sl_buf_append(&val, line + st, i - st);
            null = val.len == 4 && !memcmp(val.p, "null", 4);
        }
        sl_buf_putc(&key, '\0');
        for (int c = 0; c < t->ncols; c++)
            if (!cells[c] && !strcmp(t->names[c], key.p)) {
                cells[c] = null ? NULL : sl_strndup(val.p ? val.p : "", val.len);
                if (null) cells[c] = sl_strdup("NULL");
                break;
            }
    }
    sl_buf_free(&key);
    sl_buf_free(&val);
    for (int c = 0; c < t->ncols; c++)
        if (!cells[c]) cells[c] = sl_strdup("");
    sl_repl_table_row(t, (const char *const *)cells);
    for (int c = 0; c < t->ncols; c++) sl_free(cells[c]);
    sl_free(cells);
}
