/*
 * test_functions_rcf.c - the random cut forest (functions/rcf.h): KDA's golden values,
 * the statistical properties RANDOM_CUT_FOREST promises, attribution, determinism across
 * seeds, threads, batches and snapshots, the tree invariants, and the explanation JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "rcf.h"
#include "val.h"

#include <math.h>
#include <string.h>

/* A small deterministic normal generator for the test streams (splitmix64 + Box-Muller). */
typedef struct gauss {
    uint64_t s;
} gauss_t;

static double gauss_u01(gauss_t *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1p-53;
}

static double gauss_next(gauss_t *g)
{
    double u = gauss_u01(g), v = gauss_u01(g);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static sl_rcf_t *forest(int dims, int shingle, uint64_t seed, int threads)
{
    sl_rcf_config_t c;
    sl_rcf_config_default(&c, dims);
    c.shingle_size = shingle;
    c.seed = seed;
    c.threads = threads;
    sl_rcf_t *f = sl_rcf_new(&c);
    assert_non_null(f);
    return f;
}

static void assert_valid(const sl_rcf_t *f)
{
    char err[200];
    bool ok = sl_rcf_validate(f, err, sizeof err);
    if (!ok) fail_msg("invariant broken: %s", err);
}

/* KDA's ranges, with the parameter named in the message. */
static void test_config_check(void **state)
{
    sl_rcf_config_t c;
    sl_rcf_config_default(&c, 2);
    assert_null(sl_rcf_config_check(&c));
    assert_int_equal(c.trees, 100);
    assert_int_equal(c.sample_size, 256);
    assert_int_equal(c.time_decay, 100000);
    assert_int_equal(c.shingle_size, 1);
    assert_true(c.kda_compat);
    sl_rcf_config_t b = c;
    b.trees = 0;
    assert_non_null(strstr(sl_rcf_config_check(&b), "numberOfTrees"));
    b = c;
    b.trees = 1001;
    assert_non_null(strstr(sl_rcf_config_check(&b), "numberOfTrees"));
    b = c;
    b.sample_size = 9;
    assert_non_null(strstr(sl_rcf_config_check(&b), "subSampleSize"));
    b = c;
    b.sample_size = 1001;
    assert_non_null(strstr(sl_rcf_config_check(&b), "subSampleSize"));
    b = c;
    b.time_decay = 0;
    assert_non_null(strstr(sl_rcf_config_check(&b), "timeDecay"));
    b = c;
    b.time_decay = 2147483648LL;
    assert_non_null(strstr(sl_rcf_config_check(&b), "timeDecay"));
    b = c;
    b.time_decay = 256; /* must exceed subSampleSize */
    assert_non_null(strstr(sl_rcf_config_check(&b), "less than timeDecay"));
    b = c;
    b.shingle_size = 31;
    assert_non_null(strstr(sl_rcf_config_check(&b), "shingleSize"));
    b = c;
    b.dims = 31;
    assert_non_null(strstr(sl_rcf_config_check(&b), "30 numeric columns"));
    b = c;
    b.dims = 0;
    assert_non_null(sl_rcf_config_check(&b));
    assert_null(sl_rcf_new(&b));
    b = c;
    b.trees = 1000;
    b.sample_size = 1000;
    b.time_decay = 2147483647LL;
    b.shingle_size = 30;
    b.dims = 30;
    assert_null(sl_rcf_config_check(&b));
}

/* Exactly subSampleSize leading zeros: a point is scored before it is learnt. */
static void test_warmup(void **state)
{
    sl_rcf_t *f = forest(1, 1, 7, 1);
    gauss_t g = {1};
    for (int i = 0; i < 256; i++)
        assert_true(sl_rcf_score_update(f, (double[]){gauss_next(&g)}) == 0);
    assert_int_equal(sl_rcf_points(f), 256);
    assert_true(sl_rcf_score_update(f, (double[]){gauss_next(&g)}) > 0);
    sl_rcf_free(f);
    /* With shingling, shingleSize - 1 more rows form no point. */
    f = forest(1, 4, 7, 1);
    for (int i = 0; i < 259; i++)
        assert_true(sl_rcf_score_update(f, (double[]){gauss_next(&g)}) == 0);
    assert_true(sl_rcf_score_update(f, (double[]){gauss_next(&g)}) > 0);
    sl_rcf_free(f);
}

/* art_daily_perfect_square_wave: 148 copies of 20 and 108 of 80 make every tree a root
 * with two leaves, so the first score needs no randomness: 8 / (1 + log2 148). */
static void test_golden_square_wave(void **state)
{
    sl_rcf_t *f = forest(1, 1, 1, 1);
    for (int i = 0; i < 256; i++) sl_rcf_score_update(f, (double[]){i < 148 ? 20.0 : 80.0});
    double s = sl_rcf_score_update(f, (double[]){20.0});
    assert_true(fabs(s - 0.974486) < 1e-6);
    sl_rcf_free(f);
}

/* art_flatline: a constant stream scores 8/257 after warm-up (KDA's single-leaf tree). */
static void test_golden_flatline(void **state)
{
    sl_rcf_t *f = forest(1, 1, 1, 1);
    for (int i = 0; i < 2000; i++) {
        double s = sl_rcf_score_update(f, (double[]){45.0});
        if (i < 256)
            assert_true(s == 0);
        else
            assert_true(fabs(s - 8.0 / 257.0) < 1e-12);
    }
    /* A duplicate's attribution is spread evenly, and still sums to the score. */
    double hi, lo;
    double s = sl_rcf_explain(f, (double[]){45.0}, &hi, &lo);
    assert_true(fabs(hi + lo - s) < 1e-15 && hi == lo);
    /* Anything else is isolated at the root of every tree: log2(256) = 8, all HIGH. */
    s = sl_rcf_explain(f, (double[]){46.0}, &hi, &lo);
    assert_true(fabs(s - 8.0) < 1e-12 && lo == 0 && fabs(hi - 8.0) < 1e-12);
    sl_rcf_free(f);
}

/* Inliers of a Gaussian stream mostly score below 1; a far outlier above 3; nothing
 * above log2(sample_size). */
static void test_outlier_and_inliers(void **state)
{
    sl_rcf_t *f = forest(1, 1, 3, 1);
    gauss_t g = {5};
    int below = 0, n = 0;
    for (int i = 0; i < 3000; i++) {
        double s = sl_rcf_score_update(f, (double[]){10 + gauss_next(&g)});
        assert_true(s <= 8.0 + 1e-9);
        if (i >= 256) {
            n++;
            if (s < 1) below++;
        }
    }
    assert_true(below > 0.85 * n);
    assert_true(sl_rcf_score(f, (double[]){10.0}) < 1);
    assert_true(sl_rcf_score(f, (double[]){10 + 50.0}) > 3);
    assert_true(sl_rcf_score(f, (double[]){10 - 50.0}) > 3);
    /* A multivariate stream: the same in 4 dimensions. */
    sl_rcf_t *m = forest(4, 1, 3, 1);
    double row[4];
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 4; k++) row[k] = gauss_next(&g);
        sl_rcf_score_update(m, row);
    }
    row[0] = row[1] = row[3] = 0;
    row[2] = 40;
    assert_true(sl_rcf_score(m, row) > 3);
    row[2] = 0;
    assert_true(sl_rcf_score(m, row) < 1);
    sl_rcf_free(m);
    sl_rcf_free(f);
}

