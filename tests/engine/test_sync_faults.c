/* test_sync_faults.c: with 10% 5xx, 5% 429, latency and connection resets on both services
 * (and no retries below the engine, so that every fault reaches it), passes converge: every
 * attendee linked, nobody duplicated on either side, and once the faults stop a pass finds
 * nothing left to write. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define FAULTS                                                                                     \
    "{\"p_5xx\": 0.10, \"p_429\": 0.05, \"latency_ms\": 1, \"latency_jitter_ms\": 3, "             \
    "\"p_reset\": 0.03}"
#define NO_FAULTS                                                                                  \
    "{\"p_5xx\": 0, \"p_429\": 0, \"latency_ms\": 0, \"latency_jitter_ms\": 0, \"p_reset\": 0}"

/* Answers of a status class (5: 5xx) an emulator gave. */
static int64_t answered(efix *f, bool ghl, char cls)
{
    json_t *c = efix_admin(f, ghl, "GET", "/_sandbox/counters", NULL);
    int64_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(c, "by_status"), k, v)
    {
        if (k[0] == cls || (cls == '4' && !strcmp(k, "429")))
            n += json_integer_value(v);
    }
    json_decref(c);
    return n;
}

static void test_converges_under_faults(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 50, .seed = 61, .no_http_retries = true};
    efix *f = efix_start(&o);
    size_t attendees = efix_attendee_count(f);
    efix_faults(f, FAULTS);
    engine_pass_result r = {0};
    err e = {0};
    /* A pass may end with a list unread (a fault mid-scan): passes are repeated as a daemon
     * would repeat them. */
    size_t ops = 0;
    for (int i = 0; i < 8; i++) {
        engine_pass_opts po = {.full = true, .deadline_ms = clock_mono_ms(clock_system()) + 120000};
        int rc = engine_pass(&r, &f->en, &po, &e);
        ops += rc == 0 ? r.ops : 0;
        if (rc == 0 && r.scan.complete && r.drained)
            break;
    }
    /* The faults did reach the engine, during scans and writes alike. */
    assert_true(ops > 20);
    assert_true(answered(f, true, '5') > 0 && answered(f, false, '5') > 0);
    assert_true(answered(f, true, '4') + answered(f, false, '4') > 0);
    assert_true(r.scan.complete);
    assert_true(r.drained);
    assert_int_equal(r.ops_dead, 0);
    efix_faults(f, NO_FAULTS);
    efix_pass(f, true);
    efix_assert_no_duplicates(f);
    assert_int_equal(efix_attendee_count(f), attendees); /* no attendee made or lost */
    efix_assert_all_linked(f);
    efix_reset_counters(f);
    r = efix_pass(f, true);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_converges_under_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
