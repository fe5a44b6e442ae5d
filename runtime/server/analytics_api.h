/*
 * analytics_api.h - the Kinesis Analytics API (KinesisAnalytics_20150814.*): the daemon's
 * application manager.
 *
 * The manager keeps every application of the daemon: its description (sl_app_desc_t), the
 * ids of its inputs, outputs and reference sources, its version and status, and - while it
 * is RUNNING - its runner (runner.h) following the input from the embedded store. Each
 * application is one row of DATA/applications.db (SQLite, separate from the store's
 * catalog), written in the same step as the change it records, so applications survive a
 * restart; those that were RUNNING when the daemon stopped are started again from
 * LAST_STOPPED_POINT by sl_analytics_resume().
 *
 * Requests are JSON 1.1 or CBOR (by Content-Type), validated as the 2015-08-14 model does
 * (ValidationException texts as the Kinesis API's) and answered in AWS's shapes; semantic
 * errors are the model's: ResourceNotFoundException, ResourceInUseException,
 * InvalidArgumentException, CodeValidationException (the SQL's first error with line and
 * column), ConcurrentModificationException (a stale CurrentApplicationVersionId),
 * InvalidApplicationConfigurationException (an application that cannot start),
 * UnableToDetectSchemaException (DiscoverInputSchema).
 *
 * Threading: one mutex serialises the operations (a start or stop holds it while the runner
 * starts or joins); runners run on their own threads. sl_analytics_metrics() takes it too.
 *
 * Ownership: the manager borrows the store, which must outlive it.
 */
#ifndef SL_ANALYTICS_API_H
#define SL_ANALYTICS_API_H

#include "buf.h"
#include "http.h"
#include "store.h"

/* The X-Amz-Target prefix of this API. */
#define SL_ANALYTICS_TARGET_PREFIX "KinesisAnalytics_20150814."

typedef struct sl_analytics sl_analytics_t;

/* Opens (creating if needed) DATA/applications.db and loads the applications; none is
 * started. NULL with *err (heap) on failure. */
sl_analytics_t *sl_analytics_open(sl_store_t *st, const char *data_dir, char **err);
/* Starts again, from LAST_STOPPED_POINT, every application that was RUNNING when the
 * daemon last stopped. One that fails to start is logged on stderr and left READY. */
void sl_analytics_resume(sl_analytics_t *an);
/* Handles one request whose X-Amz-Target starts with SL_ANALYTICS_TARGET_PREFIX. */
void sl_analytics_handle(sl_analytics_t *an, const sl_http_req_t *req, sl_http_resp_t *resp);
/* Appends the Prometheus text of the applications (status, runner counters) and the
 * streams (open shards) to out. */
void sl_analytics_metrics(sl_analytics_t *an, sl_buf_t *out);
/* Stops every runner (writing its checkpoints; the applications stay RUNNING in the
 * database so the next daemon resumes them) and frees the manager. NULL is a no-op. */
void sl_analytics_close(sl_analytics_t *an);

/* ---- DiscoverInputSchema's inference (discover.c), exposed for tests ---------------------- */

/*
 * Infers a KDA InputSchema from sample records (raw bytes each): JSON when every record is
 * a JSON object (nested objects flattened to two levels, mappings "$.a.b"), else CSV
 * (split on ',' and '\n'). Column names follow KDA: non-identifier characters become '_',
 * reserved words and names not starting with a letter are prefixed "COL_", duplicates get a
 * numeric suffix. Writes the InputSchema object, then ParsedInputRecords and
 * RawInputRecords as members of the object being written by e (the caller opened it).
 * Returns 0, or -1 when no schema can be inferred (no records, no columns).
 */
struct sl_enc;
int sl_analytics_infer_schema(const char *const *recs, const size_t *lens, size_t n,
                              struct sl_enc *e);

#endif
