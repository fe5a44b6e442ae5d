/*
 * appdesc.h - what an application is, apart from its SQL: inputs, outputs, reference data.
 *
 * An application description is the data of KDA's CreateApplication request
 * (ApplicationName, ApplicationCode, Inputs, Outputs, ReferenceDataSources, Tags). Both
 * doors into sluice produce one: `sluice run app.json` / the Kinesis Analytics API parse the
 * JSON (sl_app_desc_from_json), and a self-contained .sql file declares the same things with
 * CREATE INPUT / CREATE REFERENCE TABLE / CREATE OUTPUT statements, which the planner turns
 * into the same struct. The engine then only ever sees an sl_app_desc_t plus code.
 *
 * Streams are named by ARN in KDA ("arn:aws:kinesis:us-east-1:123456789012:stream/ticks");
 * the description keeps the stream name ("ticks"). Reference sources name an object: a file
 * path, an http(s):// URL, or s3://bucket/key (KDA's S3ReferenceDataSource BucketARN +
 * FileKey become "s3://bucket/key").
 *
 * Ownership: an sl_app_desc_t owns everything it points to; sl_app_desc_free() releases it.
 */
#ifndef SL_APPDESC_H
#define SL_APPDESC_H

#include "schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sl_start_pos {
    SL_START_NOW,                /* records arriving after the start */
    SL_START_TRIM_HORIZON,       /* the oldest record kept */
    SL_START_LAST_STOPPED_POINT, /* where the application last stopped (checkpoint) */
    SL_START_AT_TIMESTAMP        /* sluice extension: records arriving at or after a time */
} sl_start_pos_t;

/* KDA's service limits, kept by sl_app_desc_from_json (the API rejects more). */
#define SL_APP_MAX_INPUTS      1      /* streaming sources per application */
#define SL_APP_MAX_OUTPUTS     3      /* destinations per application */
#define SL_APP_MAX_REFS        1      /* reference data sources per application */
#define SL_APP_MAX_COLUMNS     1000   /* RecordColumns per schema */
#define SL_APP_MAX_NAME        32     /* NamePrefix, Output.Name, TableName (InAppStreamName) */
#define SL_APP_MAX_PARALLELISM 64     /* InputParallelism.Count */
#define SL_APP_MAX_CODE        102400 /* ApplicationCode bytes */
#define SL_APP_MAX_APP_NAME    128    /* ApplicationName */
#define SL_APP_MAX_DESCRIPTION 1024   /* ApplicationDescription */
#define SL_APP_MAX_TAGS        50     /* Tags per application */
#define SL_APP_MAX_CWLOGS      1      /* CloudWatchLoggingOptions per application (KDA
                                         documents one) */

/* Where an input's records come from. */
typedef enum sl_source_kind {
    SL_SOURCE_KINESIS, /* KinesisStreamsInput: the embedded store, or `endpoint` */
    SL_SOURCE_FIREHOSE /* KinesisFirehoseInput: kept from KDA descriptions; not supported
                          by sluice (the engine refuses to start it, see
                          sl_app_desc_check_supported) */
} sl_source_kind_t;

/* One streaming input: a source stream feeding in-app stream(s) <name_prefix>_001... */
typedef struct sl_app_input {
    char *id;               /* InputId, "1.1" for the first */
    char *name_prefix;      /* NamePrefix, e.g. "SOURCE_SQL_STREAM" */
    int parallelism;        /* InputParallelism.Count, 1..64 (default 1) */
    char *stream;           /* source stream name (in the embedded store or at endpoint) */
    char *endpoint;         /* Kinesis endpoint URL, or NULL for the embedded store */
    sl_record_schema_t schema;
    sl_start_pos_t start;   /* default NOW (KDA's default at StartApplication) */
    int64_t start_ms;       /* for SL_START_AT_TIMESTAMP */
    sl_source_kind_t source;
    char *processor_arn;    /* InputProcessingConfiguration's Lambda ARN, or NULL; kept,
                               not run by sluice */
} sl_app_input_t;

typedef enum sl_sink_kind {
    SL_SINK_STREAM,  /* a stream of the embedded store (KinesisStreamsOutput) */
    SL_SINK_STDOUT,  /* JSON lines on stdout */
    SL_SINK_FILE,    /* a file: JSON lines or CSV */
    SL_SINK_WEBHOOK, /* HTTP POST of the rows */
    SL_SINK_COMMAND, /* a command run with the rows on stdin */
    SL_SINK_LAMBDA,  /* LambdaOutput: kept from KDA descriptions; not delivered by sluice */
    SL_SINK_FIREHOSE /* KinesisFirehoseOutput: kept from KDA descriptions; not supported */
} sl_sink_kind_t;

