/*
 * alloc.h - the one allocator wrapper of sluice.
 *
 * Every heap allocation in sluice goes through these calls. In release builds the process
 * is linked against jemalloc, so they are jemalloc's malloc family; sanitizer builds use the
 * sanitizer's allocator instead. Running out of memory is not an error a caller can handle:
 * the wrappers never return NULL, they report and abort through sl_oom() (Redis' zmalloc
 * policy), so no call site carries a NULL check.
 *
 * Ownership: what sl_malloc/sl_calloc/sl_realloc/sl_strdup return is owned by the caller
 * and released with sl_free(), which accepts NULL.
 */
#ifndef SL_ALLOC_H
#define SL_ALLOC_H

#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t count, size_t size);
/* Like realloc(); the old pointer is invalid afterwards. */
void *sl_realloc(void *p, size_t n);
void sl_free(void *p);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *sl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bytes currently allocated by the process (jemalloc's stats.allocated), or 0 when the
 * allocator does not say (sanitizer builds). Feeds /metrics and the memory benchmarks. */
size_t sl_alloc_used(void);

/* Reports an allocation of n bytes that failed and aborts the process. */
void sl_oom(size_t n) __attribute__((noreturn));

/* Typed helpers: SL_NEW(T) gives one zeroed T, SL_NEWN(T, n) n zeroed Ts. */
#define SL_NEW(T)     ((T *)sl_calloc(1, sizeof(T)))
#define SL_NEWN(T, n) ((T *)sl_calloc((n), sizeof(T)))

#endif
