/*
 * test_functions_sketch.c - the algorithms behind TOP_K_ITEMS_TUMBLING and
 * COUNT_DISTINCT_ITEMS_TUMBLING: Space-Saving (functions/topk.h) exact while the distinct
 * items fit its counters and within its guarantee beyond; the distinct counter
 * (functions/hll.h) exact up to 10,000 items and within 2.5 % of the truth at 10^5 and
 * 10^6 (fixed seeds); merges and resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "hll.h"
#include "topk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Adds integer item v to t. */
static void topk_add_int(sl_topk_t *t, int64_t v) { sl_topk_add(t, &v, sizeof v, sl_hll_hash(&v, sizeof v)); }

static int64_t item_int(const sl_topk_item_t *it)
{
    int64_t v;
    assert_int_equal(it->len, sizeof v);
    memcpy(&v, it->key, sizeof v);
    return v;
}

/* Distinct items within the capacity: exact counts, ordered by count then first sight. */
static void test_topk_exact(void **st)
{
    (void)st;
    rng_state = 11;
    enum { D = 300, CAP = 300 };
    int64_t truth[D] = {0}, first[D];
    for (int i = 0; i < D; i++) first[i] = -1;
    sl_topk_t *t = sl_topk_new(CAP);
    int64_t n = 0;
    for (int r = 0; r < 20000; r++) {
        int64_t v = (int64_t)(rnd() % D);
        if (rnd() % 3 == 0) v = (int64_t)(rnd() % 7); /* a few heavy items */
        if (first[v] < 0) first[v] = n;
        truth[v]++;
        n++;
        topk_add_int(t, v);
    }
    assert_true(sl_topk_exact(t));
    assert_int_equal(sl_topk_total(t), n);
    sl_topk_item_t *out = SL_NEWN(sl_topk_item_t, D);
    size_t m = sl_topk_result(t, D, out);
    assert_int_equal(m, sl_topk_size(t));
    for (size_t i = 0; i < m; i++) {
        int64_t v = item_int(&out[i]);
        assert_int_equal(out[i].count, truth[v]);
        assert_int_equal(out[i].error, 0);
        if (i) {
            int64_t p = item_int(&out[i - 1]);
            assert_true(out[i - 1].count > out[i].count ||
                        (out[i - 1].count == out[i].count && first[p] < first[v]));
        }
    }
    /* k smaller than the monitored items: the first k of the same order. */
    sl_topk_item_t top3[3];
    assert_int_equal(sl_topk_result(t, 3, top3), 3);
    for (int i = 0; i < 3; i++) assert_int_equal(item_int(&top3[i]), item_int(&out[i]));
    sl_free(out);
    sl_topk_free(t);
}

/* More distinct items than counters: count - error <= truth <= count, error <= N/cap, and
 * every item more frequent than N/cap is monitored; a skewed stream's top items are found. */
static void test_topk_guarantee(void **st)
{
    (void)st;
    rng_state = 7;
    enum { D = 5000, CAP = 100 };
    int64_t *truth = SL_NEWN(int64_t, D);
    sl_topk_t *t = sl_topk_new(CAP);
    int64_t n = 0;
    for (int r = 0; r < 200000; r++) {
        /* Zipf-like: item floor(D^u) - 1 with u uniform. */
        double u = (double)(rnd() >> 11) / 9007199254740992.0;
        int64_t v = (int64_t)pow(D, u) - 1;
        if (v < 0) v = 0;
        if (v >= D) v = D - 1;
        truth[v]++;
        n++;
        topk_add_int(t, v);
    }
    assert_false(sl_topk_exact(t));
    assert_int_equal(sl_topk_size(t), CAP);
    sl_topk_item_t out[CAP];
    size_t m = sl_topk_result(t, CAP, out);
    assert_int_equal(m, CAP);
    int64_t bound = n / CAP;
    bool *seen = SL_NEWN(bool, D);
    for (size_t i = 0; i < m; i++) {
        int64_t v = item_int(&out[i]);
        seen[v] = true;
        assert_true(out[i].count - out[i].error <= truth[v]);
        assert_true(truth[v] <= out[i].count);
        assert_true(out[i].error <= bound);
    }
    for (int v = 0; v < D; v++)
        if (truth[v] > bound) assert_true(seen[v]);
    /* The five most frequent items are 0..4 (decreasing truth), and are reported so. */
    for (int i = 0; i < 5; i++) assert_int_equal(item_int(&out[i]), i);
    sl_free(seen);
    sl_free(truth);
    sl_topk_free(t);
}