/* Attribution points at the column that moved, on the side it moved to, and adds up to
 * the score. */
static void test_attribution(void **state)
{
    sl_rcf_t *f = forest(3, 1, 11, 1);
    gauss_t g = {9};
    double row[3], hi[3], lo[3];
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 3; k++) row[k] = gauss_next(&g);
        double s = sl_rcf_score_update_explain(f, row, hi, lo);
        double sum = 0;
        for (int k = 0; k < 3; k++) sum += hi[k] + lo[k];
        if (i < 256)
            assert_true(sum == 0 && s == 0);
        else
            assert_true(fabs(sum - s) <= 1e-9 * s);
    }
    for (int col = 0; col < 3; col++) {
        for (int dir = -1; dir <= 1; dir += 2) {
            memset(row, 0, sizeof row);
            row[col] = dir * 30.0;
            double s = sl_rcf_explain(f, row, hi, lo);
            assert_true(s > 2);
            double moved = dir > 0 ? hi[col] : lo[col];
            double other = dir > 0 ? lo[col] : hi[col];
            assert_true(moved > 0.8 * s);
            assert_true(other < 0.05 * s);
            double sum = 0;
            for (int k = 0; k < 3; k++) sum += hi[k] + lo[k];
            assert_true(fabs(sum - s) <= 1e-9 * s);
        }
    }
    sl_rcf_free(f);
    /* With a shingle the attribution is folded back onto the input columns. */
    f = forest(2, 4, 11, 1);
    for (int i = 0; i < 1500; i++) {
        row[0] = gauss_next(&g);
        row[1] = gauss_next(&g);
        sl_rcf_score_update(f, row);
    }
    /* Scoring without learning sees the same shingle as the learning call that follows. */
    for (int i = 0; i < 20; i++) {
        row[0] = gauss_next(&g);
        row[1] = i == 10 ? 25 : gauss_next(&g);
        double h2[2], l2[2];
        double peek = sl_rcf_explain(f, row, h2, l2);
        assert_true(peek == sl_rcf_score(f, row));
        double got = sl_rcf_score_update_explain(f, row, hi, lo);
        assert_true(peek == got);
        assert_memory_equal(h2, hi, sizeof h2);
        assert_memory_equal(l2, lo, sizeof l2);
    }
    row[0] = 0;
    row[1] = -40;
    double s = sl_rcf_score_update_explain(f, row, hi, lo);
    assert_true(lo[1] > 0.8 * s);
    assert_true(fabs(hi[0] + lo[0] + hi[1] + lo[1] - s) <= 1e-9 * s);
    sl_rcf_free(f);
}

