/* retry.h: whether and when to try an API call again: exponential backoff with full jitter,
 * bounded in attempts and elapsed time, and the waits that 429 answers ask for (Retry-After,
 * X-RateLimit-*). Pure arithmetic: the caller passes time and randomness in. */
#ifndef PHEEDSYNC_RETRY_H
#define PHEEDSYNC_RETRY_H

#include "net/api_error.h"
#include "util/err.h"
#include "util/rng.h"

typedef struct retry_policy {
    int max_attempts;       /* tries in all, the first included; default 5 (1: never retry) */
    int64_t base_ms;        /* ceiling of the first backoff; default 500 */
    int64_t cap_ms;         /* largest backoff ceiling; default 30000 */
    int64_t max_elapsed_ms; /* no attempt starts later than this after the first; default 120000 */
} retry_policy;

/* Fills the zero (or negative) fields of p with the defaults above. */
void retry_policy_defaults(retry_policy *p);

/* The backoff before attempt attempt + 1, attempt >= 1 having just failed: "full jitter", a
 * uniform draw in [0, min(cap, base * 2^(attempt-1))]. Spreads retries of many clients so that
 * they do not come back in step. */
int64_t retry_backoff_ms(const retry_policy *p, int attempt, rng *r);

/* What an answer's headers say about rate limits. -1 marks a header that was absent or
 * malformed. */
typedef struct retry_rate_info {
    int64_t max;             /* X-RateLimit-Max: requests per interval */
    int64_t remaining;       /* X-RateLimit-Remaining: left in the current interval */
    int64_t interval_ms;     /* X-RateLimit-Interval-Milliseconds */
    int64_t daily_limit;     /* X-RateLimit-Limit-Daily */
    int64_t daily_remaining; /* X-RateLimit-Daily-Remaining */
    int64_t retry_after_ms;  /* Retry-After, as a delay from the answer */
} retry_rate_info;

void retry_rate_info_init(retry_rate_info *ri);
/* True when any X-RateLimit-* header was seen (Retry-After alone does not count). */
bool retry_rate_info_any(const retry_rate_info *ri);
/* Feeds one answer header (name and value are slices, not NUL-terminated); headers it does not
 * know are ignored. now_wall_ms (Unix ms) turns an HTTP-date Retry-After into a delay. Returns
 * true when the header was recognised and its value valid. */
bool retry_rate_header(retry_rate_info *ri, const char *name, size_t name_len, const char *value,
                       size_t value_len, int64_t now_wall_ms);
/* Retry-After: delta-seconds or an HTTP-date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT");
 * a date in the past gives 0. */
int retry_parse_retry_after(int64_t *out_ms, const char *value, size_t len, int64_t now_wall_ms,
                            err *e);

/* One failed (or successful) attempt, as retry_decide() sees it. */
typedef struct retry_outcome {
    api_error_kind kind;
    bool sent;       /* false only when the request surely never reached the server */
    bool idempotent; /* repeating the request cannot do the work twice */
    const retry_rate_info *rate; /* the answer's headers; may be NULL */
} retry_outcome;

typedef struct retry_decision {
    bool retry;
    int64_t wait_ms;        /* retry: the pause before the next attempt */
    int64_t retry_after_ms; /* no retry on a rate error: when trying again makes sense, from
                               now; -1 when unknown */
    const char *why;        /* a short reason for logs: "backoff", "rate limit", ... */
} retry_decision;

/* Decides after attempts_done attempts (>= 1) that took elapsed_ms since the first began.
 * - Success and non-retryable kinds (auth, scope, not found, validation, duplicate, permanent)
 *   are never retried.
 * - 429 is retried whatever the method: the limiter refused it before any work was done. The
 *   wait is Retry-After, else a full interval when X-RateLimit-Remaining is 0, else a backoff.
 *   An exhausted daily budget (X-RateLimit-Daily-Remaining: 0) is not retried: the wait is
 *   hours; retry_after_ms says when, if the answer said.
 * - Transient failures are retried with backoff, but a request that is not idempotent only when
 *   it was never sent (a refused connection): after a 5xx, timeout or reset the server may have
 *   acted, and only the caller knows how to make a repeat safe.
 * - Never past max_attempts, and never when the next attempt would start after max_elapsed_ms. */
retry_decision retry_decide(const retry_policy *p, int attempts_done, int64_t elapsed_ms,
                            const retry_outcome *o, rng *r);

#endif
