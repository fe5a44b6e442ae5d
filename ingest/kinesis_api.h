/*
 * kinesis_api.h - the Kinesis Data Streams wire API (Kinesis_20131202.*) over the store.
 *
 * A request is an HTTP POST whose X-Amz-Target names the operation and whose body is JSON
 * 1.1 or CBOR 1.1 (by Content-Type). The body is decoded into an sl_val_t tree, validated
 * the way AWS validates (ValidationException texts with the member path, at most 10 joined
 * by "; "), executed against the store, and the answer is written in the request's
 * encoding. Errors are HTTP 400 (500 for InternalFailure) with {"__type", "message"}.
 *
 * Thread-safe: the handler may run on several HTTP worker threads at once (the store
 * serialises what it must).
 */
#ifndef SL_KINESIS_API_H
#define SL_KINESIS_API_H

#include "awserr.h"
#include "http.h"
#include "store.h"
#include "val.h"

/* The X-Amz-Target prefix of this API. */
#define SL_KINESIS_TARGET_PREFIX "Kinesis_20131202."

/* Handles one request whose X-Amz-Target starts with SL_KINESIS_TARGET_PREFIX. */
void sl_kinesis_api_handle(sl_store_t *st, const sl_http_req_t *req, sl_http_resp_t *resp);

/* Whether a request's body is CBOR 1.1 (by its Content-Type), else JSON 1.1. */
bool sl_aws_is_cbor(const sl_http_req_t *req);
/* Decodes an AWS request body (JSON or CBOR; an empty body is {}) into an object tree in
 * the request's arena. Returns NULL after writing the SerializationException reply when
 * the body is malformed or not an object. Shared by every AWS API sluice serves. */
sl_val_t *sl_aws_decode_body(const sl_http_req_t *req, sl_http_resp_t *resp);

/* Writes an AWS error reply (used by the router for requests no API claims). cbor selects
 * the encoding. */
void sl_aws_error_reply(sl_http_resp_t *resp, bool cbor, sl_awserr_code_t code,
                        const char *message);

/*
 * Finishes the reply to an AWS operation once its handler has run (returning ok, and on
 * success having encoded its answer into resp->body). ok: 200 with the protocol's content type. Not ok: the error in
 * *err, else the ValidationException of the violations the handler recorded, else
 * InternalFailure (a handler that failed without saying why). Frees the violations either
 * way. Shared by every AWS API sluice serves.
 */
void sl_aws_finish_reply(sl_http_resp_t *resp, bool cbor, bool ok, sl_awserr_t *err,
                         sl_violations_t *viol);

#endif