/* A shingled periodic signal flags a broken period although every value stays within
 * the usual range; scored without a shingle, the same break is not an anomaly. */
static void test_shingle_period_break(void **state)
{
    for (int shingle = 8; shingle >= 1; shingle -= 7) {
        sl_rcf_t *f = forest(1, shingle, 5, 1);
        gauss_t g = {3};
        double maxnormal = 0, maxbreak = 0;
        for (int i = 0; i < 4000; i++) {
            double v = sin(2 * M_PI * i / 32.0) + 0.01 * gauss_next(&g);
            bool broken = i >= 3600 && i < 3616; /* half a period held flat at 0.7 */
            if (broken) v = 0.7;
            double s = sl_rcf_score_update(f, (double[]){v});
            if (i >= 1000 && i < 3600 && s > maxnormal) maxnormal = s;
            if (broken && s > maxbreak) maxbreak = s;
        }
        if (shingle == 8) {
            /* measured: break 1.48, the largest of 2600 normal rows 1.00 */
            assert_true(maxbreak > 1.3);
            assert_true(maxbreak > 1.3 * maxnormal);
        } else {
            assert_true(maxbreak < maxnormal); /* 0.7 is an ordinary value of the sine */
        }
        sl_rcf_free(f);
    }
}

/* Runs n rows of a 2-column stream with duplicates and a drift; stores scores (and
 * attributions when hi/lo) per row. mode 0: one call per row; 1: batches. */
static void run_stream(sl_rcf_t *f, int n, int mode, double *scores, double *hi, double *lo)
{
    gauss_t g = {77};
    double *rows = sl_malloc((size_t)n * 2 * sizeof(double));
    for (int i = 0; i < n; i++) {
        rows[2 * i] = (i % 7 == 0) ? 1.0 : gauss_next(&g) + i * 0.001;
        rows[2 * i + 1] = (i % 5 == 0) ? 2.0 : gauss_next(&g);
        if (i % 997 == 0) rows[2 * i + 1] = 25;
    }
    if (mode == 0) {
        for (int i = 0; i < n; i++)
            scores[i] = hi ? sl_rcf_score_update_explain(f, rows + 2 * i, hi + 2 * i, lo + 2 * i)
                           : sl_rcf_score_update(f, rows + 2 * i);
    } else {
        for (int i = 0; i < n;) {
            int k = (i * 7 + 13) % 300 + 1; /* uneven batch sizes */
            if (k > n - i) k = n - i;
            sl_rcf_score_update_batch(f, rows + 2 * i, (size_t)k, scores + i,
                                      hi ? hi + 2 * i : NULL, lo ? lo + 2 * i : NULL);
            i += k;
        }
    }
    sl_free(rows);
}

