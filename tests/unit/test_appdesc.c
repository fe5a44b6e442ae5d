/*
 * test_appdesc.c - unit tests for runtime/app/appdesc.h: reading KDA CreateApplication
 * JSON, every validation error with its message, the sluice extensions, the support check,
 * and the to_json -> from_json round trip.
 *
 * The full example has the shape of the stock ticker application of the KDA developer
 * guide (JSON source stream -> in-app SOURCE_SQL_STREAM_001 -> DESTINATION_SQL_STREAM ->
 * a destination stream); the field names and limits come from the kinesisanalytics
 * 2015-08-14 API model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "appdesc.h"
#include "buf.h"
#include "val.h"

#include <stdio.h>
#include <string.h>

#define ROLE "\"RoleARN\":\"arn:aws:iam::123456789012:role/service-role/kinesis-analytics-app\""
#define IN_ARN                                                                                     \
    "\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/ExampleInputStream\""
#define OUT_ARN                                                                                    \
    "\"ResourceARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/ExampleOutputStream\""
#define KS_IN  "\"KinesisStreamsInput\":{" IN_ARN "," ROLE "}"
#define KS_OUT "\"KinesisStreamsOutput\":{" OUT_ARN "," ROLE "}"
#define JSON_FMT                                                                                   \
    "\"RecordFormat\":{\"RecordFormatType\":\"JSON\",\"MappingParameters\":{"                      \
    "\"JSONMappingParameters\":{\"RecordRowPath\":\"$\"}}}"
#define ONE_COL "\"RecordColumns\":[{\"Name\":\"A\",\"SqlType\":\"INTEGER\",\"Mapping\":\"$.a\"}]"
#define SCHEMA  "\"InputSchema\":{" JSON_FMT "," ONE_COL "}"
#define INPUT   "{\"NamePrefix\":\"SOURCE_SQL_STREAM\"," KS_IN "," SCHEMA "}"
#define OUTPUT                                                                                     \
    "{\"Name\":\"DEST\"," KS_OUT ",\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"
#define REF_SCHEMA                                                                                 \
    "\"ReferenceSchema\":{\"RecordFormat\":{\"RecordFormatType\":\"CSV\"}," ONE_COL "}"
#define S3_REF                                                                                     \
    "\"S3ReferenceDataSource\":{\"BucketARN\":\"arn:aws:s3:::my-bucket\",\"FileKey\":\"ref/"       \
    "companies.csv\",\"ReferenceRoleARN\":\"arn:aws:iam::123456789012:role/r\"}"

/* The stock ticker application as a CreateApplication request. */
static const char *stock_app =
    "{\n"
    "  \"ApplicationName\": \"stock-ticker-app\",\n"
    "  \"ApplicationDescription\": \"Filters tech stocks\",\n"
    "  \"ApplicationCode\": \"CREATE OR REPLACE STREAM \\\"DESTINATION_SQL_STREAM\\\" "
    "(ticker_symbol VARCHAR(4), "
    "sector VARCHAR(12), change DOUBLE, price DOUBLE); CREATE OR REPLACE PUMP \\\"STREAM_PUMP\\\" "
    "AS INSERT INTO "
    "\\\"DESTINATION_SQL_STREAM\\\" SELECT STREAM ticker_symbol, sector, change, price FROM "
    "\\\"SOURCE_SQL_STREAM_001\\\" WHERE sector SIMILAR TO '%TECH%';\",\n"
    "  \"Inputs\": [{\n"
    "    \"NamePrefix\": \"SOURCE_SQL_STREAM\",\n"
    "    " KS_IN ",\n"
    "    \"InputParallelism\": {\"Count\": 1},\n"
    "    \"InputSchema\": {\n"
    "      " JSON_FMT ",\n"
    "      \"RecordEncoding\": \"UTF-8\",\n"
    "      \"RecordColumns\": [\n"
    "        {\"Name\": \"TICKER_SYMBOL\", \"Mapping\": \"$.TICKER_SYMBOL\", \"SqlType\": "
    "\"VARCHAR(4)\"},\n"
    "        {\"Name\": \"SECTOR\", \"Mapping\": \"$.SECTOR\", \"SqlType\": \"VARCHAR(16)\"},\n"
    "        {\"Name\": \"CHANGE\", \"Mapping\": \"$.CHANGE\", \"SqlType\": \"REAL\"},\n"
    "        {\"Name\": \"PRICE\", \"Mapping\": \"$.PRICE\", \"SqlType\": \"REAL\"}\n"
    "      ]\n"
    "    }\n"
    "  }],\n"
    "  \"Outputs\": [{\n"
    "    \"Name\": \"DESTINATION_SQL_STREAM\",\n"
    "    " KS_OUT ",\n"
    "    \"DestinationSchema\": {\"RecordFormatType\": \"JSON\"}\n"
    "  }],\n"
    "  \"Tags\": [{\"Key\": \"team\", \"Value\": \"analytics\"}]\n"
    "}\n";

/* Parses text and fails the test with the error when it does not parse. */
static void parse_ok(const char *text, sl_app_desc_t *d)
{
    char *err = NULL;
    if (sl_app_desc_from_json(text, strlen(text), d, &err) != 0)
        fail_msg("unexpected error: %s", err);
}

