/*
 * test_functions_hotspots.c - HOTSPOTS (functions/hotspots.h): KDA's documented example
 * (a moving 1x1 square holding 20% of the points of a 10x10 field, windowSize 1000,
 * scanRadius 0.2, 17 points), uniform data, duplicates, several dimensions, the sliding
 * window, a brute-force cross-check of the grid, the JSON, and snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "hotspots.h"
#include "val.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static double u01(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static sl_hotspots_t *detector(int dims, int window, double radius, int minpts)
{
    sl_hotspots_config_t c = {dims, window, radius, minpts};
    assert_null(sl_hotspots_config_check(&c));
    sl_hotspots_t *h = sl_hotspots_new(&c);
    assert_non_null(h);
    return h;
}

static void test_config_check(void **state)
{
    sl_hotspots_config_t ok = {2, 1000, 0.2, 17};
    assert_null(sl_hotspots_config_check(&ok));
    sl_hotspots_config_t c = ok;
    c.window_size = 99;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "windowSize"));
    c.window_size = 1001;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "windowSize"));
    c = ok;
    c.scan_radius = 0;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "scanRadius"));
    c.scan_radius = NAN;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "scanRadius"));
    c = ok;
    c.min_points = 1;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "minimumNumberOfPointsInAHotspot"));
    c.min_points = 1001;
    assert_non_null(strstr(sl_hotspots_config_check(&c), "minimumNumberOfPointsInAHotspot"));
    c = ok;
    c.dims = 0;
    assert_non_null(sl_hotspots_config_check(&c));
    assert_null(sl_hotspots_new(&c));
    c = ok;
    c.min_points = 1000;
    c.window_size = 1000;
    assert_null(sl_hotspots_config_check(&c));
}

/* The dev guide's generator: 20% of the points in a 1x1 square that moves every 1000
 * records, the rest uniform over 10x10. Once the window holds one position only, the
 * densest hotspot is the square, far denser than the background (8 per unit area), and
 * no other hotspot reaches the viewer's threshold of 40. */
static void test_kda_example(void **state)
{
    rng_state = 11;
    sl_hotspots_t *h = detector(2, 1000, 0.2, 17);
    for (int epoch = 0; epoch < 3; epoch++) {
        double sx = u01() * 9, sy = u01() * 9;
        for (int i = 0; i < 1000; i++) {
            double row[2];
            if (u01() < 0.2) {
                row[0] = sx + u01();
                row[1] = sy + u01();
            } else {
                row[0] = u01() * 10;
                row[1] = u01() * 10;
            }
            sl_hotspots_update(h, row);
        }
        assert_true(sl_hotspots_count(h) >= 1);
        sl_hotspot_t top = sl_hotspots_get(h, 0);
        assert_true(top.density > 80); /* about 10x the background */
        assert_true(top.count >= 150 && top.count <= 320);
        assert_true(top.min[0] < sx + 0.1 && top.max[0] > sx + 0.9);
        assert_true(top.min[1] < sy + 0.1 && top.max[1] > sy + 0.9);
        assert_true(top.min[0] > sx - 0.6 && top.max[0] < sx + 1.6);
        assert_true(top.min[1] > sy - 0.6 && top.max[1] < sy + 1.6);
        for (int i = 1; i < sl_hotspots_count(h); i++)
            assert_true(sl_hotspots_get(h, i).density < 40);
    }
    sl_hotspots_free(h);
}

/* Uniform data: no hotspot with density >= 40 at any step. */
static void test_uniform(void **state)
{
    rng_state = 5;
    sl_hotspots_t *h = detector(2, 1000, 0.2, 17);
    double worst = 0;
    for (int i = 0; i < 2500; i++) {
        double row[2] = {u01() * 10, u01() * 10};
        sl_hotspots_update(h, row);
        for (int k = 0; k < sl_hotspots_count(h); k++)
            if (sl_hotspots_get(h, k).density > worst) worst = sl_hotspots_get(h, k).density;
    }
    assert_true(worst < 40);
    sl_hotspots_free(h);
}

