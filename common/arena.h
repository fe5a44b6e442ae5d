/*
 * arena.h - bump allocation for memory that dies all at once.
 *
 * An arena hands out memory from large blocks and frees it only as a whole, by
 * sl_arena_reset() (keeps the first block for reuse) or sl_arena_free(). It is the
 * lifetime tool of sluice: one arena per request in the API server, one per parse, one per
 * batch in the runtime. Nothing allocated from an arena may be passed to sl_free().
 * An arena is not thread-safe; each thread uses its own.
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <stddef.h>

typedef struct sl_arena sl_arena_t;

/* block_size: size of each block (0 picks 64 KiB); larger requests get their own block. */
sl_arena_t *sl_arena_new(size_t block_size);
void sl_arena_free(sl_arena_t *a);
/* Frees everything allocated so far, keeping one block to reuse. */
void sl_arena_reset(sl_arena_t *a);
/* n bytes aligned to 16; never NULL. */
void *sl_arena_alloc(sl_arena_t *a, size_t n);
/* n zeroed bytes. */
void *sl_arena_calloc(sl_arena_t *a, size_t n);
char *sl_arena_strndup(sl_arena_t *a, const char *s, size_t n);
char *sl_arena_strdup(sl_arena_t *a, const char *s);
char *sl_arena_printf(sl_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out since the last reset (for accounting). */
size_t sl_arena_used(const sl_arena_t *a);

#define SL_ANEW(a, T)     ((T *)sl_arena_calloc((a), sizeof(T)))
#define SL_ANEWN(a, T, n) ((T *)sl_arena_calloc((a), sizeof(T) * (n)))

#endif