/* A key = value option of an output (rate limits, de-duplication, rotation, ...). */
typedef struct sl_app_option {
    char *key;
    char *value;
} sl_app_option_t;

/* One output: rows of an in-app stream delivered to a sink. */
typedef struct sl_app_output {
    char *id;                  /* OutputId, "1.1" for the first */
    char *name;                /* the in-app stream (Output.Name), case-sensitive */
    sl_sink_kind_t kind;
    char *target;              /* stream name, path, URL or command; NULL for stdout */
    sl_record_format_t format; /* DestinationSchema.RecordFormatType */
    sl_app_option_t *options;
    size_t noptions;
    char *endpoint;            /* SL_SINK_STREAM: Kinesis endpoint URL, or NULL (embedded) */
} sl_app_output_t;

/* One reference data source, loaded into a table the SQL can join. */
typedef struct sl_app_ref {
    char *id;         /* ReferenceId, "1.1" for the first */
    char *table_name; /* TableName, as the SQL names it */
    char *source;     /* path, http(s):// URL or s3://bucket/key */
    sl_record_schema_t schema;
} sl_app_ref_t;

/*
 * A CloudWatch logging option: the log stream that receives the application's messages
 * (why it failed or cannot read its input). sluice has no CloudWatch Logs: the runner
 * appends the messages, as JSON lines, to DATA/logs/<group>/<stream>.log (see
 * sl_app_cwlog_path); without a data directory they go to stderr only.
 */
typedef struct sl_app_cwlog {
    char *id;             /* CloudWatchLoggingOptionId, "1.1" for the first */
    char *log_stream_arn; /* arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:STREAM */
    char *role_arn;       /* RoleARN, kept as given */
} sl_app_cwlog_t;

typedef struct sl_app_tag {
    char *key;
    char *value;
} sl_app_tag_t;

/* A whole application description. */
typedef struct sl_app_desc {
    char *name;        /* ApplicationName (may be NULL for a .sql file: the file name) */
    char *description; /* ApplicationDescription or NULL */
    char *code;        /* ApplicationCode: the SQL */
    sl_app_input_t *inputs;
    size_t ninputs;
    sl_app_output_t *outputs;
    size_t noutputs;
    sl_app_ref_t *refs;
    size_t nrefs;
    sl_app_cwlog_t *cwlogs;
    size_t ncwlogs;
    sl_app_tag_t *tags;
    size_t ntags;
} sl_app_desc_t;

/*
 * Reads a KDA CreateApplication request (JSON) into *out. Errors name the field and are
 * worded like the API's InvalidArgumentException / ValidationException messages, e.g.
 * "Inputs[0].InputSchema.RecordColumns[2]: SqlType is required". Returns 0, or -1 with *err
 * (heap string) set and *out left empty.
 */
int sl_app_desc_from_json(const char *text, size_t len, sl_app_desc_t *out, char **err);
/* Writes the description back as a CreateApplication-shaped JSON object. */
struct sl_buf;
void sl_app_desc_to_json(const sl_app_desc_t *d, struct sl_buf *out);
/* Deep copy of src into dst (no validation: a copy of anything a door let in). */
void sl_app_desc_copy(sl_app_desc_t *dst, const sl_app_desc_t *src);
/* Frees everything d owns and zeroes it. NULL is a no-op. */
void sl_app_desc_free(sl_app_desc_t *d);
/*
 * Says whether sluice can run what d describes: returns 0, or -1 with *err (heap string)
 * naming the first part it cannot run, e.g. "Inputs[0].KinesisFirehoseInput: Firehose is
 * not supported by sluice". Parsing accepts these parts so a KDA description can be read,
 * printed and round-tripped; the engine calls this before starting.
 */
int sl_app_desc_check_supported(const sl_app_desc_t *d, char **err);

/*
 * The file that stands for a CloudWatch log stream under data_dir:
 * DATA/logs/<group>/<stream>.log, with every byte of the group and stream names outside
 * [A-Za-z0-9._-], and a leading '.', written as %XX (so "/aws/kda/app" stays one directory
 * and no name can climb out of DATA/logs). Heap string; NULL when arn is not a log stream ARN.
 * *dir_len, when not NULL, gets the length of the directory part.
 */
char *sl_app_cwlog_path(const char *data_dir, const char *arn, size_t *dir_len);

#endif