/* Duplicates: one hotspot, its box a point, its size floored at scanRadius per side. */
static void test_duplicates_and_window(void **state)
{
    sl_hotspots_t *h = detector(2, 100, 0.5, 5);
    for (int i = 0; i < 100; i++) sl_hotspots_update(h, (double[]){3, 4});
    assert_int_equal(sl_hotspots_count(h), 1);
    sl_hotspot_t s = sl_hotspots_get(h, 0);
    assert_int_equal(s.count, 100);
    assert_true(fabs(s.density - 100 / (0.5 * 0.5)) < 1e-9);
    assert_true(s.min[0] == 3 && s.max[1] == 4);
    /* Non-finite records are ignored. */
    sl_hotspots_update(h, (double[]){NAN, 1});
    assert_int_equal(sl_hotspots_get(h, 0).count, 100);
    /* 96 spread-out records later only 4 duplicates remain: below the minimum. */
    for (int i = 0; i < 96; i++) sl_hotspots_update(h, (double[]){i * 10.0, -50});
    assert_int_equal(sl_hotspots_count(h), 0);
    sl_hotspots_free(h);
}

/* Groups by brute force (O(n^2) single linkage) for the cross-check. */
static int brute_counts(const double *pts, int n, int d, double eps, int minpts, int *counts)
{
    int *comp = sl_malloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) comp[i] = i;
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++)
                    s += (pts[i * d + k] - pts[j * d + k]) * (pts[i * d + k] - pts[j * d + k]);
                if (s <= eps * eps && comp[j] < comp[i]) {
                    comp[i] = comp[j];
                    changed = true;
                }
            }
    }
    int ng = 0;
    for (int r = 0; r < n; r++) {
        int c = 0;
        for (int i = 0; i < n; i++) c += comp[i] == r;
        if (c >= minpts) counts[ng++] = c;
    }
    sl_free(comp);
    return ng;
}

static int cmp_int_desc(const void *a, const void *b)
{
    return *(const int *)b - *(const int *)a;
}

/* The incremental grid and graph find exactly the groups a brute-force search of the
 * window finds, in 1 to 5 dimensions (above 3 the grid is keyed on the first three
 * coordinates), while records slide through the window and the grid is rebuilt. */
static void test_against_brute_force(void **state)
{
    enum { W = 100, N = 700 };
    for (int d = 1; d <= 5; d++) {
        rng_state = 100 + (uint64_t)d;
        double eps = d == 1 ? 0.02 : 0.15 * d;
        sl_hotspots_t *h = detector(d, W, eps, 3);
        double *pts = sl_malloc((size_t)N * d * sizeof(double));
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < d; k++)
                pts[i * d + k] =
                    u01() * 4 + (i % 3 == 0 ? 0 : floor(u01() * 3) * 10) + (i / 200) * 7;
            sl_hotspots_update(h, pts + (size_t)i * d);
            if (i % 37 != 36) continue;
            int lo = i + 1 > W ? i + 1 - W : 0;
            int want[W], got[W];
            int nw = brute_counts(pts + (size_t)lo * d, i + 1 - lo, d, eps, 3, want);
            int ng = sl_hotspots_count(h);
            assert_int_equal(ng, nw);
            for (int g = 0; g < ng; g++) got[g] = sl_hotspots_get(h, g).count;
            qsort(want, (size_t)nw, sizeof(int), cmp_int_desc);
            qsort(got, (size_t)ng, sizeof(int), cmp_int_desc);
            assert_memory_equal(want, got, (size_t)ng * sizeof(int));
            for (int g = 1; g < ng; g++)
                assert_true(sl_hotspots_get(h, g - 1).density >= sl_hotspots_get(h, g).density);
        }
        sl_free(pts);
        sl_hotspots_free(h);
    }
}

