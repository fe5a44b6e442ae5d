/*
 * bench_rcf.c - RANDOM_CUT_FOREST throughput: points/s of score + update at KDA's
 * defaults (100 trees, 256 samples, timeDecay 100000).
 *
 * Usage: rcf_bench SECONDS DIMS SHINGLE THREADS [BATCH]
 * (SECONDS < 0: a fixed -SECONDS blocks of 4096 rows instead, for profilers.)
 * The stream is a noisy sine per column with a slow drift and rare spikes (so samplers
 * keep accepting points at the reservoir's natural rate). The first 10,000 rows warm the
 * forest up untimed; then rows go in batches of BATCH (default 1: one call per row with
 * one thread, 256 with more, the pool's hand-off being per call) for SECONDS.
 * Prints one line: dims, shingle, threads, batch, rows, seconds, rows/s.
 */
#include "alloc.h"
#include "rcf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the process, all threads (the machine may be shared: wall time then
 * understates what the code does on an idle core). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Fills n rows of d columns starting at stream position t0. */
static void gen(double *rows, size_t n, int d, uint64_t t0, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t t = t0 + i;
        for (int c = 0; c < d; c++) {
            *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(*rng >> 11) * 0x1p-53;
            double v = sin(2 * M_PI * (double)t / (48.0 + c)) * (1 + c) + 0.2 * (u - 0.5) +
                       (double)t * 1e-5;
            if ((t + (uint64_t)c * 131) % 2003 == 0) v += 8;
            rows[i * (size_t)d + (size_t)c] = v;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: rcf_bench SECONDS DIMS SHINGLE THREADS [BATCH]\n");
        return 2;
    }
    double secs = atof(argv[1]);
    int dims = atoi(argv[2]), shingle = atoi(argv[3]), threads = atoi(argv[4]);
    size_t batch = argc > 5 ? (size_t)atol(argv[5]) : (threads > 1 ? 256 : 1);
    sl_rcf_config_t cfg;
    sl_rcf_config_default(&cfg, dims);
    cfg.shingle_size = shingle;
    cfg.threads = threads;
    const char *msg = sl_rcf_config_check(&cfg);
    if (msg || batch < 1) {
        fprintf(stderr, "rcf_bench: %s\n", msg ? msg : "bad batch");
        return 2;
    }
    sl_rcf_t *f = sl_rcf_new(&cfg);
    enum { BLOCK = 4096 };
    double *rows = sl_malloc(BLOCK * (size_t)dims * sizeof(double));
    double *scores = sl_malloc(BLOCK * sizeof(double));
    uint64_t rng = 1, t = 0;
    gen(rows, 10000 > BLOCK ? BLOCK : 10000, dims, t, &rng);
    for (int k = 0; k < 3; k++) { /* warm-up: ~12k rows */
        gen(rows, BLOCK, dims, t, &rng);
        sl_rcf_score_update_batch(f, rows, BLOCK, scores, NULL, NULL);
        t += BLOCK;
    }
    double sink = 0, t0 = now(), el = 0, cpu0 = cpu_now();
    uint64_t done = 0;
    do {
        gen(rows, BLOCK, dims, t, &rng); /* untimed */
        double a = now();
        for (size_t i = 0; i < BLOCK; i += batch) {
            size_t k = BLOCK - i < batch ? BLOCK - i : batch;
            if (k == 1)
                scores[i] = sl_rcf_score_update(f, rows + i * (size_t)dims);
            else
                sl_rcf_score_update_batch(f, rows + i * (size_t)dims, k, scores + i, NULL, NULL);
        }
        el += now() - a;
        for (size_t i = 0; i < BLOCK; i++) sink += scores[i];
        done += BLOCK;
        t += BLOCK;
    } while (secs >= 0 ? now() - t0 < secs : done < (uint64_t)(-secs) * BLOCK);
    double cpu = cpu_now() - cpu0;
    printf("dims %d shingle %d threads %d batch %zu: %llu rows in %.2f s = %.0f rows/s "
           "(%.0f rows per CPU second; mean score %.3f)\n",
           dims, shingle, threads, batch, (unsigned long long)done, el, (double)done / el,
           (double)done / cpu, sink / (double)done);
    sl_rcf_free(f);
    sl_free(rows);
    sl_free(scores);
    return 0;
}
