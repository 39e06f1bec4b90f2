/* ghl_ratelimit.h: HighLevel's rate limits per location (a burst window and a daily budget),
 * the X-RateLimit-* headers, and 429 past them.
 *
 * What a client can rely on (per account, i.e. per location id):
 * - Burst: fixed windows. A window opens at the first request made after the previous window
 *   ended and lasts interval_ms (monotonic clock); at most max_per_interval requests are
 *   accepted in it. When it ends the count starts again from zero, so waiting
 *   X-RateLimit-Interval-Milliseconds after a 429 is always enough for the burst limit.
 * - Daily: at most max_daily requests per UTC calendar day (wall clock); the count resets at
 *   00:00:00 UTC.
 * - A request is accepted only when both counts are below their limits; only accepted requests
 *   are counted: a 429 consumes nothing.
 * - Every answer, 429 included, carries X-RateLimit-Max (max_per_interval),
 *   X-RateLimit-Remaining (max_per_interval minus the requests accepted in the current window,
 *   after this one), X-RateLimit-Interval-Milliseconds, X-RateLimit-Limit-Daily and
 *   X-RateLimit-Daily-Remaining (max_daily minus today's accepted requests). Never negative.
 * - Past either limit the answer is 429 {"statusCode":429,"message":"Too many requests"}.
 * - sbx_ghl_ratelimit_set applies at once and keeps the counts: a lowered limit may leave
 *   Remaining at 0 until the window (or day) ends; a changed interval moves the current
 *   window's end to start + the new interval.
 * Zero or negative option values mean HighLevel's defaults: 100 per 10000 ms, 200000 a day. */
#ifndef PHEEDSYNC_SANDBOX_GHL_RATELIMIT_H
#define PHEEDSYNC_SANDBOX_GHL_RATELIMIT_H

#include "net/http_server.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef struct sbx_ghl_ratelimit_options {
    int max_per_interval; /* default 100 */
    int interval_ms;      /* default 10000 */
    int max_daily;        /* default 200000 */
} sbx_ghl_ratelimit_options;

typedef struct sbx_ghl_ratelimit sbx_ghl_ratelimit;

int sbx_ghl_ratelimit_new(sbx_ghl_ratelimit **out, const sbx_ghl_ratelimit_options *opts,
                          clock_source *clock, err *e);
void sbx_ghl_ratelimit_free(sbx_ghl_ratelimit *r);
void sbx_ghl_ratelimit_set(sbx_ghl_ratelimit *r, const sbx_ghl_ratelimit_options *opts);
void sbx_ghl_ratelimit_get(sbx_ghl_ratelimit *r, sbx_ghl_ratelimit_options *out);
/* Counts one request against account (a location id); always sets X-RateLimit-Max, -Remaining,
 * -Interval-Milliseconds, -Limit-Daily, -Daily-Remaining on res; past a limit fills res with
 * 429 and returns false. */
bool sbx_ghl_ratelimit_take(sbx_ghl_ratelimit *r, const char *account, http_response *res);
/* Forgets every account's counts (and the rejected total). */
void sbx_ghl_ratelimit_reset(sbx_ghl_ratelimit *r);
/* Admin: {"max_per_interval", "interval_ms", "max_daily", "rejected",
 * "accounts": {id: {"window_count", "day_count"}}}. */
json_t *sbx_ghl_ratelimit_state(sbx_ghl_ratelimit *r);

#endif