/* HOTSPOTS_RESULT parses as JSON with KDA's field names, densest first. */
static void test_json(void **state)
{
    sl_hotspots_t *h = detector(3, 100, 0.5, 3);
    sl_buf_t b = SL_BUF_INIT;
    sl_hotspots_format(h, &b);
    assert_string_equal(b.p, "{\"hotspots\":[]}");
    for (int i = 0; i < 4; i++) sl_hotspots_update(h, (double[]){1, 2, 0.1 * i});
    for (int i = 0; i < 3; i++) sl_hotspots_update(h, (double[]){-5, 0, 0.4 * i});
    sl_buf_reset(&b);
    sl_hotspots_format(h, &b);
    /* sides 0, 0, 0.3 floored at 0.5: 4 / 0.125; 0.1 * 3 printed exactly */
    assert_string_equal(
        b.p, "{\"hotspots\":[{\"density\":32,\"minValues\":[1,2,0],"
             "\"maxValues\":[1,2,0.30000000000000004]},{\"density\":15,\"minValues\":[-5,0,0],"
             "\"maxValues\":[-5,0,0.8]}]}");
    sl_arena_t *a = sl_arena_new(0);
    const char *err = NULL;
    sl_val_t *v = sl_json_parse(a, b.p, b.len, &err);
    assert_non_null(v);
    sl_val_t *arr = sl_val_get(v, "hotspots");
    assert_non_null(arr);
    assert_int_equal(arr->u.arr.n, 2);
    assert_non_null(sl_val_get(arr->u.arr.items[0], "minValues"));
    sl_arena_free(a);
    sl_buf_free(&b);
    sl_hotspots_free(h);
    sl_hotspots_free(NULL);
}

/* The JSON of h's current hotspots (heap). */
static char *json_of(const sl_hotspots_t *h)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_hotspots_format(h, &b);
    return sl_buf_steal(&b);
}

/* A detector restored from a snapshot - taken before the window fills, when it is full,
 * and after it wrapped - gives the same hotspots as the original at every later update;
 * truncated, foreign and inconsistent images are refused. */
static void test_snapshot_restore(void **state)
{
    (void)state;
    const int cuts[] = {0, 40, 100, 237};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        rng_state = 42;
        sl_hotspots_t *h = detector(2, 100, 0.3, 3);
        double row[2];
        for (int i = 0; i < cuts[c]; i++) {
            row[0] = floor(u01() * 6) + u01() * 0.2; /* clusters at integer points */
            row[1] = u01() * 3;
            sl_hotspots_update(h, row);
        }
        sl_buf_t snap = SL_BUF_INIT;
        sl_hotspots_snapshot(h, &snap);
        const char *err = NULL;
        sl_hotspots_t *r = sl_hotspots_restore(snap.p, snap.len, &err);
        assert_non_null(r);
        char *a = json_of(h), *b = json_of(r);
        assert_string_equal(a, b);
        sl_free(a);
        sl_free(b);
        for (int i = 0; i < 300; i++) {
            row[0] = floor(u01() * 6) + u01() * 0.2;
            row[1] = u01() * 3;
            assert_int_equal(sl_hotspots_update(h, row), sl_hotspots_update(r, row));
            a = json_of(h);
            b = json_of(r);
            assert_string_equal(a, b);
            sl_free(a);
            sl_free(b);
        }
        /* The same image again: a snapshot of the restored detector is byte for byte the
         * original's. */
        sl_buf_t s1 = SL_BUF_INIT, s2 = SL_BUF_INIT;
        sl_hotspots_snapshot(h, &s1);
        sl_hotspots_snapshot(r, &s2);
        assert_int_equal(s1.len, s2.len);
        assert_memory_equal(s1.p, s2.p, s1.len);
        /* Damage. */
        assert_null(sl_hotspots_restore(snap.p, snap.len - 1, &err));
        assert_non_null(err);
        for (size_t cut = 0; cut < 48 && cut < snap.len; cut += 5) {
            err = NULL;
            assert_null(sl_hotspots_restore(snap.p, cut, &err));
            assert_non_null(err);
        }
        char *bad = sl_malloc(snap.len);
        memcpy(bad, snap.p, snap.len);
        bad[0] ^= 1; /* magic */
        assert_null(sl_hotspots_restore(bad, snap.len, &err));
        memcpy(bad, snap.p, snap.len);
        int32_t n = 101; /* n, after magic, version, byte order, radius, dims, window, minpts */
        memcpy(bad + 8 + 4 + 4 + 8 + 12, &n, 4);
        assert_null(sl_hotspots_restore(bad, snap.len, &err));
        if (cuts[c] > 0) {
            memcpy(bad, snap.p, snap.len);
            double inf = INFINITY;
            memcpy(bad + snap.len - sizeof inf, &inf, sizeof inf);
            assert_null(sl_hotspots_restore(bad, snap.len, &err));
        }
        sl_free(bad);
        sl_buf_free(&snap);
        sl_buf_free(&s1);
        sl_buf_free(&s2);
        sl_hotspots_free(h);
        sl_hotspots_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_kda_example),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_duplicates_and_window),
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_snapshot_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
