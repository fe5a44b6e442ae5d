/*
 * clock.h - the injected clock.
 *
 * Every component that needs "now" (arrival timestamps, iterator expiry, retention, rowtime
 * bounds of idle sources) asks sl_clock_now_ms(). Production reads CLOCK_REALTIME; tests
 * install a virtual clock with sl_clock_set() and drive time explicitly through the same
 * code paths.
 */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <stdint.h>

typedef int64_t (*sl_clock_fn)(void *ctx);

/* Wall-clock milliseconds since the Unix epoch (or the virtual clock's value). */
int64_t sl_clock_now_ms(void);
/* Monotonic nanoseconds, for measuring durations; never virtual. */
int64_t sl_clock_mono_ns(void);
/* Installs fn as the source of sl_clock_now_ms(); NULL restores the real clock. Not
 * thread-safe against concurrent readers: call before starting threads. */
void sl_clock_set(sl_clock_fn fn, void *ctx);

/* Formats epoch ms as "YYYY-MM-DD HH:MM:SS.mmm" (UTC) into out (at least 24 bytes). */
void sl_clock_format_ms(int64_t ms, char *out);

#endif
