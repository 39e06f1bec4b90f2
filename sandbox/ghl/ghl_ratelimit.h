/* ghl_ratelimit.h: HighLevel's rate limits per location (a burst window and a daily budget),
 * the X-RateLimit-* headers, and 429 past them. */
#ifndef PHEEDSYNC_SANDBOX_GHL_RATELIMIT_H
#define PHEEDSYNC_SANDBOX_GHL_RATELIMIT_H

#include "net/http_server.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef struct ghl_ratelimit_options {
    int max_per_interval; /* default 100 */
    int interval_ms;      /* default 10000 */
    int max_daily;        /* default 200000 */
} ghl_ratelimit_options;

typedef struct ghl_ratelimit ghl_ratelimit;

int ghl_ratelimit_new(ghl_ratelimit **out, const ghl_ratelimit_options *opts, clock_source *clock,
                      err *e);
void ghl_ratelimit_free(ghl_ratelimit *r);
void ghl_ratelimit_set(ghl_ratelimit *r, const ghl_ratelimit_options *opts);
void ghl_ratelimit_get(ghl_ratelimit *r, ghl_ratelimit_options *out);
/* Counts one request against account (a location id); always sets X-RateLimit-Max, -Remaining,
 * -Interval-Milliseconds, -Limit-Daily, -Daily-Remaining on res; past a limit fills res with
 * 429 and returns false. */
bool ghl_ratelimit_take(ghl_ratelimit *r, const char *account, http_response *res);
void ghl_ratelimit_reset(ghl_ratelimit *r);

#endif
