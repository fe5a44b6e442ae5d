/*
 * clock.c - real and virtual clocks; see clock.h.
 */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static sl_clock_fn clock_fn;
static void *clock_ctx;

int64_t sl_clock_now_ms(void)
{
    if (clock_fn) return clock_fn(clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sl_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sl_clock_set(sl_clock_fn fn, void *ctx)
{
    clock_fn = fn;
    clock_ctx = ctx;
}

void sl_clock_format_ms(int64_t ms, char *out)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char tmp[64]; /* wide enough for any int fields, so the compiler sees no truncation */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    memcpy(out, tmp, 23);
    out[23] = '\0';
}
