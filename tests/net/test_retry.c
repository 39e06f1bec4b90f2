/* test_retry.c: unit tests for backoff arithmetic, rate-limit header parsing and the retry
 * decision. */
#include "net/retry.h"
#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void test_policy_defaults(void **state)
{
    retry_policy p = {.max_attempts = 3};
    retry_policy_defaults(&p);
    assert_int_equal(p.max_attempts, 3);
    assert_int_equal(p.base_ms, 500);
    assert_int_equal(p.cap_ms, 30000);
    assert_int_equal(p.max_elapsed_ms, 120000);
}

/* Full jitter: every draw within [0, min(cap, base * 2^(k-1))], spread over the whole range. */
static void test_backoff_full_jitter(void **state)
{
    retry_policy p = {.max_attempts = 10, .base_ms = 100, .cap_ms = 1000, .max_elapsed_ms = 60000};
    const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
    rng r;
    rng_seed(&r, 42);
    for (size_t k = 0; k < PS_ARRAY_LEN(ceilings); k++) {
        int64_t lo = INT64_MAX, hi = -1, sum = 0;
        const int n = 4000;
        for (int i = 0; i < n; i++) {
            int64_t w = retry_backoff_ms(&p, (int)k + 1, &r);
            assert_true(w >= 0 && w <= ceilings[k]);
            lo = PS_MIN(lo, w);
            hi = PS_MAX(hi, w);
            sum += w;
        }
        /* The whole range is used, and the mean sits in the middle. */
        assert_true(lo <= ceilings[k] / 50);
        assert_true(hi >= ceilings[k] - ceilings[k] / 50);
        double mean = (double)sum / n;
        assert_true(mean > 0.45 * (double)ceilings[k] && mean < 0.55 * (double)ceilings[k]);
    }
    /* No overflow however many attempts. */
    for (int k = 60; k < 70; k++)
        assert_true(retry_backoff_ms(&p, k, &r) <= 1000);
    p.cap_ms = INT64_MAX;
    assert_true(retry_backoff_ms(&p, 200, &r) >= 0);
}

static void test_backoff_is_reproducible(void **state)
{
    retry_policy p = {.base_ms = 250, .cap_ms = 8000};
    rng a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    for (int k = 1; k < 20; k++)
        assert_int_equal(retry_backoff_ms(&p, k, &a), retry_backoff_ms(&p, k, &b));
}

static bool feed(retry_rate_info *ri, const char *name, const char *value, int64_t now)
{
    return retry_rate_header(ri, name, strlen(name), value, strlen(value), now);
}

static void test_rate_headers(void **state)
{
    retry_rate_info ri;
    retry_rate_info_init(&ri);
    assert_false(retry_rate_info_any(&ri));
    assert_true(feed(&ri, "X-RateLimit-Max", "100", 0));
    assert_true(feed(&ri, "x-ratelimit-remaining", " 37 \r\n", 0));
    assert_true(feed(&ri, "X-RATELIMIT-INTERVAL-MILLISECONDS", "10000", 0));
    assert_true(feed(&ri, "X-RateLimit-Limit-Daily", "200000", 0));
    assert_true(feed(&ri, "X-RateLimit-Daily-Remaining", "0", 0));
    assert_true(retry_rate_info_any(&ri));
    assert_int_equal(ri.max, 100);
    assert_int_equal(ri.remaining, 37);
    assert_int_equal(ri.interval_ms, 10000);
    assert_int_equal(ri.daily_limit, 200000);
    assert_int_equal(ri.daily_remaining, 0);
    assert_int_equal(ri.retry_after_ms, -1);

    /* Malformed values are refused and leave the field as it was. */
    const char *bad[] = {"", "-1", "1.5", "12abc", "9999999999999999", "0x10", " "};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++)
        assert_false(feed(&ri, "X-RateLimit-Remaining", bad[i], 0));
    assert_int_equal(ri.remaining, 37);
    /* Unknown headers and names that merely start like known ones are ignored. */
    assert_false(feed(&ri, "X-RateLimit-Maximum", "5", 0));
    assert_false(feed(&ri, "Content-Type", "application/json", 0));
    assert_int_equal(ri.max, 100);
    /* Only len bytes of the name count. */
    assert_true(retry_rate_header(&ri, "X-RateLimit-MaxGARBAGE", 15, "7", 1, 0));
    assert_int_equal(ri.max, 7);
}

