/* test_alert_eval.c: the alert evaluator on a fake clock: an incident fires once, stays quiet,
 * recovers once, and a new one fires again; hysteresis; unknown figures; the JSON form. */
#include "ops/alert.h"
#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define MIN (60 * 1000LL)

typedef struct fixture {
    alert_eval *ev;
    alert_service_obs svc[2];
    alert_obs obs;
    alert_event out[ALERT_MAX_EVENTS];
    clock_source clk;
} fixture;

static fixture *setup(const alert_rules *rules)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(alert_eval_new(&f->ev, rules, NULL), 0);
    clock_fake_init(&f->clk, T0);
    f->svc[0] = (alert_service_obs){.name = "ghl", .calls = 100, .needs_reauth = 0};
    f->svc[1] = (alert_service_obs){.name = "pheedloop", .calls = 100, .needs_reauth = 0};
    f->obs = (alert_obs){.services = f->svc, .n_services = 2, .dead_letters = 0, .max_lag_ms = 0};
    return f;
}

static void teardown(fixture *f)
{
    alert_eval_free(f->ev);
    free(f);
}

/* Advances the fake clock by ms and feeds the current figures. */
static size_t tick(fixture *f, int64_t ms)
{
    clock_fake_advance(&f->clk, ms);
    return alert_eval_feed(f->ev, &f->obs, clock_now_ms(&f->clk), f->out);
}

static void test_error_rate_fires_once_recovers_once_refires(void **state)
{
    fixture *f = setup(NULL);
    assert_int_equal(tick(f, 0), 0);
    f->svc[0].failures = 25; /* 25% > 10% */
    assert_int_equal(tick(f, MIN), 1);
    assert_true(f->out[0].firing);
    assert_int_equal(f->out[0].condition, ALERT_ERROR_RATE);
    assert_string_equal(f->out[0].service, "ghl");
    assert_true(f->out[0].value == 25.0);
    assert_true(f->out[0].threshold == 10.0);
    assert_int_equal(f->out[0].started_ms, T0 + MIN);
    assert_string_equal(f->out[0].text,
                        "HighLevel API calls failing: 25.0% (25 of 100; threshold 10%)");
    assert_int_equal(alert_eval_active(f->ev), 1);
    /* It lasts, it worsens: nothing more. */
    for (int i = 0; i < 10; i++) {
        f->svc[0].failures = 25 + (uint64_t)i * 5;
        assert_int_equal(tick(f, MIN), 0);
    }
    f->svc[0].failures = 10; /* exactly at the threshold: not "more than" */
    assert_int_equal(tick(f, MIN), 1);
    assert_false(f->out[0].firing);
    assert_int_equal(f->out[0].started_ms, T0 + MIN);
    assert_int_equal(f->out[0].at_ms, T0 + 12 * MIN);
    assert_string_equal(f->out[0].text, "Resolved: HighLevel API calls failing: 10.0% (10 of 100; "
                                        "threshold 10%), lasted 11m");
    assert_int_equal(alert_eval_active(f->ev), 0);
    assert_int_equal(tick(f, MIN), 0);
    f->svc[0].failures = 50;
    assert_int_equal(tick(f, MIN), 1);
    assert_true(f->out[0].firing);
    assert_int_equal(f->out[0].started_ms, T0 + 14 * MIN);
    teardown(f);
}

static void test_too_few_calls_neither_starts_nor_ends(void **state)
{
    fixture *f = setup(NULL);
    f->svc[0].calls = 3;
    f->svc[0].failures = 3; /* 100%, but of three calls */
    assert_int_equal(tick(f, MIN), 0);
    f->svc[0].calls = 40;
    f->svc[0].failures = 20;
    assert_int_equal(tick(f, MIN), 1);
    /* Traffic stops: no evidence of recovery. */
    f->svc[0].calls = 0;
    f->svc[0].failures = 0;
    assert_int_equal(tick(f, 60 * MIN), 0);
    assert_int_equal(alert_eval_active(f->ev), 1);
    f->svc[0].calls = 20;
    assert_int_equal(tick(f, MIN), 1);
    assert_false(f->out[0].firing);
    teardown(f);
}