/* One seed, one result: per row or in batches, one thread or two; another seed differs. */
static void test_determinism_threads(void **state)
{
    enum { N = 2500 };
    double *a = sl_malloc(N * sizeof(double)), *b = sl_malloc(N * sizeof(double));
    double *ha = sl_malloc(2 * N * sizeof(double)), *la = sl_malloc(2 * N * sizeof(double));
    double *hb = sl_malloc(2 * N * sizeof(double)), *lb = sl_malloc(2 * N * sizeof(double));
    sl_rcf_t *f = forest(2, 2, 42, 1);
    run_stream(f, N, 0, a, ha, la);
    assert_valid(f);
    sl_rcf_free(f);
    f = forest(2, 2, 42, 2);
    run_stream(f, N, 0, b, hb, lb);
    assert_memory_equal(a, b, N * sizeof(double));
    assert_memory_equal(ha, hb, 2 * N * sizeof(double));
    assert_memory_equal(la, lb, 2 * N * sizeof(double));
    assert_valid(f);
    sl_rcf_free(f);
    f = forest(2, 2, 42, 2);
    run_stream(f, N, 1, b, NULL, NULL);
    assert_memory_equal(a, b, N * sizeof(double));
    sl_rcf_free(f);
    f = forest(2, 2, 42, 3);
    run_stream(f, N, 1, b, hb, lb);
    assert_memory_equal(a, b, N * sizeof(double));
    assert_memory_equal(ha, hb, 2 * N * sizeof(double));
    sl_rcf_free(f);
    f = forest(2, 2, 43, 1);
    run_stream(f, N, 0, b, NULL, NULL);
    assert_true(memcmp(a, b, N * sizeof(double)) != 0);
    sl_rcf_free(f);
    sl_free(a);
    sl_free(b);
    sl_free(ha);
    sl_free(la);
    sl_free(hb);
    sl_free(lb);
}

/* Per-row calls with attributions use the pool only when a row is big enough
 * (DISPATCH_MIN_WORK in rcf.c): 250 trees over 8 columns x shingle 4 are. */
static void test_threads_explain_wide(void **state)
{
    enum { N = 400 };
    double *out[2], *hs[2], *ls[2];
    for (int run = 0; run < 2; run++) {
        sl_rcf_config_t c;
        sl_rcf_config_default(&c, 8);
        c.trees = 250;
        c.sample_size = 64;
        c.shingle_size = 4;
        c.threads = run ? 2 : 1;
        sl_rcf_t *f = sl_rcf_new(&c);
        gauss_t g = {21};
        out[run] = sl_malloc(N * sizeof(double));
        hs[run] = sl_malloc(N * 8 * sizeof(double));
        ls[run] = sl_malloc(N * 8 * sizeof(double));
        for (int i = 0; i < N; i++) {
            double row[8];
            for (int k = 0; k < 8; k++) row[k] = gauss_next(&g) + (i == 300 ? 9 : 0);
            out[run][i] = sl_rcf_score_update_explain(f, row, hs[run] + i * 8, ls[run] + i * 8);
        }
        assert_valid(f);
        sl_rcf_free(f);
    }
    assert_true(out[0][300] > 1.5);
    assert_memory_equal(out[0], out[1], N * sizeof(double));
    assert_memory_equal(hs[0], hs[1], N * 8 * sizeof(double));
    assert_memory_equal(ls[0], ls[1], N * 8 * sizeof(double));
    for (int run = 0; run < 2; run++) {
        sl_free(out[run]);
        sl_free(hs[run]);
        sl_free(ls[run]);
    }
}

/* The samplers: every point is taken until a sample is full; then, with almost no time
 * decay, a uniform reservoir (each of n points held with probability S/n), and with a
 * short timeDecay, a sample biased towards recent points. */
