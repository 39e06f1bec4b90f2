/* test_pl_faults.c: the PheedLoop client under the emulator's injected faults (PUT
 * /_sandbox/faults): 429 with Retry-After, 5xx, hangs past the timeout, reset connections, the
 * circuit breaker, our own rate limit; and creates, which are never repeated once they may have
 * reached PheedLoop. */
#include "tests/support/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int64_t served_total(pl_fx *fx)
{
    json_t *c = sbx_counters_json(fx->svc.counters);
    int64_t n = jsonx_int(c, "total", -1);
    json_decref(c);
    return n;
}

static int64_t attendees_in(pl_fx *fx, const char *event)
{
    json_t *s = plfx_state(fx);
    size_t i;
    json_t *ev;
    int64_t n = -1;
    json_array_foreach(json_object_get(s, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), event) == 0)
            n = (int64_t)json_array_size(json_object_get(ev, "attendees"));
    }
    json_decref(s);
    return n;
}

static void rate_limited_waits_retry_after(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_faults(fx, "{\"p_429\": 1}");
    pl_client *c = plfx_client(fx, &(plfx_knobs){.max_attempts = 3});
    int64_t t0 = clock_mono_ms(&fx->clk);
    pl_call call = {0};
    pl_event_rec ev;
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), ERR_LIMIT);
    assert_int_equal(call.status, 429);
    assert_int_equal(call.error.kind, API_ERR_RATE);
    assert_int_equal(call.attempts, 3);
    assert_int_equal(call.retry_after_ms, 1000); /* Retry-After: 1 */
    /* Two waits of Retry-After between three attempts (on the client's fake clock). */
    assert_true(clock_mono_ms(&fx->clk) - t0 >= 2000);

    /* A rate limit is not a broken service: the next call goes through once it lifts, after
     * the governor held it back for the time the last answer asked. */
    plfx_faults(fx, "{\"p_429\": 0}");
    int64_t t1 = clock_mono_ms(&fx->clk);
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), 0);
    assert_int_equal(call.attempts, 1);
    assert_true(clock_mono_ms(&fx->clk) - t1 >= 1000);
    pl_event_rec_free(&ev);

    /* A create refused by the limiter did nothing, so it may be repeated. */
    plfx_faults(fx, "{\"p_429\": 1}");
    json_t *f = plfx_person("Rate", "Limited", "rl@example.com");
    pl_attendee a;
    assert_int_equal(pl_client_create_attendee(&a, c, PLFX_EVENT, f, &call, &e), ERR_LIMIT);
    assert_int_equal(call.attempts, 3);
    assert_false(call.maybe_applied);
    json_decref(f);
    pl_client_free(c);
}

static void server_errors_retry_reads_not_creates(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_faults(fx, "{\"p_5xx\": 1}");
    pl_client *c = plfx_client(fx, &(plfx_knobs){.max_attempts = 3});
    pl_call call = {0};
    pl_event_rec ev;
    int64_t before = served_total(fx);
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), ERR_NET);
    assert_int_equal(call.error.kind, API_ERR_TRANSIENT);
    assert_true(call.status >= 500 && call.status <= 503);
    assert_int_equal(call.attempts, 3);
    assert_int_equal(served_total(fx) - before, 3);

    before = served_total(fx);
    json_t *f = plfx_person("Five", "Hundred", "fh@example.com");
    pl_attendee a;
    assert_int_equal(pl_client_create_attendee(&a, c, PLFX_EVENT, f, &call, &e), ERR_NET);
    assert_int_equal(call.attempts, 1);
    assert_true(call.maybe_applied);
    assert_int_equal(served_total(fx) - before, 1);
    json_decref(f);
    pl_client_free(c);

    /* What the engine does next: look before creating again. */
    plfx_faults(fx, "{\"p_5xx\": 0}");
    assert_int_equal(
        pl_client_find_attendee_by_email(&a, fx->client, PLFX_EVENT, "fh@example.com", NULL, &e),
        ERR_NOT_FOUND);
    assert_int_equal(attendees_in(fx, PLFX_EVENT), 0);
    assert_int_equal(plfx_welcome_emails(fx), 0);
}

static bool slow_create_landed(void *ctx)
{
    pl_fx *fx = ctx;
    return attendees_in(fx, PLFX_EVENT) == 1;
}

