/*
 * nab_diag.c - where sluice's RANDOM_CUT_FOREST and KDA's part ways on the NAB series
 * (../shared/nab), split by what could cause it. Run by hand (tests/bench/rcf/run.sh
 * --diag); nab_eval and tests/integration/test_rcf_nab.py hold the gates.
 *
 *   1. Tree and score, without the sampler: for the first ROWS rows after warm-up every
 *      tree still holds (nearly) the same first sample_size points, in KDA as in sluice,
 *      so these scores depend only on the cut trees and the score formula. For each file
 *      it prints the z-score of KDA's value against the distribution of sluice's over
 *      SEEDS seeds, averaged over the rows: about 0 (|z| < 1) when both compute the same
 *      thing; a formula difference shows as a shift of several units.
 *   2. Sampler and duplicates, without randomness in the scores: on
 *      art_daily_perfect_square_wave (only the values 20 and 80) a row's score is a
 *      function of how many copies of its value each tree's reservoir holds. It prints
 *      sluice's mean score (over SEEDS seeds) and KDA's, per value and per block of 300
 *      rows: equal within about 0.002 when the reservoirs evolve alike.
 *   3. Over the whole series: AUC of sluice over SEEDS seeds (mean, sd) against KDA's,
 *      as a z-score, and the Spearman correlation of sluice with KDA next to that of
 *      sluice's seeds with each other (how far two forests of the same algorithm agree:
 *      a file whose seeds agree at 0.3 cannot agree with KDA much better). Over WHOLE
 *      seeds (--whole, default 6): also the range of sluice's AUCs and how many of them
 *      lie below KDA's (0 or WHOLE: KDA outside the spread of that many forests).
 *
 * Usage: nab_diag [--seeds N] [--rows R] [--whole W] [DIR]   (DIR as for nab_eval)
 */
#include "alloc.h"
#include "rcf.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SL_SOURCE_DIR
#define SL_SOURCE_DIR "."
#endif

/* One series: values, KDA's scores, labels. */
typedef struct series {
    size_t n;
    double *value, *kda;
    int *label;
} series_t;

/* Reads timestamp,value,kda_score,label. */
static bool read_series(const char *path, series_t *s)
{
    memset(s, 0, sizeof *s);
    FILE *fp = fopen(path, "r");
    if (!fp) return false;
    size_t cap = 1024;
    s->value = sl_malloc(cap * sizeof(double));
    s->kda = sl_malloc(cap * sizeof(double));
    s->label = sl_malloc(cap * sizeof(int));
    char line[512];
    bool header = true;
    while (fgets(line, sizeof line, fp)) {
        if (header) {
            header = false;
            continue;
        }
        char *c = strchr(line, ','), *e;
        if (!c) continue;
        double v = strtod(c + 1, &e);
        if (*e != ',') continue;
        double k = strtod(e + 1, &e);
        if (*e != ',') continue;
        if (s->n == cap) {
            cap *= 2;
            s->value = sl_realloc(s->value, cap * sizeof(double));
            s->kda = sl_realloc(s->kda, cap * sizeof(double));
            s->label = sl_realloc(s->label, cap * sizeof(int));
        }
        s->value[s->n] = v;
        s->kda[s->n] = k;
        s->label[s->n++] = atoi(e + 1);
    }
    fclose(fp);
    return true;
}

static void series_free(series_t *s)
{
    sl_free(s->value);
    sl_free(s->kda);
    sl_free(s->label);
}

/* A value and its position, for ranking. */
typedef struct ranked {
    double v;
    size_t i;
} ranked_t;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked_t *)a)->v, y = ((const ranked_t *)b)->v;
    return x < y ? -1 : x > y;
}

/* 1-based ranks, ties averaged. */
static void ranks(const double *v, size_t n, double *rank)
{
    ranked_t *r = sl_malloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++) r[i] = (ranked_t){v[i], i};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].v == r[i].v) j++;
        for (size_t k = i; k <= j; k++) rank[r[k].i] = (double)(i + j) / 2.0 + 1.0;
        i = j + 1;
    }
    sl_free(r);
}

/* Spearman's rho; NAN when a side is constant. */
static double spearman(const double *a, const double *b, size_t n)
{
    double *ra = sl_malloc(n * sizeof(double)), *rb = sl_malloc(n * sizeof(double));
    ranks(a, n, ra);
    ranks(b, n, rb);
    double m = (double)(n + 1) / 2.0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (ra[i] - m) * (rb[i] - m);
        saa += (ra[i] - m) * (ra[i] - m);
        sbb += (rb[i] - m) * (rb[i] - m);
    }
    sl_free(ra);
    sl_free(rb);
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* ROC-AUC (Mann-Whitney); NAN without both classes. */
static double auc(const double *score, const int *label, size_t n)
{
    double *r = sl_malloc(n * sizeof(double)), pos = 0, sum = 0;
    ranks(score, n, r);
    for (size_t i = 0; i < n; i++)
        if (label[i]) {
            pos++;
            sum += r[i];
        }
    sl_free(r);
    double neg = (double)n - pos;
    return pos > 0 && neg > 0 ? (sum - pos * (pos + 1) / 2) / (pos * neg) : NAN;
}

