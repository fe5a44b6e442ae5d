/*
 * batch.h - columnar batches: how rows move between the operators of the runtime.
 *
 * A batch holds up to `cap` rows as one typed vector per column, plus the ROWTIME of every
 * row and an arena for the bytes of strings made while filling it. A vector stores values
 * in its physical form (types.h) and a null map of one byte per row (1 = NULL; a byte map
 * is cheaper to test and set in vector loops than bits). Strings are (pointer, length)
 * slices that point into the batch's arena, the decoded record, or another batch that
 * outlives this one (see the lifetime rule below).
 *
 * Lifetime rule of the runtime: a batch pushed to an operator is borrowed for the duration
 * of the push call only. An operator that keeps rows (windows, joins, merges) copies the
 * values it keeps, strings included, into memory it owns.
 *
 * Ownership: sl_batch_new() returns a batch the caller frees with sl_batch_free() (NULL is
 * a no-op); the batch owns its vectors and its arena.
 */
#ifndef SL_BATCH_H
#define SL_BATCH_H

#include "arena.h"
#include "types.h"

#include <stddef.h>
#include <stdint.h>

/* Rows per batch that sources and operators aim for. */
#define SL_BATCH_CAP 1024

/* A string slice. */
typedef struct sl_str {
    const char *p; /* bytes (not NUL-terminated) */
    uint32_t len;  /* byte length */
} sl_str_t;

/* One column of a batch (or one register of an expression program). */
typedef struct sl_vec {
    sl_type_t type; /* logical type; the physical form picks the union member */
    union {
        int64_t *i; /* SL_PHYS_I64 */
        double *f;  /* SL_PHYS_F64 */
        sl_str_t *s; /* SL_PHYS_STR */
        void *raw;
    } v;
    uint8_t *null; /* one byte per row, 1 = NULL */
} sl_vec_t;

/* A batch of rows. */
typedef struct sl_batch {
    size_t n;         /* rows in use */
    size_t cap;       /* rows allocated in every vector */
    int ncols;        /* columns */
    sl_vec_t *cols;   /* ncols vectors of cap rows */
    int64_t *rowtime; /* ROWTIME of each row, epoch ms */
    sl_arena_t *arena; /* bytes of strings made for this batch; reset with the batch */
} sl_batch_t;

/* A batch of `cap` rows with columns of the given types (types copied). */
sl_batch_t *sl_batch_new(int ncols, const sl_type_t *types, size_t cap);
/* Frees the batch, its vectors and its arena. NULL is a no-op. */
void sl_batch_free(sl_batch_t *b);
/* Empties the batch (n = 0) and resets its arena; vectors stay allocated. */
void sl_batch_reset(sl_batch_t *b);

/* Allocates the storage of one vector of cap rows (values and null map, zeroed). */
void sl_vec_alloc(sl_vec_t *v, sl_type_t t, size_t cap);
/* Frees what sl_vec_alloc allocated. */
void sl_vec_free(sl_vec_t *v);
/* Copies row `from` of src into row `to` of dst (same physical form); strings are copied
 * into `arena` when it is not NULL, else the slice is shared. */
void sl_vec_copy_row(sl_vec_t *dst, size_t to, const sl_vec_t *src, size_t from,
                     sl_arena_t *arena);

#endif
