/* test_breaker.c: unit tests for the circuit breaker's transitions on a fake clock. */
#include "net/breaker.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define T0 ((int64_t)1767225600000)

typedef struct fx {
    clock_source clk;
    breaker *b;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    clock_fake_init(&f->clk, T0);
    breaker_config cfg = {.consecutive_failures = 3, .window_ms = 10000, .min_calls = 10,
                          .failure_rate = 0.5, .open_ms = 1000, .max_open_ms = 3000};
    err e = {0};
    assert_int_equal(breaker_new(&f->b, "svc", &cfg, &f->clk, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    breaker_free(f->b);
    free(f);
    return 0;
}

/* One call through the breaker; returns breaker_allow's code. */
static int call(fx *f, breaker_outcome o)
{
    breaker_ticket t;
    int rc = breaker_allow(f->b, &t, NULL);
    if (rc == 0)
        breaker_record(f->b, &t, o);
    return rc;
}

static void test_consecutive_failures_open(void **state)
{
    fx *f = *state;
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(call(f, BREAKER_SUCCESS), 0); /* a success starts the count again */
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(call(f, BREAKER_NEUTRAL), 0); /* says nothing either way */
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(breaker_get_state(f->b), BREAKER_OPEN);
    err e = {0};
    breaker_ticket t;
    clock_fake_advance(&f->clk, 400);
    assert_int_equal(breaker_allow(f->b, &t, &e), ERR_BAD_STATE);
    assert_string_equal(e.msg, "service svc is failing: circuit open, next probe in 600 ms");
    json_t *j = breaker_state_json(f->b);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "open");
    assert_int_equal(json_integer_value(json_object_get(j, "retry_in_ms")), 600);
    assert_int_equal(json_integer_value(json_object_get(j, "opens")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "opened_at")),
                        "2026-01-01T00:00:00.000Z");
    json_decref(j);
}

static void test_failure_rate_opens(void **state)
{
    fx *f = *state;
    /* Alternating: never 3 in a row, but half of the window's calls fail. */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(call(f, i % 2 ? BREAKER_SUCCESS : BREAKER_FAILURE), 0);
        clock_fake_advance(&f->clk, 100);
    }
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED); /* 10 calls, the last a success */
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(breaker_get_state(f->b), BREAKER_OPEN);
}

static void test_failure_rate_window_slides(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 8; i++) {
        assert_int_equal(call(f, i % 2 ? BREAKER_SUCCESS : BREAKER_FAILURE), 0);
    }
    /* Those age out: the window is 10 s. */
    clock_fake_advance(&f->clk, 11000);
    for (int i = 0; i < 8; i++)
        assert_int_equal(call(f, BREAKER_SUCCESS), 0);
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
    json_t *j = breaker_state_json(f->b);
    json_t *w = json_object_get(j, "window");
    assert_int_equal(json_integer_value(json_object_get(w, "calls")), 10);
    assert_int_equal(json_integer_value(json_object_get(w, "failures")), 2);
    json_decref(j);
}

static void open_it(fx *f)
{
    for (int i = 0; i < 3; i++)
        assert_int_equal(call(f, BREAKER_FAILURE), 0);
    assert_int_equal(breaker_get_state(f->b), BREAKER_OPEN);
}

static void test_half_open_probe(void **state)
{
    fx *f = *state;
    open_it(f);
    clock_fake_advance(&f->clk, 1000);
    assert_int_equal(breaker_get_state(f->b), BREAKER_HALF_OPEN);
    breaker_ticket probe, other;
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    assert_true(probe.probe);
    err e = {0};
    assert_int_equal(breaker_allow(f->b, &other, &e), ERR_BAD_STATE); /* one probe at a time */
    assert_non_null(strstr(e.msg, "probe is out"));
    /* The probe fails: open again, for twice as long. */
    breaker_record(f->b, &probe, BREAKER_FAILURE);
    assert_int_equal(breaker_get_state(f->b), BREAKER_OPEN);
    clock_fake_advance(&f->clk, 1999);
    assert_int_equal(breaker_get_state(f->b), BREAKER_OPEN);
    clock_fake_advance(&f->clk, 1);
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    breaker_record(f->b, &probe, BREAKER_FAILURE);
    clock_fake_advance(&f->clk, 3000); /* capped at max_open_ms */
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    /* The probe succeeds: closed, counts and cool-down reset. */
    breaker_record(f->b, &probe, BREAKER_SUCCESS);
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
    json_t *j = breaker_state_json(f->b);
    assert_int_equal(json_integer_value(json_object_get(j, "cool_down_ms")), 1000);
    assert_int_equal(json_integer_value(json_object_get(j, "opens")), 3);
    assert_null(json_object_get(j, "opened_at"));
    json_decref(j);
    open_it(f);
    clock_fake_advance(&f->clk, 1000);
    /* A 429 for the probe still shows the service is up. */
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    breaker_record(f->b, &probe, BREAKER_NEUTRAL);
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
}

static void test_stale_and_lost_tickets(void **state)
{
    fx *f = *state;
    breaker_ticket early;
    assert_int_equal(breaker_allow(f->b, &early, NULL), 0);
    open_it(f);
    clock_fake_advance(&f->clk, 1000);
    breaker_ticket probe;
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    /* A call let through before the breaker opened reports late: ignored. */
    breaker_record(f->b, &early, BREAKER_SUCCESS);
    assert_int_equal(breaker_get_state(f->b), BREAKER_HALF_OPEN);
    /* The probe's caller never reports: after another cool-down a new probe may go. */
    assert_int_equal(breaker_allow(f->b, &probe, NULL), ERR_BAD_STATE);
    clock_fake_advance(&f->clk, 1000);
    assert_int_equal(breaker_allow(f->b, &probe, NULL), 0);
    assert_true(probe.probe);
    breaker_record(f->b, &probe, BREAKER_SUCCESS);
    assert_int_equal(breaker_get_state(f->b), BREAKER_CLOSED);
    assert_string_equal(breaker_state_name(BREAKER_HALF_OPEN), "half_open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_consecutive_failures_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_rate_opens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_rate_window_slides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_half_open_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_and_lost_tickets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