static void test_retry_after(void **state)
{
    int64_t now;
    err e = {0};
    assert_int_equal(clock_parse_iso(&now, "1994-11-06T08:49:30Z", &e), 0);
    int64_t ms;
    assert_int_equal(retry_parse_retry_after(&ms, "120", 3, now, &e), 0);
    assert_int_equal(ms, 120000);
    const char *date = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_int_equal(retry_parse_retry_after(&ms, date, strlen(date), now, &e), 0);
    assert_int_equal(ms, 7000);
    /* A date already passed means now. */
    assert_int_equal(retry_parse_retry_after(&ms, date, strlen(date), now + 60000, &e), 0);
    assert_int_equal(ms, 0);
    const char *bad[] = {"soon", "-5", "Sun, 06 Foo 1994 08:49:37 GMT",
                         "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 25:49:37 GMT",
                         "Sunday, 06-Nov-94 08:49:37 GMT"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        assert_int_equal(retry_parse_retry_after(&ms, bad[i], strlen(bad[i]), now, &e), ERR_PARSE);
    }
    retry_rate_info ri;
    retry_rate_info_init(&ri);
    assert_true(feed(&ri, "Retry-After", "3", now));
    assert_int_equal(ri.retry_after_ms, 3000);
    assert_false(retry_rate_info_any(&ri)); /* Retry-After alone is no X-RateLimit header */
    assert_false(feed(&ri, "Retry-After", "later", now));
    assert_int_equal(ri.retry_after_ms, 3000);
}

static const retry_policy policy = {
    .max_attempts = 4, .base_ms = 100, .cap_ms = 1000, .max_elapsed_ms = 10000};

static retry_decision decide(api_error_kind kind, bool sent, bool idempotent,
                             const retry_rate_info *ri, int attempts, int64_t elapsed)
{
    rng r;
    rng_seed(&r, 1);
    retry_outcome o = {.kind = kind, .sent = sent, .idempotent = idempotent, .rate = ri};
    return retry_decide(&policy, attempts, elapsed, &o, &r);
}

static void test_decide_kinds(void **state)
{
    assert_false(decide(API_OK, true, true, NULL, 1, 0).retry);
    const api_error_kind final[] = {API_ERR_AUTH, API_ERR_SCOPE, API_ERR_NOT_FOUND,
                                    API_ERR_VALIDATION, API_ERR_DUPLICATE, API_ERR_PERMANENT};
    for (size_t i = 0; i < PS_ARRAY_LEN(final); i++) {
        retry_decision d = decide(final[i], true, true, NULL, 1, 0);
        assert_false(d.retry);
        assert_string_equal(d.why, "not retryable");
    }
    retry_decision d = decide(API_ERR_TRANSIENT, true, true, NULL, 2, 0);
    assert_true(d.retry);
    assert_true(d.wait_ms >= 0 && d.wait_ms <= 200);
    assert_string_equal(d.why, "backoff");
}

static void test_decide_creates(void **state)
{
    /* A create that may have reached the server is not repeated... */
    retry_decision d = decide(API_ERR_TRANSIENT, true, false, NULL, 1, 0);
    assert_false(d.retry);
    assert_string_equal(d.why, "not idempotent: the server may have acted");
    /* ...unless it surely never left (a refused connection)... */
    assert_true(decide(API_ERR_TRANSIENT, false, false, NULL, 1, 0).retry);
    /* ...or the rate limiter refused it before any work. */
    retry_rate_info ri;
    retry_rate_info_init(&ri);
    ri.retry_after_ms = 2000;
    d = decide(API_ERR_RATE, true, false, &ri, 1, 0);
    assert_true(d.retry);
    assert_int_equal(d.wait_ms, 2000);
}