/* Parses text and expects exactly the error want. */
static void parse_err(const char *text, const char *want)
{
    sl_app_desc_t d;
    char *err = NULL;
    if (sl_app_desc_from_json(text, strlen(text), &d, &err) == 0)
        fail_msg("parsed, expected: %s\n%s", want, text);
    if (strcmp(err, want) != 0) fail_msg("got:  %s\nwant: %s", err, want);
    assert_null(d.inputs);
    assert_null(d.name);
    sl_free(err);
}

static void test_stock_ticker(void **state)
{
    sl_app_desc_t d;
    parse_ok(stock_app, &d);
    assert_string_equal(d.name, "stock-ticker-app");
    assert_string_equal(d.description, "Filters tech stocks");
    assert_non_null(strstr(d.code, "SIMILAR TO '%TECH%'"));
    assert_int_equal(d.ninputs, 1);
    sl_app_input_t *in = &d.inputs[0];
    assert_string_equal(in->id, "1.1");
    assert_string_equal(in->name_prefix, "SOURCE_SQL_STREAM");
    assert_string_equal(in->stream, "ExampleInputStream");
    assert_null(in->endpoint);
    assert_int_equal(in->source, SL_SOURCE_KINESIS);
    assert_int_equal(in->parallelism, 1);
    assert_int_equal(in->start, SL_START_NOW);
    assert_int_equal(in->schema.format, SL_FORMAT_JSON);
    assert_string_equal(in->schema.row_path, "$");
    assert_string_equal(in->schema.encoding, "UTF-8");
    assert_int_equal(in->schema.ncols, 4);
    assert_string_equal(in->schema.cols[0].name, "TICKER_SYMBOL");
    assert_string_equal(in->schema.cols[0].mapping, "$.TICKER_SYMBOL");
    assert_string_equal(in->schema.cols[3].sql_type, "REAL");
    assert_int_equal(d.noutputs, 1);
    assert_string_equal(d.outputs[0].id, "1.1");
    assert_string_equal(d.outputs[0].name, "DESTINATION_SQL_STREAM");
    assert_int_equal(d.outputs[0].kind, SL_SINK_STREAM);
    assert_string_equal(d.outputs[0].target, "ExampleOutputStream");
    assert_int_equal(d.outputs[0].format, SL_FORMAT_JSON);
    assert_int_equal(d.nrefs, 0);
    assert_int_equal(d.ntags, 1);
    assert_string_equal(d.tags[0].key, "team");
    assert_string_equal(d.tags[0].value, "analytics");
    char *err = NULL;
    assert_int_equal(sl_app_desc_check_supported(&d, &err), 0);
    sl_app_desc_free(&d);
    assert_null(d.name);
    sl_app_desc_free(&d); /* twice is harmless */
    sl_app_desc_free(NULL);
}

static void test_csv_input_and_extensions(void **state)
{
    const char *text =
        "{\"ApplicationName\":\"csv_app.v2\","
        "\"Inputs\":[{\"NamePrefix\":\"LOGS\"," KS_IN ",\"InputParallelism\":{\"Count\":4},"
        "\"sluice:Endpoint\":\"http://"
        "127.0.0.1:4567\",\"sluice:StartingPosition\":\"AT_TIMESTAMP\","
        "\"sluice:StartingTimestamp\":1700000000.5,"
        "\"InputSchema\":{\"RecordFormat\":{\"RecordFormatType\":\"CSV\",\"MappingParameters\":{"
        "\"CSVMappingParameters\":{\"RecordRowDelimiter\":\"\\n\",\"RecordColumnDelimiter\":\"|\"}}"
        "},"
        "\"RecordColumns\":[{\"Name\":\"HOST\",\"SqlType\":\"VARCHAR(64)\",\"Mapping\":\"ignored\"}"
        ","
        "{\"Name\":\"BYTES\",\"SqlType\":\"BIGINT\"}]}}],"
        "\"Outputs\":["
        "{\"Name\":\"TOP\",\"sluice:Sink\":{\"Kind\":\"FILE\",\"Target\":\"/tmp/"
        "top.csv\",\"Options\":"
        "{\"rotate_mb\":64,\"fsync\":true,\"mode\":\"append\"}},\"DestinationSchema\":{"
        "\"RecordFormatType\":\"CSV\"}},"
        "{\"Name\":\"ALERTS\",\"sluice:Sink\":{\"Kind\":\"WEBHOOK\",\"Target\":\"https://"
        "hooks.example/x\"},"
        "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}},"
        "{\"Name\":\"ALL\",\"sluice:Sink\":{\"Kind\":\"STDOUT\"},\"DestinationSchema\":{"
        "\"RecordFormatType\":\"JSON\"}}"
        "]}";
    sl_app_desc_t d;
    parse_ok(text, &d);
    sl_app_input_t *in = &d.inputs[0];
    assert_null(d.code);
    assert_int_equal(in->parallelism, 4);
    assert_string_equal(in->endpoint, "http://127.0.0.1:4567");
    assert_int_equal(in->start, SL_START_AT_TIMESTAMP);
    assert_int_equal(in->start_ms, 1700000000500);
    assert_int_equal(in->schema.format, SL_FORMAT_CSV);
    assert_string_equal(in->schema.row_delim, "\n");
    assert_string_equal(in->schema.col_delim, "|");
    assert_null(in->schema.cols[0].mapping); /* CSV maps by position */
    assert_int_equal(d.noutputs, 3);
    sl_app_output_t *o = &d.outputs[0];
    assert_int_equal(o->kind, SL_SINK_FILE);
    assert_string_equal(o->target, "/tmp/top.csv");
    assert_int_equal(o->format, SL_FORMAT_CSV);
    assert_int_equal(o->noptions, 3);
    assert_string_equal(o->options[0].key, "rotate_mb");
    assert_string_equal(o->options[0].value, "64");
    assert_string_equal(o->options[1].value, "true");
    assert_string_equal(o->options[2].value, "append");
    assert_int_equal(d.outputs[1].kind, SL_SINK_WEBHOOK);
    assert_string_equal(d.outputs[2].id, "3.1");
    assert_int_equal(d.outputs[2].kind, SL_SINK_STDOUT);
    assert_null(d.outputs[2].target);
    sl_app_desc_free(&d);

    /* a JSON column without a Mapping reads the member of its name */
    parse_ok("{\"ApplicationName\":\"a\",\"Inputs\":[{\"NamePrefix\":\"S\"," KS_IN
             ",\"InputSchema\":{" JSON_FMT
             ",\"RecordColumns\":[{\"Name\":\"price\",\"SqlType\":\"DOUBLE\"}]}}]}",
             &d);
    assert_string_equal(d.inputs[0].schema.cols[0].mapping, "$.price");
    sl_app_desc_free(&d);
}

