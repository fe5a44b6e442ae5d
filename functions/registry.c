/*
 * registry.c - the table of functions built from fnlist.h, and lookup by name.
 */
#include "registry.h"

#include <string.h>

static const sl_fn_def_t fn_table[] = {
#define SL_FN_ROW(NAME, kind, mina, maxa, rule, kernel, agg) \
    {#NAME, kind, mina, maxa, rule, kernel, agg},
    SL_FUNCTIONS(SL_FN_ROW)
#undef SL_FN_ROW
};

/* Finds an entry by upper-case name (a linear scan: the table is small and lookups happen
 * at plan time only). */
const sl_fn_def_t *sl_fn_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof fn_table / sizeof fn_table[0]; i++)
        if (!strcmp(fn_table[i].name, name)) return &fn_table[i];
    return NULL;
}

/* The whole table. */
const sl_fn_def_t *sl_fn_table(size_t *n)
{
    *n = sizeof fn_table / sizeof fn_table[0];
    return fn_table;
}
