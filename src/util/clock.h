/* clock.h: the injectable clock: system time in production, a settable fake in tests. */
#ifndef PHEEDSYNC_CLOCK_H
#define PHEEDSYNC_CLOCK_H

#include "util/common.h"
#include "util/err.h"

#include <stdatomic.h>
#include <time.h>

typedef struct clock_source {
    bool fake;
    _Atomic int64_t wall_ms; /* fake only */
    _Atomic int64_t mono_ms; /* fake only */
} clock_source;

/* The process-wide real clock. */
clock_source *clock_system(void);
/* A fake clock starting at wall_ms (Unix milliseconds); it moves only when advanced. */
void clock_fake_init(clock_source *c, int64_t wall_ms);
void clock_fake_advance(clock_source *c, int64_t ms);

/* Wall time, Unix milliseconds. */
int64_t clock_now_ms(const clock_source *c);
/* Monotonic milliseconds, for durations and deadlines. */
int64_t clock_mono_ms(const clock_source *c);
/* The system's CLOCK_MONOTONIC ms from now, as pthread_cond_timedwait wants it for a condition
 * variable set to that clock. */
struct timespec clock_mono_deadline(int64_t ms);
/* Sleeps for real on the system clock; advances a fake clock instead. */
void clock_sleep_ms(clock_source *c, int64_t ms);

#define CLOCK_ISO_LEN 32
/* "2026-11-27T07:47:59.123Z" */
void clock_format_iso(int64_t unix_ms, char out[CLOCK_ISO_LEN]);
/* "2026-11-27" */
void clock_format_date(int64_t unix_ms, char out[CLOCK_ISO_LEN]);
/* Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; a date alone is midnight UTC. */
int clock_parse_iso(int64_t *out_ms, const char *s, err *e);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12; day 1-31). */
int64_t clock_days_from_civil(int64_t y, int m, int d);

#endif