static void test_reference_sources(void **state)
{
    sl_app_desc_t d;
    parse_ok(
        "{\"ApplicationName\":\"a\",\"ReferenceDataSources\":[{\"TableName\":\"COMPANY\"," S3_REF
        "," REF_SCHEMA "}]}",
        &d);
    assert_int_equal(d.nrefs, 1);
    assert_string_equal(d.refs[0].id, "1.1");
    assert_string_equal(d.refs[0].table_name, "COMPANY");
    assert_string_equal(d.refs[0].source, "s3://my-bucket/ref/companies.csv");
    assert_int_equal(d.refs[0].schema.format, SL_FORMAT_CSV);
    assert_string_equal(d.refs[0].schema.row_delim, "\n");
    assert_string_equal(d.refs[0].schema.col_delim, ",");
    sl_app_desc_free(&d);
    parse_ok("{\"ApplicationName\":\"a\",\"ReferenceDataSources\":[{\"TableName\":\"C\",\"sluice:"
             "Source\":"
             "\"https://example.com/c.csv\"," REF_SCHEMA "}]}",
             &d);
    assert_string_equal(d.refs[0].source, "https://example.com/c.csv");
    sl_app_desc_free(&d);
}

static void test_firehose_and_lambda_marked(void **state)
{
    sl_app_desc_t d;
    char *err = NULL;
    parse_ok("{\"ApplicationName\":\"a\",\"Inputs\":[{\"NamePrefix\":\"S\","
             "\"KinesisFirehoseInput\":{\"ResourceARN\":"
             "\"arn:aws:firehose:us-east-1:123456789012:deliverystream/hose\"," ROLE "}," SCHEMA
             "}]}",
             &d);
    assert_int_equal(d.inputs[0].source, SL_SOURCE_FIREHOSE);
    assert_string_equal(d.inputs[0].stream, "hose");
    assert_int_equal(sl_app_desc_check_supported(&d, &err), -1);
    assert_string_equal(err, "Inputs[0].KinesisFirehoseInput: Firehose is not supported by sluice; "
                             "use KinesisStreamsInput");
    sl_free(err);
    sl_app_desc_free(&d);

    parse_ok("{\"ApplicationName\":\"a\",\"Outputs\":[" OUTPUT
             ",{\"Name\":\"F\",\"KinesisFirehoseOutput\":{"
             "\"ResourceARN\":\"arn:aws:firehose:us-east-1:123456789012:deliverystream/out\"," ROLE
             "},"
             "\"DestinationSchema\":{\"RecordFormatType\":\"CSV\"}}]}",
             &d);
    assert_int_equal(d.outputs[1].kind, SL_SINK_FIREHOSE);
    assert_int_equal(sl_app_desc_check_supported(&d, &err), -1);
    assert_string_equal(
        err, "Outputs[1].KinesisFirehoseOutput: Firehose is not supported by sluice; use "
             "KinesisStreamsOutput or a sluice:Sink");
    sl_free(err);
    sl_app_desc_free(&d);

    parse_ok(
        "{\"ApplicationName\":\"a\",\"Outputs\":[{\"Name\":\"L\",\"LambdaOutput\":{\"ResourceARN\":"
        "\"arn:aws:lambda:us-east-1:123456789012:function:fn\"," ROLE "},"
        "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}]}",
        &d);
    assert_int_equal(d.outputs[0].kind, SL_SINK_LAMBDA);
    assert_string_equal(d.outputs[0].target, "arn:aws:lambda:us-east-1:123456789012:function:fn");
    assert_int_equal(sl_app_desc_check_supported(&d, &err), -1);
    assert_non_null(strstr(err, "Outputs[0].LambdaOutput: Lambda outputs are not supported"));
    sl_free(err);
    sl_app_desc_free(&d);

    parse_ok("{\"ApplicationName\":\"a\",\"Inputs\":[{\"NamePrefix\":\"S\"," KS_IN
             ",\"InputProcessingConfiguration\":"
             "{\"InputLambdaProcessor\":{\"ResourceARN\":\"arn:aws:lambda:us-east-1:123456789012:"
             "function:pre\"," ROLE "}}," SCHEMA "}]}",
             &d);
    assert_string_equal(d.inputs[0].processor_arn,
                        "arn:aws:lambda:us-east-1:123456789012:function:pre");
    assert_int_equal(sl_app_desc_check_supported(&d, &err), -1);
    assert_non_null(strstr(err, "Inputs[0].InputProcessingConfiguration: Lambda preprocessing"));
    sl_free(err);
    sl_app_desc_free(&d);
}

