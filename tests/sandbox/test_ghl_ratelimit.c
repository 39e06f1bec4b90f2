/* test_ghl_ratelimit.c: the emulator's rate limits on a fake clock: windows, daily budget,
 * headers, and that a 429 consumes nothing. */
#include "sandbox/ghl/ghl_ratelimit.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

/* 2026-11-27T23:59:00Z: a minute before a UTC day ends. */
#define T0 INT64_C(1795823940000)

typedef struct fixture {
    clock_source clock;
    sbx_ghl_ratelimit *rl;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    clock_fake_init(&f->clock, T0);
    err e = {0};
    assert_int_equal(sbx_ghl_ratelimit_new(&f->rl, NULL, &f->clock, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sbx_ghl_ratelimit_free(f->rl);
    free(f);
    return 0;
}

static const char *res_header(const http_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], name) == 0)
            return res->header_values[i];
    return NULL;
}

static long header_int(const http_response *res, const char *name)
{
    const char *v = res_header(res, name);
    assert_non_null(v);
    char *end;
    long n = strtol(v, &end, 10);
    assert_true(*v && !*end);
    return n;
}

typedef struct take_result {
    bool ok;
    int status;
    long max, remaining, interval, daily, daily_remaining;
} take_result;

static take_result take(fixture *f, const char *account)
{
    http_response res;
    http_response_init(&res, 4096);
    take_result t = {.ok = sbx_ghl_ratelimit_take(f->rl, account, &res)};
    t.status = res.status;
    t.max = header_int(&res, "X-RateLimit-Max");
    t.remaining = header_int(&res, "X-RateLimit-Remaining");
    t.interval = header_int(&res, "X-RateLimit-Interval-Milliseconds");
    t.daily = header_int(&res, "X-RateLimit-Limit-Daily");
    t.daily_remaining = header_int(&res, "X-RateLimit-Daily-Remaining");
    if (!t.ok)
        assert_string_equal(buf_cstr(&res.body),
                            "{\"statusCode\":429,\"message\":\"Too many requests\"}");
    else
        assert_int_equal(res.body.len, 0);
    http_response_clear(&res);
    return t;
}

static void set(fixture *f, int max, int interval_ms, int daily)
{
    sbx_ghl_ratelimit_options o = {max, interval_ms, daily};
    sbx_ghl_ratelimit_set(f->rl, &o);
}

static void test_defaults_and_headers(void **state)
{
    fixture *f = *state;
    take_result t = take(f, "loc1");
    assert_true(t.ok);
    assert_int_equal(t.status, 200);
    assert_int_equal(t.max, 100);
    assert_int_equal(t.remaining, 99);
    assert_int_equal(t.interval, 10000);
    assert_int_equal(t.daily, 200000);
    assert_int_equal(t.daily_remaining, 199999);
    sbx_ghl_ratelimit_options o;
    sbx_ghl_ratelimit_get(f->rl, &o);
    assert_int_equal(o.max_per_interval, 100);
    assert_int_equal(o.interval_ms, 10000);
    assert_int_equal(o.max_daily, 200000);
}

static void test_window_rollover(void **state)
{
    fixture *f = *state;
    set(f, 3, 1000, 1000);
    for (long i = 0; i < 3; i++) {
        take_result t = take(f, "loc1");
        assert_true(t.ok);
        assert_int_equal(t.remaining, 2 - i);
        assert_int_equal(t.daily_remaining, 999 - i);
        clock_fake_advance(&f->clock, 100); /* the window opened at the first request */
    }
    /* t = 300: the window is full; refusals consume neither count. */
    for (int i = 0; i < 5; i++) {
        take_result t = take(f, "loc1");
        assert_false(t.ok);
        assert_int_equal(t.status, 429);
        assert_int_equal(t.remaining, 0);
        assert_int_equal(t.daily_remaining, 997);
        assert_int_equal(t.max, 3);
        assert_int_equal(t.interval, 1000);
    }
    clock_fake_advance(&f->clock, 699); /* t = 999: still the same window */
    assert_false(take(f, "loc1").ok);
    clock_fake_advance(&f->clock, 1); /* t = 1000: a new window */
    take_result t = take(f, "loc1");
    assert_true(t.ok);
    assert_int_equal(t.remaining, 2);
    assert_int_equal(t.daily_remaining, 996);

    /* The next window opens at the first request after this one ends, not on a fixed grid. */
    clock_fake_advance(&f->clock, 1500); /* t = 2500 */
    assert_int_equal(take(f, "loc1").remaining, 2);
    clock_fake_advance(&f->clock, 999); /* t = 3499 */
    assert_int_equal(take(f, "loc1").remaining, 1);
    clock_fake_advance(&f->clock, 1); /* t = 3500 */
    assert_int_equal(take(f, "loc1").remaining, 2);
}