static void test_sampler(void **state)
{
    enum { S = 64, N = 4 * S, T = 400 };
    for (int decayed = 0; decayed <= 1; decayed++) {
        sl_rcf_config_t c;
        sl_rcf_config_default(&c, 1);
        c.trees = T;
        c.sample_size = S;
        c.time_decay = decayed ? 2 * S : 2147483647LL;
        sl_rcf_t *f = sl_rcf_new(&c);
        for (int i = 0; i < N; i++) {
            sl_rcf_score_update(f, (double[]){i});
            if (i == S - 1) /* full: every tree holds every point so far */
                for (int k = 0; k < S; k++)
                    assert_int_equal(sl_rcf_sample_count(f, (double[]){k}), T);
        }
        double first = 0, last = 0; /* mean inclusion of the first and last quarter */
        for (int k = 0; k < S; k++) {
            first += (double)sl_rcf_sample_count(f, (double[]){k}) / T / S;
            last += (double)sl_rcf_sample_count(f, (double[]){N - S + k}) / T / S;
        }
        if (!decayed) {
            assert_true(fabs(first - 0.25) < 0.02);
            assert_true(fabs(last - 0.25) < 0.02);
        } else {
            /* weights exp(t/128) make the last quarter e^1.5 ~ 4.5 times as likely to be
             * kept as the first, at least */
            assert_true(last > 3 * first);
        }
        long total = 0;
        for (int k = 0; k < N; k++) total += sl_rcf_sample_count(f, (double[]){k});
        assert_int_equal(total, (long)T * S);
        assert_valid(f);
        sl_rcf_free(f);
    }
}

/* A restored snapshot continues exactly as the original; corrupt bytes are refused. */
static void test_snapshot_restore(void **state)
{
    sl_rcf_t *f = forest(2, 3, 5, 1);
    gauss_t g = {4};
    double row[2];
    for (int i = 0; i < 1200; i++) {
        row[0] = gauss_next(&g);
        row[1] = i % 3 ? gauss_next(&g) : 0.5;
        sl_rcf_score_update(f, row);
    }
    sl_buf_t snap = SL_BUF_INIT;
    sl_rcf_snapshot(f, &snap);
    const char *err = NULL;
    sl_rcf_t *r = sl_rcf_restore(snap.p, snap.len, 2, &err);
    assert_non_null(r);
    assert_int_equal(sl_rcf_config(r)->threads, 2);
    assert_int_equal(sl_rcf_points(r), sl_rcf_points(f));
    for (int i = 0; i < 1500; i++) {
        row[0] = gauss_next(&g);
        row[1] = i % 3 ? gauss_next(&g) : 0.5;
        double hf[2], lf[2], hr[2], lr[2];
        double a = sl_rcf_score_update_explain(f, row, hf, lf);
        double b = sl_rcf_score_update_explain(r, row, hr, lr);
        assert_true(a == b);
        assert_memory_equal(hf, hr, sizeof hf);
        assert_memory_equal(lf, lr, sizeof lf);
    }
    assert_valid(r);
    /* Snapshots of the two are now byte for byte equal, threads aside. */
    sl_buf_t s2 = SL_BUF_INIT, s3 = SL_BUF_INIT;
    sl_rcf_snapshot(f, &s2);
    sl_rcf_t *r1 = sl_rcf_restore(snap.p, snap.len, 1, &err);
    sl_rcf_free(r1);
    sl_rcf_free(r);
    r = sl_rcf_restore(s2.p, s2.len, 1, &err);
    sl_rcf_snapshot(r, &s3);
    assert_int_equal(s2.len, s3.len);
    assert_memory_equal(s2.p, s3.p, s2.len);
    sl_rcf_free(r);
    /* Truncated, bad magic, flipped tree bytes. */
    err = NULL;
    assert_null(sl_rcf_restore(snap.p, snap.len - 1, 0, &err));
    assert_non_null(err);
    snap.p[0] ^= 1;
    assert_null(sl_rcf_restore(snap.p, snap.len, 0, &err));
    snap.p[0] ^= 1;
    size_t flips = 0;
    for (size_t at = 200; at < snap.len; at += snap.len / 37) {
        snap.p[at] ^= 0x40;
        sl_rcf_t *x = sl_rcf_restore(snap.p, snap.len, 0, &err);
        if (!x)
            flips++;
        else { /* a flip the checks cannot see (a key, an RNG word) must still be usable */
            assert_valid(x);
            sl_rcf_score_update(x, row);
            sl_rcf_free(x);
        }
        snap.p[at] ^= 0x40;
    }
    assert_true(flips > 0);
    sl_buf_free(&snap);
    sl_buf_free(&s2);
    sl_buf_free(&s3);
    sl_rcf_free(f);
}