static void test_decide_rate_waits(void **state)
{
    retry_rate_info ri;
    retry_rate_info_init(&ri);
    ri.max = 100;
    ri.remaining = 0;
    ri.interval_ms = 1500;
    retry_decision d = decide(API_ERR_RATE, true, true, &ri, 1, 0);
    assert_true(d.retry);
    assert_int_equal(d.wait_ms, 1500);
    /* Retry-After wins over the interval. */
    ri.retry_after_ms = 700;
    assert_int_equal(decide(API_ERR_RATE, true, true, &ri, 1, 0).wait_ms, 700);
    /* No hint at all: between half the ceiling and the ceiling, never immediately. */
    for (int attempts = 1; attempts <= 3; attempts++) {
        d = decide(API_ERR_RATE, true, true, NULL, attempts, 0);
        int64_t ceiling = PS_MIN((int64_t)1000, (int64_t)100 << (attempts - 1));
        assert_true(d.retry);
        assert_true(d.wait_ms >= ceiling / 2 && d.wait_ms <= ceiling);
    }
    /* The daily budget is gone: not retried, and the caller learns when to come back. */
    retry_rate_info_init(&ri);
    ri.daily_remaining = 0;
    d = decide(API_ERR_RATE, true, true, &ri, 1, 0);
    assert_false(d.retry);
    assert_int_equal(d.retry_after_ms, -1);
    assert_string_equal(d.why, "daily budget exhausted");
    ri.retry_after_ms = 3600000;
    assert_int_equal(decide(API_ERR_RATE, true, true, &ri, 1, 0).retry_after_ms, 3600000);
}

static void test_decide_bounds(void **state)
{
    retry_decision d = decide(API_ERR_TRANSIENT, true, true, NULL, 4, 0);
    assert_false(d.retry);
    assert_string_equal(d.why, "attempts exhausted");
    /* A wait that would start the next attempt past max_elapsed is refused. */
    retry_rate_info ri;
    retry_rate_info_init(&ri);
    ri.retry_after_ms = 5000;
    d = decide(API_ERR_RATE, true, true, &ri, 1, 6000);
    assert_false(d.retry);
    assert_string_equal(d.why, "time budget exhausted");
    assert_int_equal(d.retry_after_ms, 5000);
    assert_true(decide(API_ERR_RATE, true, true, &ri, 1, 5000).retry);
}

/* Driving the decision like a sender does, on simulated time: never more than max_attempts
 * attempts, never an attempt started after max_elapsed. */
static void test_decide_loop_bounds(void **state)
{
    retry_policy p = {.max_attempts = 50, .base_ms = 300, .cap_ms = 4000, .max_elapsed_ms = 9000};
    rng r;
    rng_seed(&r, 99);
    for (int run = 0; run < 200; run++) {
        int64_t elapsed = 0;
        int attempts = 0;
        for (;;) {
            attempts++;
            elapsed += 20; /* the attempt itself */
            retry_outcome o = {.kind = API_ERR_TRANSIENT, .sent = true, .idempotent = true};
            retry_decision d = retry_decide(&p, attempts, elapsed, &o, &r);
            if (!d.retry)
                break;
            assert_true(d.wait_ms <= 4000);
            elapsed += d.wait_ms;
            assert_true(elapsed <= 9000);
        }
        assert_true(attempts <= 50);
        assert_true(attempts >= 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_defaults),
        cmocka_unit_test(test_backoff_full_jitter),
        cmocka_unit_test(test_backoff_is_reproducible),
        cmocka_unit_test(test_rate_headers),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_decide_kinds),
        cmocka_unit_test(test_decide_creates),
        cmocka_unit_test(test_decide_rate_waits),
        cmocka_unit_test(test_decide_bounds),
        cmocka_unit_test(test_decide_loop_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
