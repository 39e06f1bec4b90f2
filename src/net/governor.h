/* governor.h: the rate governor: one request budget per API account (a HighLevel location, a
 * PheedLoop organization) with priority lanes and a daily reserve, corrected from the answers'
 * X-RateLimit-* headers. Two layers: the bucket (pure arithmetic on an injected clock) and the
 * governor (thread-safe; blocks callers until the bucket lets them go, higher lanes first).
 *
 * What it guarantees. The bucket counts a request from the moment it is sent until one interval
 * (plus a small margin) after its answer came back, and lets a new request go only while fewer
 * than max_per_interval are counted. A server timestamps a request somewhere between our send
 * and our receipt of the answer, so any two of our requests that a server could place within
 * one interval of each other were both counted when the later one was sent. Hence: at most
 * max_per_interval of our requests ever fall in any interval-long span of server time, whatever
 * the phase of the server's windows. Our own traffic therefore never trips a fixed-window
 * limiter (windows starting anywhere, as HighLevel's) nor a sliding-window one of that size.
 * The cost against the ideal is one answer latency plus the margin per interval (about 1% at
 * 100 per second on loopback). Assumptions: the server's clock runs at our rate, and a request
 * that timed out on our side no longer reaches the server afterwards.
 * What it cannot guarantee: other users of the same budget. When X-RateLimit-Remaining shows
 * fewer requests left than our own traffic explains, the difference is taken as someone
 * else's use and withheld for the next interval (best effort); after a 429 nobody is let go
 * until the wait the answer asked for has passed. The daily count follows
 * X-RateLimit-Daily-Remaining and stops reserve requests short of the end.
 *
 * Processes sharing one budget (several workers over one store) also pass each request through
 * governor_config.shared after their own bucket: a count every process updates atomically (in
 * the store, a row per account), with no change to callers. */
#ifndef PHEEDSYNC_GOVERNOR_H
#define PHEEDSYNC_GOVERNOR_H

#include "net/retry.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef enum governor_lane {
    GOVERNOR_LANE_LIVE = 0,  /* changes happening now: webhooks, user actions */
    GOVERNOR_LANE_BACKFILL,  /* first import, catch-up polling */
    GOVERNOR_LANE_RECONCILE, /* the periodic full comparison */
    GOVERNOR_LANES
} governor_lane;

/* "live", "backfill", "reconcile"; NULL for anything else. */
const char *governor_lane_name(governor_lane lane);
/* The lane named name; -1 when unknown. */
int governor_lane_parse(const char *name);

/* A budget shared with other processes (a row per account in the store they share), asked
 * after this process's bucket let a request go. take: 0 with *retry_in_ms 0 when the request
 * may go, 0 with the wait when not yet; a negative ERR_* when the shared budget cannot be
 * reached (the request then goes on this process's bucket alone, with a warning). max and
 * interval_ms: the limits in force for the budget named name. */
typedef struct governor_shared {
    int (*take)(void *ctx, const char *name, int64_t max, int64_t interval_ms,
                int64_t *retry_in_ms, err *e);
    void *ctx;
} governor_shared;

typedef struct governor_config {
    int64_t max_per_interval;    /* requests per interval; 0: no interval limit */
    int64_t interval_ms;         /* the interval; needed when max_per_interval > 0 */
    int64_t daily_limit;         /* requests per day; 0: no daily limit */
    int64_t daily_reserve;       /* of the daily budget, never used: left for the user's tools */
    int64_t bulk_daily_headroom; /* backfill and reconcile also stop this much earlier, so that
                                    live changes still get through late in the day */
    double lane_share[GOVERNOR_LANES]; /* share of each interval a lane may fill, in (0, 1];
                                          0 means 1 */
    int64_t margin_ms;           /* added to the interval; 0: max(5, interval / 100); -1: none */
    int max_in_flight;           /* concurrent requests; 0: no limit */
    /* Adopt X-RateLimit-Max, -Interval-Milliseconds and -Limit-Daily from answers, correct the
     * counts from -Remaining and -Daily-Remaining, and send one request at a time until the
     * first answer has come back (the server may still count a previous run's requests). */
    bool learn_from_headers;
    int64_t day_offset_ms;       /* the daily budget resets at 00:00 UTC plus this */
    governor_shared shared;      /* take NULL: this process is alone on the budget */
} governor_config;

