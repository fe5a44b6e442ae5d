/*
 * join.c - joins: stream-stream windowed joins and stream-reference table lookups.
 */
#include "engine_int.h"

#include "alloc.h"

/* Builds a stream-stream join. */
sl_operator_t *sl_join_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    *err = sl_strdup("stream-stream joins are not supported by the runtime yet");
    return NULL;
}

/* Builds a stream-table join. */
sl_operator_t *sl_refjoin_op_new(sl_engine_t *e, const sl_pnode_t *n, char **err)
{
    *err = sl_strdup("reference table joins are not supported by the runtime yet");
    return NULL;
}
