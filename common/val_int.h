/*
 * val_int.h - private helpers shared by the decoders and encoders of val.h.
 *
 * Not for use outside json.c, cbor.c, enc.c and val.c.
 *
 * Both decoders build containers the same way: while a container is open, its children
 * are pushed onto a scratch stack (sl_vbuild_t) shared by all nesting levels; when it
 * closes, exactly its children are copied into one arena array of the right size and popped.
 * So member arrays are compact, and no allocation is ever sized from a count declared in
 * the input (a CBOR array header can claim 2^64 items; only items actually decoded take
 * memory). The scratch stack starts in storage inside the builder (on the caller's stack)
 * and moves to the heap only for very wide documents; sl_vbuild_done() frees it.
 */
#ifndef SL_VAL_INT_H
#define SL_VAL_INT_H

#include "val.h"

#include <stddef.h>

#define SL_VBUILD_INLINE_ITEMS   512 /* covers a 500-record PutRecords without the heap */
#define SL_VBUILD_INLINE_MEMBERS 128

typedef struct sl_vbuild {
    sl_arena_t *arena;
    sl_val_t **items;      /* pending array elements of all open arrays */
    size_t n_items, cap_items;
    sl_member_t *members;  /* pending members of all open objects */
    size_t n_members, cap_members;
    sl_val_t *items_inline[SL_VBUILD_INLINE_ITEMS];
    sl_member_t members_inline[SL_VBUILD_INLINE_MEMBERS];
} sl_vbuild_t;

/* Prepares b for one decode into arena a. */
void sl_vbuild_init(sl_vbuild_t *b, sl_arena_t *a);
/* Releases any heap storage of b (the decoded tree lives on in the arena). */
void sl_vbuild_done(sl_vbuild_t *b);
/* Grows the item / member stack so that one more entry fits (slow path of the pushes). */
void sl_vbuild_grow_items(sl_vbuild_t *b);
void sl_vbuild_grow_members(sl_vbuild_t *b);

/* Pushes one element of the innermost open array. */
static inline void sl_vbuild_push_item(sl_vbuild_t *b, sl_val_t *v)
{
    if (b->n_items == b->cap_items) sl_vbuild_grow_items(b);
    b->items[b->n_items++] = v;
}

/* Pushes one member of the innermost open object; key must already live in the arena. */
static inline void sl_vbuild_push_member(sl_vbuild_t *b, const char *key, size_t key_len,
                                         sl_val_t *v)
{
    if (b->n_members == b->cap_members) sl_vbuild_grow_members(b);
    sl_member_t *m = &b->members[b->n_members++];
    m->key = key;
    m->key_len = key_len;
    m->val = v;
}

/* Closes the innermost open array whose first element was pushed at index mark: fills
 * v->u.arr with an arena copy of the elements and pops them. */
void sl_vbuild_close_arr(sl_vbuild_t *b, sl_val_t *v, size_t mark);
/* Same for an object whose first member was pushed at index mark. */
void sl_vbuild_close_obj(sl_vbuild_t *b, sl_val_t *v, size_t mark);

/* strtod() in the "C" locale whatever the process locale is: JSON and our own "%e" output
 * always use '.' as the decimal point. */
double sl_val_strtod_c(const char *s, char **end);

/* Formats a finite double in the shortest "%.Ne" form (N = 15..17 significant digits) that
 * reads back as the same value, then rewrites it without an exponent into out, which must
 * hold SL_VAL_DBL_MAX bytes. Returns the length written (no NUL counted; out is
 * NUL-terminated). */
#define SL_VAL_DBL_MAX 352 /* "-0." + 323 zeros + 17 digits, and room to spare */
size_t sl_val_fmt_double(char *out, double d);

#endif