/* A request let go: give it back to governor_bucket_done() / governor_release(). */
typedef struct governor_ticket {
    uint64_t seq;        /* its number among all requests let go */
    int64_t sent_ms;     /* monotonic time it was let go */
    int64_t day;         /* the budget day it counted against */
    governor_lane lane;
} governor_ticket;

/* How a request ended, for the accounting. */
typedef struct governor_result {
    bool sent;                   /* false: it surely never reached the server */
    int status;                  /* HTTP status; 0 when no answer came */
    const retry_rate_info *rate; /* the answer's headers; may be NULL */
} governor_result;

typedef struct governor_verdict {
    bool allowed;
    int64_t wait_ms; /* not allowed: when it may be (from now); -1 when only a request in flight
                        finishing can change it */
    const char *why; /* "blocked", "probe", "in_flight", "interval", "daily" */
} governor_verdict;

/* The bucket. Its fields are private; it is a plain struct so that it can be embedded. */
typedef struct governor_bucket {
    governor_config cfg;
    int64_t max, interval_ms, margin_ms, daily_limit; /* in force (learned or configured) */
    int in_flight;
    uint64_t sends;
    bool probing;
    int64_t blocked_until;           /* monotonic ms: nothing goes before (after a 429) */
    int64_t external, external_until; /* others' use seen in the headers, and until when */
    int64_t *done;                   /* answer times (monotonic ms), ascending */
    size_t done_start, done_len, done_cap;
    int64_t day, used_today;         /* the budget day and our requests in it */
    bool obs_valid;                  /* a Daily-Remaining observation holds for today */
    int64_t obs_left;                /* what it implied was left when it was made */
    uint64_t obs_sends, obs_seq;     /* sends at that moment; the observed request's seq */
    int64_t daily_blocked_until;     /* wall ms: the server said the day's budget is gone */
} governor_bucket;

int governor_bucket_init(governor_bucket *b, const governor_config *cfg, const clock_source *clk,
                         err *e);
void governor_bucket_free(governor_bucket *b);
/* May a request of this lane go now? */
governor_verdict governor_bucket_check(governor_bucket *b, governor_lane lane,
                                       const clock_source *clk);
/* Counts a request as sent (after an allowing check). */
void governor_bucket_take(governor_bucket *b, governor_lane lane, const clock_source *clk,
                          governor_ticket *out);
/* Counts its end and learns from the answer's headers. */
void governor_bucket_done(governor_bucket *b, const governor_ticket *t, const governor_result *r,
                          const clock_source *clk);
/* Requests the server may count in the current interval, by our books (in flight + recent). */
int64_t governor_bucket_used(governor_bucket *b, const clock_source *clk);
/* What is left of today's budget by our books (-1: no daily limit). */
int64_t governor_bucket_daily_left(governor_bucket *b, const clock_source *clk);
json_t *governor_bucket_json(governor_bucket *b, const clock_source *clk);

typedef struct governor governor;

/* name labels the budget in state and messages ("ghl:LOCATION_ID"). clk NULL: system clock. */
int governor_new(governor **out, const char *name, const governor_config *cfg, clock_source *clk,
                 err *e);
/* Call only when nobody waits in governor_acquire() (see governor_shutdown()). */
void governor_free(governor *g);
/* Blocks until a request of this lane may go: waiters of a higher lane go first, FIFO within a
 * lane. max_wait_ms < 0: no bound. Returns ERR_LIMIT without waiting when the bucket says the
 * wait is longer than max_wait_ms (a spent daily budget), or once max_wait_ms passed; then
 * *wait_hint_ms (may be NULL) holds the bucket's estimate, -1 when unknown. ERR_BAD_STATE after
 * governor_shutdown(). On a fake clock the first waiter advances the clock instead of sleeping. */
int governor_acquire(governor *g, governor_lane lane, int64_t max_wait_ms, governor_ticket *out,
                     int64_t *wait_hint_ms, err *e);
void governor_release(governor *g, const governor_ticket *t, const governor_result *r);
/* Wakes every waiter with ERR_BAD_STATE and refuses new ones. */
void governor_shutdown(governor *g);
/* Makes waiters look again (after a fake clock moved). */
void governor_wake(governor *g);
/* {"name", "waiting": {lane: n}, "granted": {lane: n}, ...the bucket's state} */
json_t *governor_state_json(governor *g);

#endif