/* Every validation error and its exact message. */
static void test_errors(void **state)
{
#define APP(rest)      "{\"ApplicationName\":\"a\"" rest "}"
#define WITH_INPUT(in) APP(",\"Inputs\":[" in "]")
#define IN_SCHEMA(s)   WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN ",\"InputSchema\":{" s "}}")
#define IN_COLS(cols)  IN_SCHEMA(JSON_FMT ",\"RecordColumns\":[" cols "]")
#define WITH_OUTPUT(o) APP(",\"Outputs\":[" o "]")
#define WITH_REF(r)    APP(",\"ReferenceDataSources\":[" r "]")
    /* the document */
    parse_err("{", "not valid JSON: offset 1: expected string key");
    parse_err("[]", "expected a JSON object (a CreateApplication request), got array");
    parse_err("{}", "ApplicationName is required");
    parse_err("{\"ApplicationName\":5}", "ApplicationName: expected a string, got number");
    parse_err("{\"ApplicationName\":\"\"}",
              "ApplicationName: must have length greater than or equal to 1");
    parse_err("{\"ApplicationName\":\"my app\"}",
              "ApplicationName: must match [a-zA-Z0-9_.-]+; got 'my app'");
    parse_err(APP(",\"sluice:Bogus\":1"), "sluice:Bogus: unknown sluice extension");
    parse_err(APP(",\"Inputs\":{}"), "Inputs: expected an array, got object");
    parse_err(APP(",\"Inputs\":[" INPUT "," INPUT "]"),
              "Inputs: at most 1 allowed by the service limits; got 2");
    parse_err(APP(",\"Outputs\":[" OUTPUT "," OUTPUT "," OUTPUT "," OUTPUT "]"),
              "Outputs: at most 3 allowed by the service limits; got 4");
    parse_err(APP(",\"Tags\":[]"), "Tags: must have at least 1 tag when given");
    parse_err(APP(",\"Tags\":[{\"Value\":\"v\"}]"), "Tags[0]: Key is required");
    parse_err(APP(",\"Tags\":[{\"Key\":\"k\"},{\"Key\":\"k\"}]"),
              "Tags[1].Key: duplicate tag key 'k'");
    {
        /* ApplicationCode over 100 KB */
        size_t n = SL_APP_MAX_CODE + 1;
        char *code = sl_malloc(n + 1);
        memset(code, 'x', n);
        code[n] = 0;
        char *text = sl_asprintf("{\"ApplicationName\":\"a\",\"ApplicationCode\":\"%s\"}", code);
        parse_err(text, "ApplicationCode: must have length less than or equal to 102400");
        sl_free(text);
        sl_free(code);
    }

    /* inputs */
    parse_err(WITH_INPUT("7"), "Inputs[0]: expected an object, got number");
    parse_err(WITH_INPUT("{" KS_IN "," SCHEMA "}"), "Inputs[0]: NamePrefix is required");
    parse_err(
        WITH_INPUT("{\"NamePrefix\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"," KS_IN "," SCHEMA "}"),
        "Inputs[0].NamePrefix: must have length less than or equal to 32");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," SCHEMA "}"),
              "Inputs[0]: KinesisStreamsInput or KinesisFirehoseInput is required");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN ",\"KinesisFirehoseInput\":{}," SCHEMA "}"),
              "Inputs[0]: give one of KinesisStreamsInput, KinesisFirehoseInput, not both");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\",\"KinesisStreamsInput\":{" ROLE "}," SCHEMA "}"),
              "Inputs[0].KinesisStreamsInput: ResourceARN is required");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\",\"KinesisStreamsInput\":{" IN_ARN "}," SCHEMA "}"),
              "Inputs[0].KinesisStreamsInput: RoleARN is required");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\",\"KinesisStreamsInput\":{\"ResourceARN\":"
                         "\"arn:aws:sqs:us-east-1:123456789012:stream/x\"," ROLE "}," SCHEMA "}"),
              "Inputs[0].KinesisStreamsInput.ResourceARN: expected "
              "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME, got "
              "'arn:aws:sqs:us-east-1:123456789012:stream/x'");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\",\"KinesisStreamsInput\":{\"ResourceARN\":"
                         "\"arn:aws:kinesis:us-east-1:123456789012:stream/bad name\"," ROLE
                         "}," SCHEMA "}"),
              "Inputs[0].KinesisStreamsInput.ResourceARN: 'bad name' is not a valid stream name");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\",\"KinesisStreamsInput\":{" IN_ARN
                         ",\"RoleARN\":\"arn:aws:iam::12345:role/r\"}," SCHEMA "}"),
              "Inputs[0].KinesisStreamsInput.RoleARN: expected arn:aws:iam::ACCOUNT:role/NAME, got "
              "'arn:aws:iam::12345:role/r'");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN
                         ",\"InputParallelism\":{\"Count\":65}," SCHEMA "}"),
              "Inputs[0].InputParallelism.Count: must be between 1 and 64; got 65");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN
                         ",\"InputParallelism\":{\"Count\":1.5}," SCHEMA "}"),
              "Inputs[0].InputParallelism.Count: expected an integer");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN
                         ",\"InputProcessingConfiguration\":{}," SCHEMA "}"),
              "Inputs[0].InputProcessingConfiguration: InputLambdaProcessor is required");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN "}"), "Inputs[0]: InputSchema is required");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN
                         ",\"sluice:Endpoint\":\"localhost:4567\"," SCHEMA "}"),
              "Inputs[0].sluice:Endpoint: expected an http:// or https:// URL");
    parse_err(
        WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN ",\"sluice:Endpont\":\"http://x\"," SCHEMA "}"),
        "Inputs[0].sluice:Endpont: unknown sluice extension");
    parse_err(
        WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN ",\"sluice:StartingPosition\":\"LATEST\"," SCHEMA
                   "}"),
        "Inputs[0].sluice:StartingPosition: must be one of NOW, TRIM_HORIZON, LAST_STOPPED_POINT, "
        "AT_TIMESTAMP; got 'LATEST'");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN
                         ",\"sluice:StartingPosition\":\"AT_TIMESTAMP\"," SCHEMA "}"),
              "Inputs[0]: sluice:StartingTimestamp (epoch seconds) is required with AT_TIMESTAMP");
    parse_err(WITH_INPUT("{\"NamePrefix\":\"S\"," KS_IN ",\"sluice:StartingPosition\":\"NOW\","
                         "\"sluice:StartingTimestamp\":1," SCHEMA "}"),
              "Inputs[0].sluice:StartingTimestamp: only applies to AT_TIMESTAMP");

    /* schemas */
    parse_err(IN_SCHEMA(ONE_COL), "Inputs[0].InputSchema: RecordFormat is required");
    parse_err(IN_SCHEMA("\"RecordFormat\":{}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat: RecordFormatType is required");
    parse_err(
        IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"XML\"}," ONE_COL),
        "Inputs[0].InputSchema.RecordFormat.RecordFormatType: must be one of JSON, CSV; got 'XML'");
    parse_err(IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"JSON\",\"MappingParameters\":{"
                        "\"CSVMappingParameters\":{\"RecordRowDelimiter\":\"\\n\","
                        "\"RecordColumnDelimiter\":\",\"}}}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat.MappingParameters.CSVMappingParameters: does not "
              "apply to "
              "RecordFormatType JSON");
    parse_err(IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"CSV\",\"MappingParameters\":{"
                        "\"CSVMappingParameters\":{\"RecordRowDelimiter\":\"\\n\"}}}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat.MappingParameters.CSVMappingParameters: "
              "RecordColumnDelimiter is "
              "required");
    parse_err(IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"CSV\",\"MappingParameters\":{"
                        "\"CSVMappingParameters\":{\"RecordRowDelimiter\":\"\","
                        "\"RecordColumnDelimiter\":\",\"}}}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat.MappingParameters.CSVMappingParameters."
              "RecordRowDelimiter: must have "
              "length greater than or equal to 1");
    parse_err(IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"CSV\",\"MappingParameters\":{"
                        "\"CSVMappingParameters\":{\"RecordRowDelimiter\":\",\","
                        "\"RecordColumnDelimiter\":\",\"}}}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat.MappingParameters.CSVMappingParameters: "
              "RecordRowDelimiter and "
              "RecordColumnDelimiter must differ");
    parse_err(IN_SCHEMA("\"RecordFormat\":{\"RecordFormatType\":\"JSON\",\"MappingParameters\":{"
                        "\"JSONMappingParameters\":{\"RecordRowPath\":\"data\"}}}," ONE_COL),
              "Inputs[0].InputSchema.RecordFormat.MappingParameters.JSONMappingParameters."
              "RecordRowPath: must be a "
              "JSONPath starting with '$'");
    parse_err(IN_SCHEMA(JSON_FMT ",\"RecordEncoding\":\"UTF-16\"," ONE_COL),
              "Inputs[0].InputSchema.RecordEncoding: must be UTF-8; got 'UTF-16'");
    parse_err(IN_SCHEMA(JSON_FMT), "Inputs[0].InputSchema: RecordColumns is required");
    parse_err(IN_COLS(""), "Inputs[0].InputSchema.RecordColumns: must have at least 1 column");
    parse_err(IN_COLS("{\"SqlType\":\"INT\"}"),
              "Inputs[0].InputSchema.RecordColumns[0]: Name is required");
    parse_err(IN_COLS("{\"Name\":\"a\",\"SqlType\":\"INT\"},{\"Name\":\"b\",\"SqlType\":\"INT\"},{"
                      "\"Name\":\"c\"}"),
              "Inputs[0].InputSchema.RecordColumns[2]: SqlType is required");
    parse_err(IN_COLS("{\"Name\":\"a\",\"SqlType\":\"\"}"),
              "Inputs[0].InputSchema.RecordColumns[0].SqlType: must have length greater than or "
              "equal to 1");
    parse_err(
        IN_COLS(
            "{\"Name\":\"a\",\"SqlType\":\"INT\"},{\"Name\":\"b\",\"SqlType\":\"VARCHAR2(4)\"}"),
        "Inputs[0].InputSchema.RecordColumns[1].SqlType: unknown SQL type: 'VARCHAR2(4)'");
    parse_err(IN_COLS("{\"Name\":\"a\",\"SqlType\":\"DECIMAL(30,2)\"}"),
              "Inputs[0].InputSchema.RecordColumns[0].SqlType: DECIMAL precision must be between 1 "
              "and 18: "
              "'DECIMAL(30,2)'");
    parse_err(IN_COLS("{\"Name\":\"a\",\"SqlType\":\"INT\",\"Mapping\":\"a.b\"}"),
              "Inputs[0].InputSchema.RecordColumns[0].Mapping: must be a JSONPath starting with "
              "'$'; got 'a.b'");
    parse_err(IN_COLS("{\"Name\":\"a\",\"SqlType\":\"INT\"},{\"Name\":\"a\",\"SqlType\":\"INT\"}"),
              "Inputs[0].InputSchema.RecordColumns[1].Name: duplicate column name 'a' (also "
              "RecordColumns[0])");
    parse_err(IN_COLS("\"a\""),
              "Inputs[0].InputSchema.RecordColumns[0]: expected an object, got string");
    {
        /* 1001 columns */
        sl_buf_t b = SL_BUF_INIT;
        sl_buf_puts(&b, "{\"ApplicationName\":\"a\",\"Inputs\":[{\"NamePrefix\":\"S\"," KS_IN
                        ",\"InputSchema\":{" JSON_FMT ",\"RecordColumns\":[");
        for (int i = 0; i <= SL_APP_MAX_COLUMNS; i++)
            sl_buf_printf(&b, "%s{\"Name\":\"c%d\",\"SqlType\":\"INT\"}", i ? "," : "", i);
        sl_buf_puts(&b, "]}}]}");
        parse_err(b.p,
                  "Inputs[0].InputSchema.RecordColumns: must have at most 1000 columns; got 1001");
        sl_buf_free(&b);
    }

    /* outputs */
    parse_err(WITH_OUTPUT("{" KS_OUT ",\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0]: Name is required");
    parse_err(WITH_OUTPUT("{\"Name\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"," KS_OUT
                          ",\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0].Name: must have length less than or equal to 32");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\"," KS_OUT "}"),
              "Outputs[0]: DestinationSchema is required");
    parse_err(
        WITH_OUTPUT("{\"Name\":\"D\"," KS_OUT
                    ",\"DestinationSchema\":{\"RecordFormatType\":\"AVRO\"}}"),
        "Outputs[0].DestinationSchema.RecordFormatType: must be one of JSON, CSV; got 'AVRO'");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\",\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0]: KinesisStreamsOutput, KinesisFirehoseOutput, LambdaOutput or "
              "sluice:Sink is required");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\"," KS_OUT ",\"sluice:Sink\":{\"Kind\":\"STDOUT\"},"
                          "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0]: give only one of KinesisStreamsOutput, KinesisFirehoseOutput, "
              "LambdaOutput, sluice:Sink");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"KAFKA\"},"
                          "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0].sluice:Sink.Kind: must be one of STDOUT, FILE, WEBHOOK, COMMAND, STREAM; "
              "got 'KAFKA'");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"FILE\"},"
                          "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0].sluice:Sink: Target is required");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"STDOUT\",\"Target\":\"x\"},"
                          "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0].sluice:Sink.Target: STDOUT takes no Target");
    parse_err(
        WITH_OUTPUT("{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"WEBHOOK\",\"Target\":\"ftp://x\"},"
                    "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
        "Outputs[0].sluice:Sink.Target: expected an http:// or https:// URL");
    parse_err(
        WITH_OUTPUT(
            "{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"COMMAND\",\"Target\":\"cat\",\"Options\":"
            "{\"x\":[1]}},\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
        "Outputs[0].sluice:Sink.Options.x: expected a string, number or boolean");
    parse_err(WITH_OUTPUT("{\"Name\":\"D\",\"sluice:Sink\":{\"Kind\":\"STDOUT\"},\"sluice:"
                          "Endpoint\":\"http://x\","
                          "\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
              "Outputs[0].sluice:Endpoint: only applies to stream outputs");
    parse_err(
        WITH_OUTPUT("{\"Name\":\"D\",\"LambdaOutput\":{\"ResourceARN\":\"arn:aws:lambda:us-east-1:"
                    "1:fn\"," ROLE "},\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}"),
        "Outputs[0].LambdaOutput.ResourceARN: expected "
        "arn:aws:lambda:REGION:ACCOUNT:function:NAME, got "
        "'arn:aws:lambda:us-east-1:1:fn'");

    /* reference data sources */
    parse_err(APP(",\"ReferenceDataSources\":[{\"TableName\":\"A\"," S3_REF "," REF_SCHEMA
                  "},{\"TableName\":\"B\"," S3_REF "," REF_SCHEMA "}]"),
              "ReferenceDataSources: at most 1 allowed by the service limits; got 2");
    parse_err(WITH_REF("{" S3_REF "," REF_SCHEMA "}"),
              "ReferenceDataSources[0]: TableName is required");
    parse_err(
        WITH_REF("{\"TableName\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"," S3_REF "," REF_SCHEMA "}"),
        "ReferenceDataSources[0].TableName: must have length less than or equal to 32");
    parse_err(WITH_REF("{\"TableName\":\"T\"," REF_SCHEMA "}"),
              "ReferenceDataSources[0]: S3ReferenceDataSource or sluice:Source is required");
    parse_err(
        WITH_REF("{\"TableName\":\"T\"," S3_REF ",\"sluice:Source\":\"/x.csv\"," REF_SCHEMA "}"),
        "ReferenceDataSources[0]: give one of S3ReferenceDataSource, sluice:Source, not both");
    parse_err(
        WITH_REF("{\"TableName\":\"T\",\"S3ReferenceDataSource\":{\"BucketARN\":\"arn:aws:s3:::b\","
                 "\"ReferenceRoleARN\":\"arn:aws:iam::123456789012:role/r\"}," REF_SCHEMA "}"),
        "ReferenceDataSources[0].S3ReferenceDataSource: FileKey is required");
    parse_err(WITH_REF("{\"TableName\":\"T\",\"S3ReferenceDataSource\":{\"BucketARN\":\"my-"
                       "bucket\",\"FileKey\":\"k\","
                       "\"ReferenceRoleARN\":\"arn:aws:iam::123456789012:role/r\"}," REF_SCHEMA
                       "}"),
              "ReferenceDataSources[0].S3ReferenceDataSource.BucketARN: expected "
              "arn:aws:s3:::BUCKET, got 'my-bucket'");
    parse_err(WITH_REF("{\"TableName\":\"T\"," S3_REF "}"),
              "ReferenceDataSources[0]: ReferenceSchema is required");
    parse_err(WITH_REF("{\"TableName\":\"T\"," S3_REF
                       ",\"ReferenceSchema\":{\"RecordFormat\":{\"RecordFormatType\":"
                       "\"CSV\"},\"RecordColumns\":[{\"Name\":\"A\"}]}}"),
              "ReferenceDataSources[0].ReferenceSchema.RecordColumns[0]: SqlType is required");
    parse_err(APP(",\"Inputs\":[" INPUT
                  "],\"ReferenceDataSources\":[{\"TableName\":\"SOURCE_SQL_STREAM\"," S3_REF
                  "," REF_SCHEMA "}]"),
              "ReferenceDataSources[0].TableName: 'SOURCE_SQL_STREAM' is also the NamePrefix of "
              "Inputs[0]");
}

/* to_json -> from_json gives the same description, and to_json is then a fixed point. */
static void round_trip(const char *text)
{
    sl_app_desc_t d1, d2;
    parse_ok(text, &d1);
    sl_buf_t j1 = SL_BUF_INIT, j2 = SL_BUF_INIT;
    sl_app_desc_to_json(&d1, &j1);
    parse_ok(j1.p, &d2);
    sl_app_desc_to_json(&d2, &j2);
    assert_string_equal(j1.p, j2.p);
    /* spot checks that nothing was lost on the way */
    assert_int_equal(d1.ninputs, d2.ninputs);
    assert_int_equal(d1.noutputs, d2.noutputs);
    assert_int_equal(d1.nrefs, d2.nrefs);
    assert_int_equal(d1.ntags, d2.ntags);
    for (size_t i = 0; i < d1.ninputs; i++) {
        assert_string_equal(d1.inputs[i].stream, d2.inputs[i].stream);
        assert_int_equal(d1.inputs[i].start_ms, d2.inputs[i].start_ms);
        assert_int_equal(d1.inputs[i].schema.ncols, d2.inputs[i].schema.ncols);
    }
    for (size_t i = 0; i < d1.noutputs; i++) {
        assert_int_equal(d1.outputs[i].kind, d2.outputs[i].kind);
        assert_int_equal(d1.outputs[i].noptions, d2.outputs[i].noptions);
        if (d1.outputs[i].target) assert_string_equal(d1.outputs[i].target, d2.outputs[i].target);
    }
    for (size_t i = 0; i < d1.nrefs; i++) assert_string_equal(d1.refs[i].source, d2.refs[i].source);
    sl_buf_free(&j1);
    sl_buf_free(&j2);
    sl_app_desc_free(&d1);
    sl_app_desc_free(&d2);
}

static void test_round_trip(void **state)
{
    round_trip(stock_app);
    round_trip(
        "{\"ApplicationName\":\"x\",\"Inputs\":[{\"NamePrefix\":\"IN\"," KS_IN
        ",\"InputParallelism\":"
        "{\"Count\":3},\"sluice:Endpoint\":\"http://127.0.0.1:4567\",\"sluice:StartingPosition\":"
        "\"AT_TIMESTAMP\",\"sluice:StartingTimestamp\":1700000000.123,\"InputSchema\":{"
        "\"RecordFormat\":"
        "{\"RecordFormatType\":\"CSV\",\"MappingParameters\":{\"CSVMappingParameters\":{"
        "\"RecordRowDelimiter\":"
        "\"\\r\\n\",\"RecordColumnDelimiter\":\"\\t\"}}},\"RecordColumns\":[{\"Name\":\"A\","
        "\"SqlType\":"
        "\"INT\"}]}}],\"Outputs\":[" OUTPUT
        ",{\"Name\":\"F\",\"sluice:Sink\":{\"Kind\":\"COMMAND\","
        "\"Target\":\"jq "
        ".\",\"Options\":{\"k\":\"v\"}},\"DestinationSchema\":{\"RecordFormatType\":\"CSV\"}},"
        "{\"Name\":\"L\",\"LambdaOutput\":{\"ResourceARN\":\"arn:aws:lambda:us-east-1:123456789012:"
        "function:f\"," ROLE "},\"DestinationSchema\":{\"RecordFormatType\":\"JSON\"}}],"
        "\"ReferenceDataSources\":[{\"TableName\":\"R\"," S3_REF "," REF_SCHEMA "}],"
        "\"Tags\":[{\"Key\":\"a\",\"Value\":\"\"}]}");
    round_trip("{\"ApplicationName\":\"y\",\"ReferenceDataSources\":[{\"TableName\":\"R\",\"sluice:"
               "Source\":"
               "\"./data/r.json\",\"ReferenceSchema\":{" JSON_FMT "," ONE_COL "}}]}");
}

/* CloudWatchLoggingOptions: read, checked, copied, written back; the file that stands for
 * a log stream keeps every name inside DATA/logs. */
static void test_cloudwatch_logging(void **state)
{
    (void)state;
#define LOG_ARN "arn:aws:logs:us-east-1:123456789012:log-group:/aws/kda/app:log-stream:err"
    sl_app_desc_t d, c;
    parse_ok("{\"ApplicationName\":\"a\",\"CloudWatchLoggingOptions\":[{\"LogStreamARN\":\"" LOG_ARN
             "\"," ROLE "}]}",
             &d);
    assert_int_equal(d.ncwlogs, 1);
    assert_string_equal(d.cwlogs[0].id, "1.1");
    assert_string_equal(d.cwlogs[0].log_stream_arn, LOG_ARN);
    assert_string_equal(d.cwlogs[0].role_arn,
                        "arn:aws:iam::123456789012:role/service-role/kinesis-analytics-app");
    sl_app_desc_copy(&c, &d);
    assert_string_equal(c.cwlogs[0].log_stream_arn, LOG_ARN);
    sl_buf_t j = SL_BUF_INIT;
    sl_app_desc_to_json(&c, &j);
    assert_non_null(strstr(j.p, "\"CloudWatchLoggingOptions\":[{\"LogStreamARN\":"));
    sl_buf_free(&j);
    sl_app_desc_free(&c);
    sl_app_desc_free(&d);

    parse_err("{\"ApplicationName\":\"a\",\"CloudWatchLoggingOptions\":[{\"LogStreamARN\":"
              "\"arn:aws:logs:us-east-1:1:log-group:g\"," ROLE "}]}",
              "CloudWatchLoggingOptions[0].LogStreamARN: expected "
              "arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:STREAM, got "
              "'arn:aws:logs:us-east-1:1:log-group:g'");
    parse_err("{\"ApplicationName\":\"a\",\"CloudWatchLoggingOptions\":[{\"LogStreamARN\":\"" LOG_ARN
              "\",\"RoleARN\":\"arn:aws:iam::1:role/r\"}]}",
              "CloudWatchLoggingOptions[0].RoleARN: expected arn:aws:iam::ACCOUNT:role/NAME, got "
              "'arn:aws:iam::1:role/r'");
    parse_err("{\"ApplicationName\":\"a\",\"CloudWatchLoggingOptions\":[{\"LogStreamARN\":\"" LOG_ARN
              "\"," ROLE "},{\"LogStreamARN\":\"" LOG_ARN "\"," ROLE "}]}",
              "CloudWatchLoggingOptions: at most 1 allowed by the service limits; got 2");

    size_t dl;
    char *p = sl_app_cwlog_path("/data", LOG_ARN, &dl);
    assert_string_equal(p, "/data/logs/%2Faws%2Fkda%2Fapp/err.log");
    assert_int_equal(dl, strlen("/data/logs/%2Faws%2Fkda%2Fapp"));
    sl_free(p);
    /* No name can climb out of DATA/logs or name a hidden path. */
    p = sl_app_cwlog_path("/d", "arn:aws:logs:r:1:log-group:..:log-stream:../../x y", NULL);
    assert_string_equal(p, "/d/logs/%2E./%2E.%2F..%2Fx%20y.log");
    sl_free(p);
    assert_null(sl_app_cwlog_path("/d", "arn:aws:logs:r:1:log-group::log-stream:s", NULL));
    assert_null(sl_app_cwlog_path("/d", "arn:aws:kinesis:r:1:stream/s", NULL));
#undef LOG_ARN
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stock_ticker),
        cmocka_unit_test(test_csv_input_and_extensions),
        cmocka_unit_test(test_reference_sources),
        cmocka_unit_test(test_firehose_and_lambda_marked),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_cloudwatch_logging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