/* Heavy eviction (timeDecay just above the sample size), duplicates and small samples
 * keep every invariant; non-finite rows score 0 and are not learnt. */
static void test_invariants_and_nonfinite(void **state)
{
    sl_rcf_config_t c;
    sl_rcf_config_default(&c, 2);
    c.sample_size = 10;
    c.time_decay = 11;
    c.trees = 7;
    sl_rcf_t *f = sl_rcf_new(&c);
    gauss_t g = {8};
    for (int i = 0; i < 3000; i++) {
        double row[2] = {floor(gauss_next(&g) * 2), i % 4 ? gauss_next(&g) : 1.0};
        sl_rcf_score_update(f, row);
        if (i % 100 == 0) assert_valid(f);
    }
    assert_valid(f);
    uint64_t n = sl_rcf_points(f);
    assert_true(sl_rcf_score_update(f, (double[]){NAN, 1}) == 0);
    assert_true(sl_rcf_score_update(f, (double[]){1, INFINITY}) == 0);
    assert_int_equal(sl_rcf_points(f), n);
    assert_true(sl_rcf_score(f, (double[]){1, -INFINITY}) == 0);
    assert_valid(f);
    sl_rcf_free(f);
    sl_rcf_free(NULL);
}

/* KDA's ANOMALY_EXPLANATION shape: 4-decimal strings, DIRECTION/STRENGTH only with
 * directionality, names escaped; the output parses as JSON. */
static void test_explain_format(void **state)
{
    const char *names[] = {"Systolic", "Dia\"stolic"};
    double hi[] = {0.1435, 0.17765}, lo[] = {0.2357, 0.15465};
    sl_buf_t b = SL_BUF_INIT;
    sl_rcf_explain_format(&b, 2, names, hi, lo, true);
    assert_string_equal(b.p, "{\"Systolic\":{\"DIRECTION\":\"LOW\",\"STRENGTH\":\"0.0922\","
                             "\"ATTRIBUTION_SCORE\":\"0.3792\"},\"Dia\\\"stolic\":{\"DIRECTION\":"
                             "\"HIGH\",\"STRENGTH\":\"0.0230\",\"ATTRIBUTION_SCORE\":\"0.3323\"}}");
    sl_arena_t *a = sl_arena_new(0);
    const char *err = NULL;
    sl_val_t *v = sl_json_parse(a, b.p, b.len, &err);
    assert_non_null(v);
    assert_non_null(sl_val_get(v, "Dia\"stolic"));
    sl_buf_reset(&b);
    sl_rcf_explain_format(&b, 1, names, (double[]){0}, (double[]){0}, true);
    assert_string_equal(b.p, "{\"Systolic\":{\"DIRECTION\":\"LOW\",\"STRENGTH\":\"0.0000\","
                             "\"ATTRIBUTION_SCORE\":\"0.0000\"}}");
    sl_buf_reset(&b);
    sl_rcf_explain_format(&b, 1, names, hi, lo, false);
    assert_string_equal(b.p, "{\"Systolic\":{\"ATTRIBUTION_SCORE\":\"0.3792\"}}");
    sl_arena_free(a);
    sl_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_warmup),
        cmocka_unit_test(test_golden_square_wave),
        cmocka_unit_test(test_golden_flatline),
        cmocka_unit_test(test_outlier_and_inliers),
        cmocka_unit_test(test_attribution),
        cmocka_unit_test(test_shingle_period_break),
        cmocka_unit_test(test_determinism_threads),
        cmocka_unit_test(test_threads_explain_wide),
        cmocka_unit_test(test_sampler),
        cmocka_unit_test(test_snapshot_restore),
        cmocka_unit_test(test_invariants_and_nonfinite),
        cmocka_unit_test(test_explain_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
