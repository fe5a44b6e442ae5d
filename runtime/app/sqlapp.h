/*
 * sqlapp.h - the second door into an application: a self-contained .sql file.
 *
 * sl_app_desc_from_sql() reads the CREATE INPUT / CREATE REFERENCE TABLE / CREATE OUTPUT
 * statements of a parsed script (the sluice extension, see parser/README.md) into the same
 * sl_app_desc_t that sl_app_desc_from_json() makes from a KDA CreateApplication request, so
 * that the planner and the engine see one thing whichever door an application came in by.
 *
 * Ownership: *out is owned by the caller and released with sl_app_desc_free().
 */
#ifndef SL_SQLAPP_H
#define SL_SQLAPP_H

#include "appdesc.h"
#include "parser.h"

/*
 * Fills *out from the extension statements of `script`; `code` is the file's text (kept as
 * ApplicationCode) and `name` the application name (the file name). Errors (an input
 * declared twice, an unknown option) go to diags with the statement's position. Returns 0
 * or -1.
 */
int sl_app_desc_from_sql(const sl_ast_t *script, const char *name, const char *code,
                         sl_app_desc_t *out, sl_diag_t *diags);

#endif
