/* retry.c: backoff arithmetic, rate-limit header parsing and the retry decision. */
#include "net/retry.h"

#include "util/clock.h"

void retry_policy_defaults(retry_policy *p)
{
    if (p->max_attempts <= 0)
        p->max_attempts = 5;
    if (p->base_ms <= 0)
        p->base_ms = 500;
    if (p->cap_ms <= 0)
        p->cap_ms = 30000;
    if (p->max_elapsed_ms <= 0)
        p->max_elapsed_ms = 120000;
}

/* min(cap, base * 2^(attempt-1)) without overflow. */
static int64_t backoff_ceiling(const retry_policy *p, int attempt)
{
    int64_t c = p->base_ms > 0 ? p->base_ms : 1;
    int64_t cap = p->cap_ms > 0 ? p->cap_ms : c;
    for (int i = 1; i < attempt && c < cap; i++)
        c = c > INT64_MAX / 2 ? INT64_MAX : c * 2;
    return PS_MIN(c, cap);
}

int64_t retry_backoff_ms(const retry_policy *p, int attempt, rng *r)
{
    return (int64_t)rng_below(r, (uint64_t)backoff_ceiling(p, attempt) + 1);
}

void retry_rate_info_init(retry_rate_info *ri)
{
    ri->max = ri->remaining = ri->interval_ms = -1;
    ri->daily_limit = ri->daily_remaining = ri->retry_after_ms = -1;
}

bool retry_rate_info_any(const retry_rate_info *ri)
{
    return ri->max >= 0 || ri->remaining >= 0 || ri->interval_ms >= 0 || ri->daily_limit >= 0 ||
           ri->daily_remaining >= 0;
}

/* Skips optional whitespace around a header value. */
static void trim(const char **v, size_t *len)
{
    while (*len && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*len)--;
    }
    while (*len && ((*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t' || (*v)[*len - 1] == '\r' ||
                    (*v)[*len - 1] == '\n'))
        (*len)--;
}

/* A non-negative decimal integer filling the whole slice, up to 10^15. */
static bool parse_count(int64_t *out, const char *v, size_t len)
{
    trim(&v, &len);
    if (len == 0 || len > 15)
        return false;
    int64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (v[i] - '0');
    }
    *out = n;
    return true;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT", rewritten as ISO-8601 for clock_parse_iso. */
static int parse_http_date(int64_t *out_ms, const char *v, size_t len, err *e)
{
    if (len != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
        v[25] != ' ' || memcmp(v + 26, "GMT", 3) != 0)
        return err_set(e, ERR_PARSE, "Retry-After: not an HTTP date");
    int month = 0;
    for (size_t i = 0; i < PS_ARRAY_LEN(months); i++)
        if (memcmp(v + 8, months[i], 3) == 0)
            month = (int)i + 1;
    if (month == 0)
        return err_set(e, ERR_PARSE, "Retry-After: unknown month");
    char iso[32];
    snprintf(iso, sizeof iso, "%.4s-%02d-%.2sT%.8sZ", v + 12, month, v + 5, v + 17);
    return clock_parse_iso(out_ms, iso, e);
}

int retry_parse_retry_after(int64_t *out_ms, const char *value, size_t len, int64_t now_wall_ms,
                            err *e)
{
    trim(&value, &len);
    int64_t secs;
    if (parse_count(&secs, value, len)) {
        *out_ms = secs * 1000;
        return 0;
    }
    int64_t when;
    int rc = parse_http_date(&when, value, len, e);
    if (rc)
        return rc;
    *out_ms = when > now_wall_ms ? when - now_wall_ms : 0;
    return 0;
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

bool retry_rate_header(retry_rate_info *ri, const char *name, size_t name_len, const char *value,
                       size_t value_len, int64_t now_wall_ms)
{
    static const struct {
        const char *name;
        size_t off;
    } counts[] = {
        {"x-ratelimit-max", offsetof(retry_rate_info, max)},
        {"x-ratelimit-remaining", offsetof(retry_rate_info, remaining)},
        {"x-ratelimit-interval-milliseconds", offsetof(retry_rate_info, interval_ms)},
        {"x-ratelimit-limit-daily", offsetof(retry_rate_info, daily_limit)},
        {"x-ratelimit-daily-remaining", offsetof(retry_rate_info, daily_remaining)},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(counts); i++) {
        if (name_is(name, name_len, counts[i].name)) {
            int64_t n;
            if (!parse_count(&n, value, value_len))
                return false;
            memcpy((char *)ri + counts[i].off, &n, sizeof n);
            return true;
        }
    }
    if (name_is(name, name_len, "retry-after")) {
        int64_t ms;
        if (retry_parse_retry_after(&ms, value, value_len, now_wall_ms, NULL))
            return false;
        ri->retry_after_ms = ms;
        return true;
    }
    return false;
}

static retry_decision stop(const char *why)
{
    return (retry_decision){.retry = false, .wait_ms = 0, .retry_after_ms = -1, .why = why};
}

/* The pause a 429 asks for; false when it asks not to come back today. */
static bool rate_wait(const retry_policy *p, int attempt, const retry_rate_info *ri, rng *r,
                      int64_t *wait)
{
    if (ri && ri->daily_remaining == 0)
        return false;
    if (ri && ri->retry_after_ms >= 0) {
        *wait = ri->retry_after_ms;
    } else if (ri && ri->remaining == 0 && ri->interval_ms > 0) {
        /* The window that refused us ends at most one interval after our request arrived. */
        *wait = ri->interval_ms;
    } else {
        /* No hint: at least half the ceiling, so that the retry does not land immediately. */
        int64_t c = backoff_ceiling(p, attempt);
        *wait = c / 2 + (int64_t)rng_below(r, (uint64_t)(c - c / 2) + 1);
    }
    return true;
}

retry_decision retry_decide(const retry_policy *policy, int attempts_done, int64_t elapsed_ms,
                            const retry_outcome *o, rng *r)
{
    retry_policy p = *policy;
    retry_policy_defaults(&p);
    if (o->kind == API_OK)
        return stop("success");
    if (!api_error_is_retryable(o->kind))
        return stop("not retryable");
    int64_t wait;
    const char *why;
    if (o->kind == API_ERR_RATE) {
        if (!rate_wait(&p, attempts_done, o->rate, r, &wait)) {
            retry_decision d = stop("daily budget exhausted");
            d.retry_after_ms = o->rate->retry_after_ms;
            return d;
        }
        why = "rate limit";
    } else {
        if (o->sent && !o->idempotent)
            return stop("not idempotent: the server may have acted");
        wait = retry_backoff_ms(&p, attempts_done, r);
        why = "backoff";
    }
    retry_decision d = stop("attempts exhausted");
    if (o->kind == API_ERR_RATE)
        d.retry_after_ms = wait;
    if (attempts_done >= p.max_attempts)
        return d;
    if (elapsed_ms + wait > p.max_elapsed_ms) {
        d.why = "time budget exhausted";
        return d;
    }
    return (retry_decision){.retry = true, .wait_ms = wait, .retry_after_ms = -1, .why = why};
}