static void test_hysteresis(void **state)
{
    alert_rules r;
    alert_rules_default(&r);
    r.fire_after_ms = 5 * MIN;
    r.clear_after_ms = 10 * MIN;
    r.error_rate_pct = 100; /* only the 429 share is watched here */
    fixture *f = setup(&r);
    f->svc[1].rate_limited = 30;
    f->svc[1].failures = 30;
    assert_int_equal(tick(f, 0), 0);
    assert_int_equal(tick(f, 4 * MIN), 0);
    f->svc[1].rate_limited = 0; /* a blip: the wait starts over */
    assert_int_equal(tick(f, MIN), 0);
    f->svc[1].rate_limited = 30;
    assert_int_equal(tick(f, MIN), 0);
    assert_int_equal(tick(f, 4 * MIN), 0);
    assert_int_equal(tick(f, MIN), 1);
    assert_int_equal(f->out[0].condition, ALERT_RATE_429);
    assert_string_equal(f->out[0].service, "pheedloop");
    assert_int_equal(f->out[0].started_ms, T0 + 6 * MIN); /* when it began to hold */
    assert_string_equal(f->out[0].text, "PheedLoop API calls rate limited (429): 30.0% (30 of "
                                        "100; threshold 5%)");
    f->svc[1].rate_limited = 0;
    assert_int_equal(tick(f, 9 * MIN), 0);
    f->svc[1].rate_limited = 30; /* back before the clear wait ended: same incident */
    assert_int_equal(tick(f, MIN), 0);
    f->svc[1].rate_limited = 1;
    assert_int_equal(tick(f, MIN), 0);
    assert_int_equal(tick(f, 9 * MIN), 0);
    assert_int_equal(tick(f, MIN), 1);
    assert_false(f->out[0].firing);
    assert_int_equal(alert_eval_active(f->ev), 0);
    teardown(f);
}

static void test_reauth_per_service_and_unknown(void **state)
{
    fixture *f = setup(NULL);
    f->svc[0].needs_reauth = 1;
    assert_int_equal(tick(f, MIN), 1);
    assert_int_equal(f->out[0].condition, ALERT_REAUTH);
    assert_string_equal(f->out[0].text, "HighLevel connection needs re-authorization: run "
                                        "`pheedsync connect ghl`");
    f->svc[1].needs_reauth = 1;
    assert_int_equal(tick(f, MIN), 1);
    assert_string_equal(f->out[0].service, "pheedloop");
    assert_int_equal(alert_eval_active(f->ev), 2);
    f->svc[0].needs_reauth = -1; /* the store could not say */
    assert_int_equal(tick(f, MIN), 0);
    f->svc[0].needs_reauth = 0;
    f->svc[1].needs_reauth = 0;
    assert_int_equal(tick(f, 2 * MIN), 2);
    assert_string_equal(f->out[0].text, "Resolved: HighLevel connection authorized again, "
                                        "lasted 4m");
    assert_string_equal(f->out[1].service, "pheedloop");
    assert_false(f->out[1].firing);
    /* Switched off: never. */
    alert_rules r;
    alert_rules_default(&r);
    r.reauth = false;
    fixture *g = setup(&r);
    g->svc[0].needs_reauth = 1;
    assert_int_equal(tick(g, MIN), 0);
    teardown(g);
    teardown(f);
}

/* Another link's connection: the alert names the link and the command that fixes it. */
static void test_reauth_of_another_link(void **state)
{
    fixture *f = setup(NULL);
    f->svc[1] = (alert_service_obs){.name = "ghl:east", .calls = 100, .needs_reauth = 1};
    assert_int_equal(tick(f, MIN), 1);
    assert_int_equal(f->out[0].condition, ALERT_REAUTH);
    assert_string_equal(f->out[0].service, "ghl:east");
    assert_string_equal(f->out[0].text, "HighLevel (link east) connection needs "
                                        "re-authorization: run `pheedsync connect ghl --link "
                                        "east`");
    f->svc[1].needs_reauth = 0;
    assert_int_equal(tick(f, 2 * MIN), 1);
    assert_string_equal(f->out[0].text, "Resolved: HighLevel (link east) connection authorized "
                                        "again, lasted 2m");
    teardown(f);
}

