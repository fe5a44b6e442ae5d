/*
 * appclient.h - what the application commands (submit, apps, describe, stop, delete) share:
 * a call to a daemon's Kinesis Analytics API.
 */
#ifndef SL_APPCLIENT_H
#define SL_APPCLIENT_H

#include "arena.h"
#include "buf.h"
#include "val.h"

#include <stdbool.h>

/* The daemon the commands talk to unless --endpoint says otherwise. */
#define SL_APPCLIENT_ENDPOINT "http://127.0.0.1:4567"

/*
 * Calls KinesisAnalytics_20150814.<op> at endpoint with a JSON body. Returns 0 with the
 * answer in *out (arena), or 1 after printing "sluice CMD: <ErrorType>: <message>" (or the
 * transport failure) on stderr.
 */
int sl_appclient_call(const char *cmd, const char *endpoint, const char *op, const char *body,
                      sl_arena_t *a, sl_val_t **out);

/*
 * Reads the arguments of a command taking NAME (need_name) or nothing, and --endpoint URL.
 * usage is the text after "usage: sluice ". Returns -1 to go on, else the exit status
 * (0 after --help, 2 on a usage error).
 */
int sl_appclient_args(int argc, char **argv, bool need_name, const char *usage,
                      const char **name, const char **endpoint);

/* sl_appclient_call with the body {"ApplicationName": name}: the operations that name one
 * application and nothing else (DescribeApplication, StopApplication). */
int sl_appclient_call_name(const char *cmd, const char *endpoint, const char *op,
                           const char *name, sl_arena_t *a, sl_val_t **out);

/*
 * Lists the daemon's applications: every page of ListApplications (50 a page), calling
 * each(ctx, name, status) per application in order (either may be NULL when the answer
 * lacks it). Returns 0, or 1 after sl_appclient_call printed why a call failed (the
 * applications of the pages before it have been given to each).
 */
int sl_appclient_list(const char *cmd, const char *endpoint,
                      void (*each)(void *ctx, const char *name, const char *status), void *ctx);

#endif
