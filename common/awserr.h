/*
 * awserr.h - the error types of the AWS APIs sluice serves, as one X-macro table.
 *
 * An API error is a type name (sent as "__type"), an HTTP status and a message written the
 * way AWS writes it. Code below the API layer (the shard store, later the application
 * manager) reports semantic errors as an sl_awserr_t so the API layer only encodes them.
 */
#ifndef SL_AWSERR_H
#define SL_AWSERR_H

#include "buf.h"

#include <stdarg.h>
#include <stdbool.h>

/*      code                               HTTP status */
#define SL_AWSERR_TABLE(X)                          \
    X(ResourceNotFoundException, 400)               \
    X(ResourceInUseException, 400)                  \
    X(InvalidArgumentException, 400)                \
    X(LimitExceededException, 400)                  \
    X(ProvisionedThroughputExceededException, 400)  \
    X(ExpiredIteratorException, 400)                \
    X(ExpiredNextTokenException, 400)               \
    X(ValidationException, 400)                     \
    X(SerializationException, 400)                  \
    X(UnknownOperationException, 400)               \
    X(MissingAuthenticationTokenException, 400)     \
    X(IncompleteSignatureException, 400)            \
    X(AccessDeniedException, 400)                   \
    X(CodeValidationException, 400)                 \
    X(InvalidApplicationConfigurationException, 400) \
    X(ConcurrentModificationException, 400)         \
    X(UnableToDetectSchemaException, 400)           \
    X(UnsupportedOperationException, 400)           \
    X(TooManyTagsException, 400)                    \
    X(InternalFailure, 500)                         \
    X(ServiceUnavailable, 503)

typedef enum sl_awserr_code {
    SL_AWS_OK = 0,
#define SL_AWSERR_ENUM(name, status) SL_AWS_##name,
    SL_AWSERR_TABLE(SL_AWSERR_ENUM)
#undef SL_AWSERR_ENUM
} sl_awserr_code_t;

typedef struct sl_awserr {
    sl_awserr_code_t code; /* SL_AWS_OK when no error */
    char msg[1024];        /* AWS-worded message */
} sl_awserr_t;

/* Sets the error (code and printf-formatted message); returns -1 so callers can
 * "return sl_awserr_set(err, ...)". */
int sl_awserr_set(sl_awserr_t *e, sl_awserr_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *sl_awserr_name(sl_awserr_code_t code);
int sl_awserr_status(sl_awserr_code_t code);

/*
 * Constraint violations collected while validating one request, reported together as one
 * ValidationException in AWS's words:
 *   "2 validation errors detected: Value 'x y' at 'streamName' failed to satisfy constraint:
 *    Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value null at ..."
 * At most 10 are written out; all are counted. Zero-initialise; free with
 * sl_violations_free().
 */
typedef struct sl_violations {
    sl_buf_t text; /* the messages written so far, joined by "; " */
    int n;         /* violations counted */
} sl_violations_t;

/* Records one violation. value NULL is written as "Value null", anything else quoted. */
void sl_violation_add(sl_violations_t *v, const char *value, const char *member,
                      const char *rule);
/* When violations were recorded, sets err to the ValidationException and returns true. */
bool sl_violations_report(const sl_violations_t *v, sl_awserr_t *err);
void sl_violations_free(sl_violations_t *v);

#endif