static void test_dead_letters_and_lag(void **state)
{
    fixture *f = setup(NULL);
    f->obs.dead_letters = 3;
    f->obs.max_lag_ms = 20 * MIN;
    assert_int_equal(tick(f, MIN), 2);
    assert_int_equal(f->out[0].condition, ALERT_DEAD_LETTERS);
    assert_string_equal(f->out[0].service, "");
    assert_string_equal(f->out[0].text,
                        "Dead-letter queue holds 3 operations (threshold 1): see `pheedsync dlq "
                        "list`");
    assert_int_equal(f->out[1].condition, ALERT_LAG);
    assert_string_equal(f->out[1].text, "Oldest pending change waited 20m (threshold 15m)");
    f->obs.dead_letters = -1; /* unknown */
    f->obs.max_lag_ms = -1;
    assert_int_equal(tick(f, MIN), 0);
    f->obs.dead_letters = 0;
    f->obs.max_lag_ms = 15 * MIN; /* at the threshold: not "longer than" */
    assert_int_equal(tick(f, 2 * 60 * MIN), 2);
    assert_string_equal(
        f->out[0].text,
        "Resolved: Dead-letter queue holds 0 operations (threshold 1), lasted 2h1m");
    assert_false(f->out[1].firing);
    teardown(f);
    alert_rules r;
    alert_rules_default(&r);
    r.dead_letters = 0;
    r.lag_ms = 0;
    r.error_rate_pct = 100;
    f = setup(&r);
    f->obs.dead_letters = 1000;
    f->obs.max_lag_ms = 1000 * MIN;
    f->svc[0].failures = 100;
    assert_int_equal(tick(f, MIN), 0);
    teardown(f);
}

static void test_service_table_bounded(void **state)
{
    fixture *f = setup(NULL);
    alert_service_obs many[ALERT_MAX_SERVICES + 2];
    char names[ALERT_MAX_SERVICES + 2][8];
    for (size_t i = 0; i < PS_ARRAY_LEN(many); i++) {
        snprintf(names[i], sizeof names[i], "s%zu", i);
        many[i] = (alert_service_obs){
            .name = names[i], .calls = 50, .failures = 50, .rate_limited = 50, .needs_reauth = 1};
    }
    f->obs.services = many;
    f->obs.n_services = PS_ARRAY_LEN(many);
    f->obs.dead_letters = 5;
    f->obs.max_lag_ms = 60 * MIN;
    /* Services past the table are ignored; the overall conditions always have room. */
    assert_int_equal(tick(f, MIN), ALERT_MAX_EVENTS);
    assert_int_equal(f->out[ALERT_MAX_EVENTS - 1].condition, ALERT_LAG);
    teardown(f);
}

static void test_rules_from_config(void **state)
{
    static const char text[] = "[alert]\nerror_rate = 25%\nrate_429 = 2\nreauth = no\n"
                               "dead_letters = 7\nlag = 1h\n";
    config *cfg = NULL;
    err e = {0};
    assert_int_equal(config_load_string(&cfg, text, sizeof text - 1, "t.conf", NULL, &e), 0);
    alert_rules r;
    alert_rules_from_config(&r, cfg);
    assert_int_equal(r.error_rate_pct, 25);
    assert_int_equal(r.rate_429_pct, 2);
    assert_false(r.reauth);
    assert_int_equal(r.dead_letters, 7);
    assert_int_equal(r.lag_ms, 3600 * 1000LL);
    assert_int_equal(r.min_calls, 20);
    config_free(cfg);
    assert_int_equal(config_load_string(&cfg, "", 0, "t.conf", NULL, &e), 0);
    alert_rules d;
    alert_rules_default(&d);
    alert_rules_from_config(&r, cfg);
    assert_int_equal(r.error_rate_pct, d.error_rate_pct);
    assert_int_equal(r.rate_429_pct, d.rate_429_pct);
    assert_int_equal(r.reauth, d.reauth);
    assert_int_equal(r.dead_letters, d.dead_letters);
    assert_int_equal(r.lag_ms, d.lag_ms);
    assert_int_equal(config_int(cfg, "alert", "window"), 300);
    config_free(cfg);
}

static void test_event_json(void **state)
{
    fixture *f = setup(NULL);
    f->svc[0].failures = 30;
    assert_int_equal(tick(f, MIN), 1);
    json_t *j = alert_event_json(&f->out[0], "box1");
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "pheedsync on box1: HighLevel API calls failing: 30.0% (30 of 100; "
                        "threshold 10%)");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "firing");
    assert_string_equal(json_string_value(json_object_get(j, "condition")), "error_rate");
    assert_string_equal(json_string_value(json_object_get(j, "service")), "ghl");
    assert_true(json_real_value(json_object_get(j, "value")) == 30.0);
    assert_true(json_real_value(json_object_get(j, "threshold")) == 10.0);
    assert_string_equal(json_string_value(json_object_get(j, "started_at")),
                        "2026-01-01T00:01:00.000Z");
    assert_string_equal(json_string_value(json_object_get(j, "host")), "box1");
    assert_string_equal(json_string_value(json_object_get(j, "source")), "pheedsync");
    json_decref(j);
    f->obs.dead_letters = 2;
    assert_int_equal(tick(f, MIN), 1);
    j = alert_event_json(&f->out[0], NULL);
    assert_true(json_is_null(json_object_get(j, "service")));
    assert_true(json_is_null(json_object_get(j, "host")));
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "pheedsync: Dead-letter queue holds 2 operations (threshold 1): see "
                        "`pheedsync dlq list`");
    json_decref(j);
    teardown(f);
}