/* Runs a forest with KDA's defaults and the given seed over the first n rows of s. */
static void run_forest(const series_t *s, size_t n, uint64_t seed, double *out)
{
    sl_rcf_config_t cfg;
    sl_rcf_config_default(&cfg, 1);
    cfg.seed = seed;
    sl_rcf_t *f = sl_rcf_new(&cfg);
    sl_rcf_score_update_batch(f, s->value, n, out, NULL, NULL);
    sl_rcf_free(f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int nseeds = 20, nrows = 20, nwhole = 6;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            nseeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            nrows = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--whole") && i + 1 < argc)
            nwhole = atoi(argv[++i]);
        else
            dir = argv[i];
    }
    if (nseeds < 2 || nrows < 1 || nwhole < 2) {
        fprintf(stderr, "usage: nab_diag [--seeds N>=2] [--rows R>=1] [--whole W>=2] [DIR]\n");
        return 2;
    }
    char pathbuf[4096];
    if (!dir) dir = getenv("SLUICE_NAB_DIR");
    if (!dir) {
        const char *src = getenv("SLUICE_SRC");
        snprintf(pathbuf, sizeof pathbuf, "%s/../shared/nab", src ? src : SL_SOURCE_DIR);
        dir = pathbuf;
    }
    DIR *d = opendir(dir);
    if (!d) {
        printf("SKIP: no NAB directory at %s\n", dir);
        return 77;
    }
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".csv")) {
            names = sl_realloc(names, (nnames + 1) * sizeof *names);
            names[nnames++] = sl_strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, nnames, sizeof *names, cmp_str);
    const size_t W = 256;

    printf("1. tree + score only: KDA's first %d scores after warm-up against sluice's over %d "
           "seeds (mean z; about 0 when the formulas agree)\n",
           nrows, nseeds);
    printf("2./3. whole series over %d seeds: AUC sluice mean +- sd, KDA, z, sluice's range and "
           "how many seeds lie below KDA; Spearman with KDA and between sluice's seeds (means)\n",
           nwhole);
    printf("%-46s %7s | %7s %7s %7s %6s %15s %5s | %7s %7s\n", "file", "first z", "auc", "sd",
           "auc_kda", "z", "range", "below", "rho_kda", "rho_own");
    for (size_t fi = 0; fi < nnames; fi++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[fi]);
        series_t s;
        if (!read_series(path, &s) || s.n <= W + (size_t)nrows) {
            series_free(&s);
            continue;
        }
        /* 1: the first rows, where only the trees' cuts are random. */
        size_t n1 = W + (size_t)nrows;
        double *sum = sl_calloc(n1, sizeof(double)), *sq = sl_calloc(n1, sizeof(double));
        double *tmp = sl_malloc(s.n * sizeof(double));
        for (int k = 0; k < nseeds; k++) {
            run_forest(&s, n1, 1000 + (uint64_t)k, tmp);
            for (size_t i = W; i < n1; i++) {
                sum[i] += tmp[i];
                sq[i] += tmp[i] * tmp[i];
            }
        }
        double zsum = 0;
        int zn = 0;
        for (size_t i = W; i < n1; i++) {
            double m = sum[i] / nseeds, sd = sqrt(fmax(0, sq[i] / nseeds - m * m));
            if (sd > 0) {
                zsum += (s.kda[i] - m) / sd;
                zn++;
            }
        }
        sl_free(sum);
        sl_free(sq);
        /* 2 and 3: the whole series, a few seeds. */
        int k3 = nwhole;
        double *prev = sl_malloc(s.n * sizeof(double));
        double as = 0, aq = 0, rk = 0, ro = 0, amin = INFINITY, amax = -INFINITY;
        double ak = auc(s.kda + W, s.label + W, s.n - W);
        int below = 0;
        double *mean = sl_calloc(s.n, sizeof(double));
        for (int k = 0; k < k3; k++) {
            run_forest(&s, s.n, 1 + (uint64_t)k, tmp);
            double a = auc(tmp + W, s.label + W, s.n - W);
            as += a;
            aq += a * a;
            amin = fmin(amin, a);
            amax = fmax(amax, a);
            below += a < ak;
            rk += spearman(tmp + W, s.kda + W, s.n - W);
            if (k) ro += spearman(tmp + W, prev + W, s.n - W);
            memcpy(prev, tmp, s.n * sizeof(double));
            for (size_t i = 0; i < s.n; i++) mean[i] += tmp[i] / k3;
        }
        double am = as / k3, asd = sqrt(fmax(0, aq / k3 - am * am));
        char za[16] = "n/a", range[32] = "n/a", nb[16] = "n/a";
        if (!isnan(ak) && asd > 0) snprintf(za, sizeof za, "%+.2f", (ak - am) / asd);
        if (!isnan(ak)) {
            snprintf(range, sizeof range, "%.4f-%.4f", amin, amax);
            snprintf(nb, sizeof nb, "%d", below);
        }
        printf("%-46.46s %+7.2f | %7.4f %7.4f %7.4f %6s %15s %5s | %7.4f %7.4f\n", names[fi],
               zn ? zsum / zn : 0.0, am, asd, ak, za, range, nb, rk / k3, ro / (k3 - 1));
        if (strstr(names[fi], "art_daily_perfect_square_wave")) {
            for (int val = 20; val <= 80; val += 60) {
                printf("    square wave, rows of value %d: block  sluice   KDA\n", val);
                for (size_t b = W; b < s.n; b += 300) {
                    double ms = 0, mk = 0;
                    int c = 0;
                    for (size_t i = b; i < b + 300 && i < s.n; i++)
                        if (s.value[i] == val) {
                            ms += mean[i];
                            mk += s.kda[i];
                            c++;
                        }
                    if (c) printf("    %43zu  %.4f  %.4f\n", b, ms / c, mk / c);
                }
            }
        }
        sl_free(mean);
        sl_free(prev);
        sl_free(tmp);
        series_free(&s);
    }
    for (size_t i = 0; i < nnames; i++) sl_free(names[i]);
    sl_free(names);
    return 0;
}
