/*
 * repl.h - `sluice repl`: an interactive session of KDA SQL over the embedded store or a
 * daemon.
 *
 * A session keeps the text of the DDL typed so far (CREATE INPUT / STREAM / PUMP /
 * REFERENCE TABLE / OUTPUT) as one application, re-planned whole on every addition, whose
 * pumps run on a runner for as long as the session lives. A `SELECT STREAM ...` typed at
 * the prompt runs as a temporary application beside it and shows its rows live as an
 * aligned table until Ctrl-C. See runtime/repl/README.md.
 *
 * Ownership: the options are borrowed for the duration of the call.
 */
#ifndef SL_REPL_H
#define SL_REPL_H

#include <stdio.h>

/* How to run a session. Zero-initialise, then set what applies. */
typedef struct sl_repl_opts {
    const char *data_dir;  /* embedded store directory; NULL: a temporary one, removed at exit */
    const char *endpoint;  /* a daemon's URL: streams, puts and \apps go through its API */
    const char *history;   /* history file; NULL: ~/.sluice_history */
} sl_repl_opts_t;

/* Runs the session on the terminal until \quit or end of input. Returns an exit status
 * (0, or 1 when the store cannot be opened). */
int sl_repl_run(const sl_repl_opts_t *opts);

#endif