static void hangs_time_out_and_a_timed_out_create_is_found(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_faults(fx, "{\"p_hang\": 1, \"hang_ms\": 1500}");
    pl_client *c = plfx_client(fx, &(plfx_knobs){.max_attempts = 2, .timeout_ms = 300});
    pl_call call = {0};
    pl_event_rec ev;
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), ERR_NET);
    assert_int_equal(call.error.transport, API_TRANSPORT_TIMEOUT);
    assert_int_equal(call.status, 0);
    assert_int_equal(call.attempts, 2);

    json_t *f = plfx_person("Slow", "Create", "slow@example.com");
    pl_attendee a;
    assert_int_equal(pl_client_create_attendee(&a, c, PLFX_EVENT, f, &call, &e), ERR_NET);
    assert_int_equal(call.attempts, 1);
    assert_true(call.maybe_applied);
    json_decref(f);
    pl_client_free(c);

    /* The emulator finishes the create after we gave up: exactly the case the lookup is for. */
    plfx_faults(fx, "{\"p_hang\": 0}");
    assert_true(th_wait_until(slow_create_landed, fx, 10000));
    assert_int_equal(
        pl_client_find_attendee_by_email(&a, fx->client, PLFX_EVENT, "slow@example.com", NULL, &e),
        0);
    assert_string_equal(a.first_name, "Slow");
    pl_attendee_free(&a);
    assert_int_equal(attendees_in(fx, PLFX_EVENT), 1);
    assert_int_equal(plfx_welcome_emails(fx), 0);
}

static void resets_are_transient(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_faults(fx, "{\"p_reset\": 1}");
    pl_client *c = plfx_client(fx, &(plfx_knobs){.max_attempts = 2});
    pl_call call = {0};
    pl_iter *it = NULL;
    assert_int_equal(pl_client_attendees(&it, c, PLFX_EVENT, GOVERNOR_LANE_LIVE, &e), 0);
    json_t *item = NULL;
    assert_int_equal(pl_iter_next(&item, it, &e), ERR_NET);
    assert_int_equal(pl_iter_call(it)->error.transport, API_TRANSPORT_RESET);
    assert_int_equal(pl_iter_call(it)->attempts, 2);
    pl_iter_free(it);

    json_t *f = plfx_person("Reset", "Create", "reset@example.com");
    pl_attendee a;
    assert_int_equal(pl_client_create_attendee(&a, c, PLFX_EVENT, f, &call, &e), ERR_NET);
    assert_int_equal(call.attempts, 1);
    assert_true(call.maybe_applied);
    json_decref(f);
    plfx_faults(fx, "{\"p_reset\": 0}");
    assert_int_equal(attendees_in(fx, PLFX_EVENT), 0);
    pl_client_free(c);
}

static void breaker_opens_after_repeated_failures(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_faults(fx, "{\"p_5xx\": 1}");
    pl_client *c = plfx_client(fx, &(plfx_knobs){.max_attempts = 1});
    pl_event_rec ev;
    for (int i = 0; i < 5; i++)
        assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, NULL, &e), ERR_NET);
    int64_t before = served_total(fx);
    pl_call call = {0};
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), ERR_BAD_STATE);
    assert_int_equal(served_total(fx), before); /* refused without a request */
    json_t *st = pl_client_state_json(c);
    assert_string_equal(jsonx_str(json_object_get(st, "breaker"), "state"), "open");
    json_decref(st);
    pl_client_free(c);
}

static void own_rate_limit_spaces_requests(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_client *c = plfx_client(fx, &(plfx_knobs){.rate_per_minute = 2});
    int64_t t0 = clock_mono_ms(&fx->clk);
    pl_event_rec ev;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, NULL, &e), 0);
        pl_event_rec_free(&ev);
    }
    /* Two per minute: the third waited for the first to leave the window. */
    assert_true(clock_mono_ms(&fx->clk) - t0 >= 60000);
    pl_client_free(c);
}

/* A stopping process ends its waits for budget: the request is refused at once, never sent. */
static void stopped_waits_are_refused_unsent(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_client *c = plfx_client(fx, &(plfx_knobs){.rate_per_minute = 1});
    pl_event_rec ev;
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, NULL, &e), 0);
    pl_event_rec_free(&ev);
    pl_client_stop_waits(c);
    int64_t t0 = clock_mono_ms(&fx->clk);
    pl_call call = {0};
    assert_int_equal(pl_client_get_event(&ev, c, PLFX_EVENT, &call, &e), ERR_BAD_STATE);
    assert_int_equal(clock_mono_ms(&fx->clk), t0); /* no wait for the next minute */
    assert_non_null(strstr(e.msg, "shut down"));
    pl_client_free(c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, plfx_client_setup, plfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(rate_limited_waits_retry_after),
        T(server_errors_retry_reads_not_creates),
        T(hangs_time_out_and_a_timed_out_create_is_found),
        T(resets_are_transient),
        T(breaker_opens_after_repeated_failures),
        T(own_rate_limit_spaces_requests),
        T(stopped_waits_are_refused_unsent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
