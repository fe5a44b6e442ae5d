/*
 * batch.c - columnar batches and vectors; see batch.h.
 */
#include "batch.h"

#include "alloc.h"

#include <string.h>

/* Allocates one vector; see batch.h. */
void sl_vec_alloc(sl_vec_t *v, sl_type_t t, size_t cap)
{
    v->type = t;
    size_t w = sl_type_phys(t) == SL_PHYS_STR ? sizeof(sl_str_t) : 8;
    v->v.raw = sl_calloc(cap ? cap : 1, w);
    v->null = sl_calloc(cap ? cap : 1, 1);
}

/* Frees one vector's storage; see batch.h. */
void sl_vec_free(sl_vec_t *v)
{
    if (!v) return;
    sl_free(v->v.raw);
    sl_free(v->null);
    v->v.raw = NULL;
    v->null = NULL;
}

/* New batch; see batch.h. */
sl_batch_t *sl_batch_new(int ncols, const sl_type_t *types, size_t cap)
{
    sl_batch_t *b = SL_NEW(sl_batch_t);
    b->cap = cap;
    b->ncols = ncols;
    b->cols = SL_NEWN(sl_vec_t, ncols ? ncols : 1);
    for (int i = 0; i < ncols; i++) sl_vec_alloc(&b->cols[i], types[i], cap);
    b->rowtime = SL_NEWN(int64_t, cap ? cap : 1);
    b->arena = sl_arena_new(0);
    return b;
}

/* Frees a batch; see batch.h. */
void sl_batch_free(sl_batch_t *b)
{
    if (!b) return;
    for (int i = 0; i < b->ncols; i++) sl_vec_free(&b->cols[i]);
    sl_free(b->cols);
    sl_free(b->rowtime);
    sl_arena_free(b->arena);
    sl_free(b);
}

/* Empties a batch; see batch.h. */
void sl_batch_reset(sl_batch_t *b)
{
    b->n = 0;
    sl_arena_reset(b->arena);
}

/* Copies one row of a vector; see batch.h. */
void sl_vec_copy_row(sl_vec_t *dst, size_t to, const sl_vec_t *src, size_t from,
                     sl_arena_t *arena)
{
    dst->null[to] = src->null[from];
    switch (sl_type_phys(src->type)) {
    case SL_PHYS_I64: dst->v.i[to] = src->v.i[from]; break;
    case SL_PHYS_F64: dst->v.f[to] = src->v.f[from]; break;
    case SL_PHYS_STR: {
        sl_str_t s = src->v.s[from];
        if (arena && s.len && !src->null[from]) {
            char *p = sl_arena_alloc(arena, s.len);
            memcpy(p, s.p, s.len);
            s.p = p;
        }
        dst->v.s[to] = s;
        break;
    }
    }
}