static void test_accounts_are_separate(void **state)
{
    fixture *f = *state;
    set(f, 2, 1000, 1000);
    assert_true(take(f, "loc1").ok);
    assert_true(take(f, "loc1").ok);
    assert_false(take(f, "loc1").ok);
    take_result t = take(f, "loc2");
    assert_true(t.ok);
    assert_int_equal(t.remaining, 1);
    assert_int_equal(t.daily_remaining, 999);
    assert_true(take(f, NULL).ok); /* no account: one shared bucket */
}

static void test_daily_budget_and_utc_midnight(void **state)
{
    fixture *f = *state;
    set(f, 100, 1000, 5);
    for (long i = 0; i < 5; i++) {
        take_result t = take(f, "loc1");
        assert_true(t.ok);
        assert_int_equal(t.daily_remaining, 4 - i);
    }
    take_result t = take(f, "loc1");
    assert_false(t.ok);
    assert_int_equal(t.daily_remaining, 0);
    assert_int_equal(t.remaining, 95); /* the burst window still had room */
    /* New burst windows do not bring back the day's budget. */
    clock_fake_advance(&f->clock, 30000); /* 23:59:30 */
    t = take(f, "loc1");
    assert_false(t.ok);
    assert_int_equal(t.remaining, 100);
    clock_fake_advance(&f->clock, 29999); /* 23:59:59.999 */
    assert_false(take(f, "loc1").ok);
    clock_fake_advance(&f->clock, 1); /* 00:00:00.000 UTC: a new day */
    t = take(f, "loc1");
    assert_true(t.ok);
    assert_int_equal(t.daily_remaining, 4);
}

static void test_live_changes(void **state)
{
    fixture *f = *state;
    set(f, 10, 1000, 1000);
    for (int i = 0; i < 4; i++)
        assert_true(take(f, "loc1").ok);
    /* Lowered below the window's count: refused, Remaining clamps at 0, counts are kept. */
    set(f, 3, 1000, 1000);
    take_result t = take(f, "loc1");
    assert_false(t.ok);
    assert_int_equal(t.remaining, 0);
    assert_int_equal(t.max, 3);
    assert_int_equal(t.daily_remaining, 996);
    /* Raised again: the same window goes on with its count. */
    set(f, 6, 1000, 1000);
    t = take(f, "loc1");
    assert_true(t.ok);
    assert_int_equal(t.remaining, 1);
    /* Zeros mean HighLevel's defaults. */
    set(f, 0, 0, 0);
    sbx_ghl_ratelimit_options o;
    sbx_ghl_ratelimit_get(f->rl, &o);
    assert_int_equal(o.max_per_interval, 100);
    assert_int_equal(o.interval_ms, 10000);
    assert_int_equal(o.max_daily, 200000);
}

static void test_reset_and_state(void **state)
{
    fixture *f = *state;
    set(f, 1, 1000, 1000);
    assert_true(take(f, "loc1").ok);
    assert_false(take(f, "loc1").ok);
    json_t *s = sbx_ghl_ratelimit_state(f->rl);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "rejected")), 1);
    json_t *acc = json_object_get(json_object_get(s, "accounts"), "loc1");
    assert_int_equal(json_integer_value(json_object_get(acc, "window_count")), 1);
    assert_int_equal(json_integer_value(json_object_get(acc, "day_count")), 1);
    json_decref(s);
    sbx_ghl_ratelimit_reset(f->rl);
    take_result t = take(f, "loc1");
    assert_true(t.ok);
    assert_int_equal(t.daily_remaining, 999);
}

typedef struct worker {
    fixture *f;
    int accepted;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 100; i++) {
        http_response res;
        http_response_init(&res, 4096);
        w->accepted += sbx_ghl_ratelimit_take(w->f->rl, "loc1", &res);
        http_response_clear(&res);
    }
    return NULL;
}

static void test_threads_never_overshoot(void **state)
{
    fixture *f = *state;
    set(f, 150, 60000, 1000);
    worker w[4] = {{f, 0}, {f, 0}, {f, 0}, {f, 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += w[i].accepted;
    }
    assert_int_equal(total, 150);
    assert_int_equal(take(f, "loc1").daily_remaining, 850);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_rollover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_are_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_daily_budget_and_utc_midnight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_never_overshoot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
