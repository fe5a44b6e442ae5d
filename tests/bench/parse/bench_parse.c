/*
 * bench_parse.c - parsing speed of the SQL front end over the valid corpus.
 *
 * Loads every file named on the command line, then parses all of them repeatedly for about
 * `seconds` seconds (first argument) and prints statements/s and MB/s. The AST is built and
 * freed each time, as `sluice check` does. Built and run by run.sh.
 */
#include "alloc.h"
#include "buf.h"
#include "parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic time in seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_parse SECONDS FILE...\n");
        return 2;
    }
    double seconds = atof(argv[1]);
    int nfiles = argc - 2;
    sl_buf_t *texts = SL_NEWN(sl_buf_t, (size_t)nfiles);
    size_t bytes = 0;
    long stmts_per_pass = 0;
    for (int i = 0; i < nfiles; i++) {
        FILE *f = fopen(argv[i + 2], "rb");
        if (!f) {
            perror(argv[i + 2]);
            return 1;
        }
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sl_buf_append(&texts[i], chunk, n);
        fclose(f);
        bytes += texts[i].len;
        sl_diag_t d = SL_DIAG_INIT;
        sl_ast_t *a = sl_parse(argv[i + 2], texts[i].p, texts[i].len, &d);
        stmts_per_pass += a->nkids;
        if (d.count) fprintf(stderr, "warning: %s has errors\n", argv[i + 2]);
        sl_ast_free(a);
        sl_diag_free(&d);
    }
    long passes = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < nfiles; i++) {
            sl_diag_t d = SL_DIAG_INIT;
            sl_ast_free(sl_parse("bench", texts[i].p, texts[i].len, &d));
            sl_diag_free(&d);
        }
        passes++;
        t = now() - t0;
    } while (t < seconds);
    printf("parse: %d files, %ld statements, %zu bytes per pass; %ld passes in %.2f s\n", nfiles,
           stmts_per_pass, bytes, passes, t);
    printf("parse: %.0f statements/s, %.1f MB/s\n", (double)(stmts_per_pass * passes) / t,
           (double)bytes * (double)passes / t / 1e6);
    for (int i = 0; i < nfiles; i++) sl_buf_free(&texts[i]);
    sl_free(texts);
    return 0;
}