static alert_totals totals(uint64_t calls, uint64_t failures, uint64_t limited)
{
    return (alert_totals){calls, failures, limited};
}

static void test_window_increase(void **state)
{
    alert_window *w = NULL;
    assert_int_equal(alert_window_new(&w, 0, NULL), ERR_INVALID);
    alert_window_free(NULL);
    assert_int_equal(alert_window_new(&w, 10 * MIN, NULL), 0);
    alert_totals d = alert_window_add(w, "ghl", T0, totals(1000, 10, 1));
    assert_int_equal(d.calls, 0); /* one sample: nothing measured yet */
    for (int m = 1; m <= 10; m++) {
        d = alert_window_add(w, "ghl", T0 + m * MIN,
                             totals(1000 + 10 * (uint64_t)m, 10 + (uint64_t)m, 1));
        assert_int_equal(d.calls, 10 * m);
        assert_int_equal(d.failures, m);
        assert_int_equal(d.rate_limited, 0);
    }
    /* Past the window: measured from the sample ten minutes back. */
    d = alert_window_add(w, "ghl", T0 + 11 * MIN, totals(1200, 21, 5));
    assert_int_equal(d.calls, 1200 - 1010);
    assert_int_equal(d.failures, 21 - 11);
    assert_int_equal(d.rate_limited, 4);
    /* Another service is measured apart. */
    d = alert_window_add(w, "pheedloop", T0 + 11 * MIN, totals(5, 0, 0));
    assert_int_equal(d.calls, 0);
    d = alert_window_add(w, "pheedloop", T0 + 12 * MIN, totals(9, 1, 0));
    assert_int_equal(d.calls, 4);
    /* Counters that started over (a restart) start the history over. */
    d = alert_window_add(w, "ghl", T0 + 12 * MIN, totals(3, 0, 0));
    assert_int_equal(d.calls, 0);
    d = alert_window_add(w, "ghl", T0 + 13 * MIN, totals(8, 2, 0));
    assert_int_equal(d.calls, 5);
    assert_int_equal(d.failures, 2);
    /* Past ALERT_MAX_SERVICES: zeros. */
    for (int i = 2; i < ALERT_MAX_SERVICES; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        alert_window_add(w, name, T0, totals(1, 0, 0));
    }
    d = alert_window_add(w, "c", T0 + MIN, totals(100, 0, 0));
    d = alert_window_add(w, "c", T0 + 2 * MIN, totals(200, 0, 0));
    assert_int_equal(d.calls, 0);
    alert_window_free(w);
}

static void test_window_frequent_samples_stay_accurate(void **state)
{
    alert_window *w = NULL;
    assert_int_equal(alert_window_new(&w, 10 * MIN, NULL), 0);
    /* One call every 100 ms for half an hour, sampled at each call. */
    alert_totals d = {0, 0, 0};
    uint64_t calls = 0;
    for (int64_t t = 0; t <= 30 * MIN; t += 100) {
        calls++;
        d = alert_window_add(w, "ghl", T0 + t, totals(calls, calls / 10, 0));
    }
    /* The window is ten minutes, give or take one spacing (10 min / 32 = 18.75 s). */
    assert_true(d.calls >= 6000);
    assert_true(d.calls <= 6000 + 188);
    assert_true(d.failures >= 600 && d.failures <= 600 + 19);
    alert_window_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_rate_fires_once_recovers_once_refires),
        cmocka_unit_test(test_too_few_calls_neither_starts_nor_ends),
        cmocka_unit_test(test_hysteresis),
        cmocka_unit_test(test_reauth_per_service_and_unknown),
        cmocka_unit_test(test_reauth_of_another_link),
        cmocka_unit_test(test_dead_letters_and_lag),
        cmocka_unit_test(test_service_table_bounded),
        cmocka_unit_test(test_rules_from_config),
        cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_window_increase),
        cmocka_unit_test(test_window_frequent_samples_stay_accurate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
