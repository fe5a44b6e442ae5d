/*
 * expr.h - bound expressions compiled to flat step programs, evaluated a vector at a time.
 *
 * sl_prog_new() compiles one or more expression trees (the filter and projections of a MAP,
 * the keys and arguments of a window) into a single program: an array of steps, each
 * reading and writing registers that hold whole vectors (SL_BATCH_CAP rows). Column
 * references and ROWTIME are registers that alias the input batch's vectors (no copy);
 * constants are registers filled once at compile time. sl_prog_eval() runs every step over
 * the batch's rows, one tight loop per step - no tree walk, no allocation per row (strings
 * made by CAST or || go to the program's arena, reset at each evaluation).
 *
 * Row errors (division by zero, a failed CAST, a bad STEP width) do not stop evaluation:
 * the row's null byte becomes SL_NULL_ERROR (2) instead of 1, which every step propagates
 * (an error dominates NULL), and sl_prog_error() gives the first message. The MAP operator
 * then sends such rows to error_stream and keeps the others. A CASE branch that is not
 * taken does not leak its errors (only the taken branch's bytes are copied).
 *
 * Ownership: the program copies nothing from the expressions it compiles except constants;
 * result vectors belong to the program and are valid until the next sl_prog_eval().
 */
#ifndef SL_EXPR_H
#define SL_EXPR_H

#include "batch.h"
#include "plan.h"

/* Null-map byte of a row whose value could not be computed. */
#define SL_NULL_ERROR 2

typedef struct sl_prog sl_prog_t;

/* Compiles n expressions over input columns of the given types. */
sl_prog_t *sl_prog_new(sl_expr_t *const *exprs, int n, const sl_pcol_t *in_cols, int in_ncols);
/* Frees a program. NULL is a no-op. */
void sl_prog_free(sl_prog_t *p);
/* Evaluates every expression over the in->n rows of in. */
void sl_prog_eval(sl_prog_t *p, const sl_batch_t *in);
/* The result of expression i of the last evaluation. */
const sl_vec_t *sl_prog_result(const sl_prog_t *p, int i);
/* The first row error's message of the last evaluation, or NULL. */
const char *sl_prog_error(const sl_prog_t *p);
/* The error's ERROR_NAME (KDA-style, e.g. "DivisionByZero"), or NULL. */
const char *sl_prog_error_name(const sl_prog_t *p);
/* The message (and *name, when name is not NULL) of the first error of row `row` of the
 * last evaluation; the evaluation's first error when the row has none of its own. */
const char *sl_prog_row_error(const sl_prog_t *p, size_t row, const char **name);

/* Appends the text form of a value (as CAST to VARCHAR writes it) to out. */
struct sl_buf;
void sl_value_text(struct sl_buf *out, const sl_vec_t *v, size_t row);
/* Appends the JSON form of a value (numbers bare, the rest quoted, NULL as null). */
void sl_value_json(struct sl_buf *out, const sl_vec_t *v, size_t row);
/* Parses text into row `row` of v (of v's type); false when it does not convert. Strings
 * are copied into arena. Used by CAST and by the record decoders. */
bool sl_value_parse(sl_vec_t *v, size_t row, const char *s, size_t n, sl_arena_t *arena);

#endif