/* Long string keys, growth of the counters, reset between windows. */
static void test_topk_strings_reset(void **st)
{
    (void)st;
    sl_topk_t *t = sl_topk_new(sl_topk_capacity_for(3));
    assert_int_equal(sl_topk_capacity_for(3), 10000);
    assert_int_equal(sl_topk_capacity_for(100000), 400000);
    char key[64];
    for (int w = 0; w < 3; w++) {
        for (int i = 0; i < 2000; i++) {
            int v = i % (500 + w);
            int len = snprintf(key, sizeof key, "a fairly long key number %d of window %d", v, w);
            sl_topk_add(t, key, (size_t)len, sl_hll_hash(key, (size_t)len));
        }
        sl_topk_add(t, "", 0, sl_hll_hash("", 0));
        assert_true(sl_topk_exact(t));
        assert_int_equal(sl_topk_size(t), 500 + w + 1);
        sl_topk_item_t out[2];
        assert_int_equal(sl_topk_result(t, 2, out), 2);
        int len = snprintf(key, sizeof key, "a fairly long key number %d of window %d", 0, w);
        assert_int_equal(out[0].len, (size_t)len);
        assert_memory_equal(out[0].key, key, (size_t)len);
        assert_int_equal(out[0].count, 2000 / (500 + w) + (2000 % (500 + w) > 0));
        sl_topk_reset(t);
        assert_int_equal(sl_topk_total(t), 0);
        assert_int_equal(sl_topk_result(t, 2, out), 0);
    }
    sl_topk_free(t);
}

/* Exact up to 10,000 distinct items (duplicates and the hash 0 included), approximate
 * from the 10,001st. */
static void test_distinct_exact(void **st)
{
    (void)st;
    sl_distinct_t *d = sl_distinct_new();
    for (int rep = 0; rep < 3; rep++)
        for (int64_t v = 0; v < SL_DISTINCT_EXACT - 1; v++) sl_distinct_add(d, sl_hll_hash(&v, sizeof v));
    sl_distinct_add(d, 0);
    sl_distinct_add(d, 0);
    assert_true(sl_distinct_exact(d));
    assert_int_equal(sl_distinct_count(d), SL_DISTINCT_EXACT);
    int64_t v = -1;
    sl_distinct_add(d, sl_hll_hash(&v, sizeof v));
    assert_false(sl_distinct_exact(d));
    int64_t est = sl_distinct_count(d);
    assert_true(fabs((double)est - 10001.0) / 10001.0 < 0.03);
    sl_distinct_reset(d);
    assert_true(sl_distinct_exact(d));
    assert_int_equal(sl_distinct_count(d), 0);
    /* Every count from 0 to 10,000 is exact, strings included. */
    char key[32];
    for (int i = 0; i < SL_DISTINCT_EXACT; i++) {
        int len = snprintf(key, sizeof key, "user-%d", i);
        sl_distinct_add(d, sl_hll_hash(key, (size_t)len));
        sl_distinct_add(d, sl_hll_hash(key, (size_t)len));
        if (i % 997 == 0) assert_int_equal(sl_distinct_count(d), i + 1);
    }
    assert_int_equal(sl_distinct_count(d), SL_DISTINCT_EXACT);
    sl_distinct_free(d);
}

