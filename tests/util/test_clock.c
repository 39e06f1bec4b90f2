/* test_clock.c: the fake clock, and ISO-8601 formatting and parsing. */
#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* 2026-11-27T07:47:59.123Z */
#define T0 INT64_C(1795765679123)

static void fake_clock_moves_only_when_told(void **state)
{
    (void)state;
    clock_source c;
    clock_fake_init(&c, T0);
    int64_t mono = clock_mono_ms(&c);
    assert_int_equal(clock_now_ms(&c), T0);
    assert_int_equal(clock_now_ms(&c), T0);
    clock_fake_advance(&c, 1500);
    assert_int_equal(clock_now_ms(&c), T0 + 1500);
    assert_int_equal(clock_mono_ms(&c), mono + 1500);
    clock_sleep_ms(&c, 250);
    assert_int_equal(clock_now_ms(&c), T0 + 1750);
    clock_sleep_ms(&c, -5);
    assert_int_equal(clock_now_ms(&c), T0 + 1750);
}

static void system_clock_is_plausible(void **state)
{
    (void)state;
    int64_t now = clock_now_ms(clock_system());
    assert_true(now > INT64_C(1700000000000)); /* after 2023 */
    assert_true(clock_now_ms(NULL) >= now);
    int64_t m1 = clock_mono_ms(clock_system());
    assert_true(clock_mono_ms(clock_system()) >= m1);
}

static void format_iso_and_date(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    clock_format_iso(T0, out);
    assert_string_equal(out, "2026-11-27T07:47:59.123Z");
    clock_format_date(T0, out);
    assert_string_equal(out, "2026-11-27");
    clock_format_iso(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    clock_format_iso(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    clock_format_iso(INT64_C(951782400000), out); /* leap day 2000 */
    assert_string_equal(out, "2000-02-29T00:00:00.000Z");
}

static int64_t parse_ok(const char *s)
{
    int64_t ms = -42;
    err e;
    err_clear(&e);
    int rc = clock_parse_iso(&ms, s, &e);
    if (rc != 0)
        fail_msg("'%s' did not parse: %s", s, e.msg);
    return ms;
}

static void parse_forms(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-27T07:47:59.123Z"), T0);
    assert_int_equal(parse_ok("2026-11-27T07:47:59.123+00:00"), T0);
    assert_int_equal(parse_ok("2026-11-27 07:47:59.123Z"), T0);
    assert_int_equal(parse_ok("2026-11-27T07:47:59.1234567Z"), T0);
    assert_int_equal(parse_ok("2026-11-27T07:47:59Z"), T0 - 123);
    assert_int_equal(parse_ok("2026-11-27T07:47Z"), T0 - 59123);
    assert_int_equal(parse_ok("2026-11-27"), T0 - (7 * 3600 + 47 * 60 + 59) * 1000 - 123);
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), INT64_C(1709164800000));
}

static void parse_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-27T09:47:59.123+02:00"), T0);
    assert_int_equal(parse_ok("2026-11-27T09:47:59.123+0200"), T0);
    assert_int_equal(parse_ok("2026-11-27T02:17:59.123-05:30"), T0);
    /* An offset crossing midnight. */
    assert_int_equal(parse_ok("2026-11-26T23:47:59.123-08:00"), T0);
}

static void round_trips(void **state)
{
    (void)state;
    const int64_t samples[] = {
        0, 1, 999, T0, INT64_C(253402300799999), INT64_C(951868799999), -INT64_C(86400000)};
    for (size_t i = 0; i < PS_ARRAY_LEN(samples); i++) {
        char out[CLOCK_ISO_LEN];
        clock_format_iso(samples[i], out);
        assert_int_equal(parse_ok(out), samples[i]);
    }
    for (int64_t ms = 0; ms < INT64_C(4102444800000); ms += INT64_C(86399999) * 37) {
        char out[CLOCK_ISO_LEN];
        clock_format_iso(ms, out);
        assert_int_equal(parse_ok(out), ms);
    }
}

static void bad_inputs_fail_and_leave_output(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "2026",
        "2026-11",
        "26-11-27",
        "2026-13-01",
        "2026-00-10",
        "2026-02-30",
        "2025-02-29",
        "2026-04-31",
        "2026-11-27T",
        "2026-11-27T25:00:00Z",
        "2026-11-27T07:60:00Z",
        "2026-11-27T07:47:61Z",
        "2026-11-27T07:47:59.Z",
        "2026-11-27T07:47:59X",
        "2026-11-27T07:47:59+2",
        "2026-11-27T07:47:59+24:00",
        "2026-11-27T07:47:59+01:60",
        "2026-11-27T07:47:59Z ",
        "2026-11-27Z",
        "2026/11/27",
        "abcd-ef-gh",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        int64_t ms = 77;
        err e;
        err_clear(&e);
        if (clock_parse_iso(&ms, bad[i], &e) != ERR_PARSE)
            fail_msg("'%s' parsed", bad[i]);
        assert_int_equal(ms, 77);
        assert_non_null(strstr(e.msg, "is not an ISO-8601 date"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fake_clock_moves_only_when_told),
        cmocka_unit_test(system_clock_is_plausible),
        cmocka_unit_test(format_iso_and_date),
        cmocka_unit_test(parse_forms),
        cmocka_unit_test(parse_offsets),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(bad_inputs_fail_and_leave_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
