/*
 * arena.c - bump allocator; see arena.h.
 *
 * Blocks form a singly linked list, newest first. Allocation bumps a pointer in the newest
 * block; a request that does not fit starts a new block (of block_size, or of the request's
 * size when larger).
 */
#include "arena.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
} block_t;

struct sl_arena {
    block_t *head;
    size_t block_size;
    size_t used; /* bytes handed out since the last reset */
};

static block_t *block_new(size_t size)
{
    block_t *b = sl_malloc(sizeof(block_t) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

sl_arena_t *sl_arena_new(size_t block_size)
{
    sl_arena_t *a = SL_NEW(sl_arena_t);
    a->block_size = block_size ? block_size : 64 * 1024;
    return a;
}

void sl_arena_free(sl_arena_t *a)
{
    if (!a) return;
    block_t *b = a->head;
    while (b) {
        block_t *next = b->next;
        sl_free(b);
        b = next;
    }
    sl_free(a);
}

void sl_arena_reset(sl_arena_t *a)
{
    /* Keep the oldest standard-size block: it is the one a steady workload reuses. */
    block_t *keep = NULL, *b = a->head;
    while (b) {
        block_t *next = b->next;
        if (!keep && b->size == a->block_size) {
            keep = b;
        } else {
            sl_free(b);
        }
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->used = 0;
}

void *sl_arena_alloc(sl_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    block_t *b = a->head;
    if (!b || b->size - b->used < n) {
        if (n > a->block_size / 4) {
            /* A big request gets a block of its own, linked behind the current one so the
             * current block's free space stays usable. */
            block_t *big = block_new(n);
            big->used = n;
            if (b) {
                big->next = b->next;
                b->next = big;
            } else {
                a->head = big;
            }
            a->used += n;
            return big->data;
        }
        b = block_new(a->block_size);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *sl_arena_calloc(sl_arena_t *a, size_t n)
{
    void *p = sl_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *sl_arena_strndup(sl_arena_t *a, const char *s, size_t n)
{
    char *p = sl_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sl_arena_strdup(sl_arena_t *a, const char *s)
{
    return sl_arena_strndup(a, s, strlen(s));
}

char *sl_arena_printf(sl_arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *p = sl_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t sl_arena_used(const sl_arena_t *a)
{
    return a->used;
}
