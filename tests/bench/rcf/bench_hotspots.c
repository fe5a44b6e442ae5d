/*
 * bench_hotspots.c - HOTSPOTS throughput on KDA's documented example: x, y in a 10x10
 * field, 20% of the records in a 1x1 square that moves every 1000 records,
 * HOTSPOTS(..., 1000, 0.2, 17). Each record updates the window, recomputes the hotspots
 * and formats HOTSPOTS_RESULT, as the SQL function would.
 *
 * Usage: hotspots_bench SECONDS
 * Prints records/s and the densest hotspot at the end against the square's position.
 */
#include "alloc.h"
#include "hotspots.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t st = 1;

static double u01(void)
{
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(st >> 11) * 0x1p-53;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 5;
    sl_hotspots_config_t cfg = {2, 1000, 0.2, 17};
    sl_hotspots_t *h = sl_hotspots_new(&cfg);
    sl_buf_t json = SL_BUF_INIT;
    double sx = 0, sy = 0, t0 = now();
    uint64_t n = 0, bytes = 0;
    do {
        for (int i = 0; i < 1000; i++, n++) {
            if (n % 1000 == 0) {
                sx = u01() * 9;
                sy = u01() * 9;
            }
            double row[2];
            if (u01() < 0.2) {
                row[0] = sx + u01();
                row[1] = sy + u01();
            } else {
                row[0] = u01() * 10;
                row[1] = u01() * 10;
            }
            sl_hotspots_update(h, row);
            sl_buf_reset(&json);
            sl_hotspots_format(h, &json);
            bytes += json.len;
        }
    } while (now() - t0 < secs);
    double el = now() - t0;
    printf("HOTSPOTS(1000, 0.2, 17), 2 columns: %llu records in %.2f s = %.0f records/s "
           "(%.0f bytes of JSON per record)\n",
           (unsigned long long)n, el, (double)n / el, (double)bytes / (double)n);
    if (sl_hotspots_count(h) > 0) {
        sl_hotspot_t s = sl_hotspots_get(h, 0);
        printf("square [%.2f,%.2f]x[%.2f,%.2f]: densest hotspot density %.1f, %d records, "
               "[%.2f,%.2f]x[%.2f,%.2f]; %d hotspots in all\n",
               sx, sx + 1, sy, sy + 1, s.density, s.count, s.min[0], s.max[0], s.min[1], s.max[1],
               sl_hotspots_count(h));
    }
    sl_buf_free(&json);
    sl_hotspots_free(h);
    return 0;
}