/* Relative error of the estimate for n distinct random 64-bit items, seed fixed. */
static double distinct_error(int64_t n, uint64_t seed)
{
    rng_state = seed;
    sl_distinct_t *d = sl_distinct_new();
    for (int64_t i = 0; i < n; i++) {
        uint64_t x = rnd();
        sl_distinct_add(d, sl_hll_hash(&x, sizeof x));
    }
    double e = ((double)sl_distinct_count(d) - (double)n) / (double)n;
    sl_distinct_free(d);
    return e;
}

static void test_distinct_accuracy(void **st)
{
    (void)st;
    static const int64_t ns[] = {20000, 100000, 1000000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            double e = distinct_error(ns[i], seed);
            printf("distinct n=%lld seed=%llu relative error %+.4f\n", (long long)ns[i],
                   (unsigned long long)seed, e);
            assert_true(fabs(e) < 0.025);
        }
    /* Strings: 10^5 distinct keys, each added twice. */
    sl_distinct_t *d = sl_distinct_new();
    char key[32];
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 100000; i++) {
            int len = snprintf(key, sizeof key, "k%d", i);
            sl_distinct_add(d, sl_hll_hash(key, (size_t)len));
        }
    assert_true(fabs((double)sl_distinct_count(d) - 1e5) / 1e5 < 0.025);
    sl_distinct_free(d);
}

/* Merges: exact with exact (union), exact into a sketch and back, sketches. */
static void test_distinct_merge(void **st)
{
    (void)st;
    sl_distinct_t *a = sl_distinct_new(), *b = sl_distinct_new();
    for (int64_t v = 0; v < 6000; v++) sl_distinct_add(a, sl_hll_hash(&v, sizeof v));
    for (int64_t v = 3000; v < 7000; v++) sl_distinct_add(b, sl_hll_hash(&v, sizeof v));
    sl_distinct_merge(a, b);
    assert_true(sl_distinct_exact(a));
    assert_int_equal(sl_distinct_count(a), 7000);
    /* Past 10,000 by merging: approximate, near the union. */
    sl_distinct_reset(b);
    for (int64_t v = 5000; v < 50000; v++) sl_distinct_add(b, sl_hll_hash(&v, sizeof v));
    assert_false(sl_distinct_exact(b));
    sl_distinct_merge(a, b);
    assert_false(sl_distinct_exact(a));
    assert_true(fabs((double)sl_distinct_count(a) - 50000.0) / 50000.0 < 0.025);
    /* An exact counter merged into a sketch. */
    sl_distinct_t *c = sl_distinct_new();
    for (int64_t v = 100000; v < 105000; v++) sl_distinct_add(c, sl_hll_hash(&v, sizeof v));
    sl_distinct_merge(b, c);
    assert_true(fabs((double)sl_distinct_count(b) - 50000.0) / 50000.0 < 0.025);
    /* Sketch union equals the sketch of the union. */
    sl_hll_t *x = SL_NEW(sl_hll_t), *y = SL_NEW(sl_hll_t), *u = SL_NEW(sl_hll_t);
    for (int64_t v = 0; v < 30000; v++) {
        uint64_t h = sl_hll_hash(&v, sizeof v);
        sl_hll_add(v % 2 ? x : y, h);
        sl_hll_add(u, h);
    }
    sl_hll_merge(x, y);
    assert_memory_equal(x->reg, u->reg, sizeof u->reg);
    assert_true(fabs(sl_hll_estimate(u) - 30000.0) / 30000.0 < 0.025);
    sl_hll_clear(u);
    assert_true(sl_hll_estimate(u) == 0.0);
    sl_free(x);
    sl_free(y);
    sl_free(u);
    sl_distinct_free(a);
    sl_distinct_free(b);
    sl_distinct_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topk_exact),
        cmocka_unit_test(test_topk_guarantee),
        cmocka_unit_test(test_topk_strings_reset),
        cmocka_unit_test(test_distinct_exact),
        cmocka_unit_test(test_distinct_accuracy),
        cmocka_unit_test(test_distinct_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
