/* test_tz.c: time zones: POSIX rules at their changes (north, south, odd offsets, negative
 * times), the system's TZif files checked against the C library's own reading of them from
 * 1900 to 2100, a hand-made version 1 file, truncated and foreign files, bad names. */
#include "util/clock.h"
#include "util/tz.h"

#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define H 3600

static int64_t at(const char *iso)
{
    int64_t ms;
    assert_int_equal(clock_parse_iso(&ms, iso, NULL), 0);
    return ms / 1000;
}

static tz_zone *posix(const char *rule)
{
    tz_zone *z = NULL;
    err e = {0};
    assert_int_equal(tz_parse_posix(&z, rule, &e), 0);
    return z;
}

static void us_rule_changes_on_its_sundays(void **state)
{
    (void)state;
    tz_zone *z = posix("EST5EDT,M3.2.0,M11.1.0");
    /* 2027: the second Sunday of March is the 14th, the first of November the 7th. */
    assert_int_equal(tz_offset_at(z, at("2027-03-14T06:59:59Z")), -5 * H);
    assert_int_equal(tz_offset_at(z, at("2027-03-14T07:00:00Z")), -4 * H);
    assert_int_equal(tz_offset_at(z, at("2027-11-07T05:59:59Z")), -4 * H);
    assert_int_equal(tz_offset_at(z, at("2027-11-07T06:00:00Z")), -5 * H);
    assert_int_equal(tz_offset_at(z, at("2027-01-01T00:00:00Z")), -5 * H);
    int minutes = 0;
    assert_int_equal(tz_offset_minutes(z, at("2027-07-01T00:00:00Z") * 1000, &minutes), 0);
    assert_int_equal(minutes, -240);
    tz_free(z);
}

static void southern_rule_wraps_the_year(void **state)
{
    (void)state;
    tz_zone *z = posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
    /* Summer time ends on the first Sunday of April 2027 (the 4th) at 03:00 local. */
    assert_int_equal(tz_offset_at(z, at("2027-01-15T00:00:00Z")), 11 * H);
    assert_int_equal(tz_offset_at(z, at("2027-04-03T15:59:59Z")), 11 * H);
    assert_int_equal(tz_offset_at(z, at("2027-04-03T16:00:00Z")), 10 * H);
    assert_int_equal(tz_offset_at(z, at("2027-07-01T00:00:00Z")), 10 * H);
    /* ... and starts on the first Sunday of October (the 3rd) at 02:00 local. */
    assert_int_equal(tz_offset_at(z, at("2027-10-02T15:59:59Z")), 10 * H);
    assert_int_equal(tz_offset_at(z, at("2027-10-02T16:00:00Z")), 11 * H);
    assert_int_equal(tz_offset_at(z, at("2027-12-31T23:00:00Z")), 11 * H);
    tz_free(z);
}

static void odd_names_offsets_and_times(void **state)
{
    (void)state;
    tz_zone *z = posix("<+0330>-3:30");
    assert_int_equal(tz_offset_at(z, at("2030-06-01T00:00:00Z")), 3 * H + 1800);
    tz_free(z);
    /* Greenland: changes at -01:00 and 00:00 local (times outside 0-24 h). */
    z = posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    assert_int_equal(tz_offset_at(z, at("2030-03-31T00:59:59Z")), -2 * H);
    assert_int_equal(tz_offset_at(z, at("2030-03-31T01:00:00Z")), -1 * H);
    assert_int_equal(tz_offset_at(z, at("2030-10-27T00:59:59Z")), -1 * H);
    assert_int_equal(tz_offset_at(z, at("2030-10-27T01:00:00Z")), -2 * H);
    tz_free(z);
    /* Julian days: J60 is March 1 whether or not the year is a leap year. */
    z = posix("AAA0BBB,J60/0,J300/0");
    assert_int_equal(tz_offset_at(z, at("2028-02-29T23:59:59Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2028-03-01T00:00:00Z")), H);
    tz_free(z);
    /* Zero-based days count February 29: day 59 of 2028 is February 29. */
    z = posix("AAA0BBB,59/0,300/0");
    assert_int_equal(tz_offset_at(z, at("2028-02-28T23:59:59Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2028-02-29T00:00:00Z")), H);
    tz_free(z);
    z = posix("UTC0");
    assert_int_equal(tz_offset_at(z, at("1950-01-01T00:00:00Z")), 0);
    tz_free(z);
}

static void bad_rules_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "EST",
        "E5",
        "EST5EDT",
        "EST25",
        "EST5EDT,M13.1.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J365",
        "EST5EDT,M3.2.0",
        "EST5EDT,M3.2.0/200,M11.1.0",
        "<AB>5",
        "EST5:60",
        "EST5 ",
        "<+03",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        tz_zone *z = NULL;
        err e = {0};
        assert_int_equal(tz_parse_posix(&z, bad[i], &e), ERR_PARSE);
        assert_null(z);
        assert_non_null(strstr(e.msg, "POSIX TZ rule"));
    }
}

/* The offset the C library computes (TZ set: only safe with one thread). */
static int32_t libc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    int64_t local = clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return (int32_t)(local - t);
}

static void system_zones_agree_with_the_c_library(void **state)
{
    (void)state;
    static const char *const zones[] = {
        "America/New_York",  "Europe/Berlin",    "Australia/Sydney", "Asia/Kolkata",
        "America/Sao_Paulo", "Pacific/Chatham",  "America/Nuuk",     "Africa/Casablanca",
        "Europe/Dublin",     "America/St_Johns", "Etc/GMT+5",        "UTC",
    };
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    for (size_t i = 0; i < PS_ARRAY_LEN(zones); i++) {
        tz_zone *z = NULL;
        err e = {0};
        assert_int_equal(tz_load(&z, zones[i], &e), 0);
        setenv("TZ", zones[i], 1);
        tzset();
        /* Every 7 h 13 min from 1900 to 2100: both sides of the last transition in the file. */
        for (int64_t t = at("1900-01-01T00:00:00Z"); t < at("2100-01-01T00:00:00Z");
             t += 7 * H + 13 * 60) {
            int32_t want = libc_offset(t), got = tz_offset_at(z, t);
            if (want != got)
                fail_msg("%s at %lld: %d, the C library says %d", zones[i], (long long)t, (int)got,
                         (int)want);
        }
        tz_free(z);
    }
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void version_1_file(void **state)
{
    (void)state;
    /* One transition at 2000-01-01 from type 0 (+01:00) to type 1 (+02:00). */
    unsigned char d[44 + 4 + 1 + 12 + 4];
    memset(d, 0, sizeof d);
    memcpy(d, "TZif", 4);
    put32(d + 20 + 12, 1); /* timecnt */
    put32(d + 20 + 16, 2); /* typecnt */
    put32(d + 20 + 20, 4); /* charcnt */
    put32(d + 44, (uint32_t)at("2000-01-01T00:00:00Z"));
    d[48] = 1;
    put32(d + 49, 3600);
    put32(d + 55, 7200);
    memcpy(d + 61, "AB\0", 3);
    tz_zone *z = NULL;
    err e = {0};
    assert_int_equal(tz_parse(&z, d, sizeof d, &e), 0);
    assert_int_equal(tz_offset_at(z, at("1999-12-31T23:59:59Z")), H);
    assert_int_equal(tz_offset_at(z, at("2000-01-01T00:00:00Z")), 2 * H);
    assert_int_equal(tz_offset_at(z, at("2090-01-01T00:00:00Z")), 2 * H);
    tz_free(z);
    d[48] = 2; /* a type that does not exist */
    assert_int_equal(tz_parse(&z, d, sizeof d, &e), ERR_PARSE);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *d = malloc(1 << 20);
    assert_non_null(d);
    *n = fread(d, 1, 1 << 20, f);
    fclose(f);
    return d;
}

static void truncated_and_foreign_files_fail_cleanly(void **state)
{
    (void)state;
    size_t n;
    unsigned char *d = slurp("/usr/share/zoneinfo/America/New_York", &n);
    for (size_t len = 0; len < n; len++) {
        tz_zone *z = NULL;
        err e = {0};
        assert_int_equal(tz_parse(&z, d, len, &e), ERR_PARSE);
        assert_null(z);
    }
    tz_zone *z = NULL;
    err e = {0};
    assert_int_equal(tz_parse(&z, d, n, &e), 0);
    tz_free(z);
    d[n - 3] = '!'; /* the footer's rule spoilt */
    assert_int_equal(tz_parse(&z, d, n, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "footer"));
    free(d);

    char dir[] = "/tmp/tz-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/Not_A_Zone", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a zone\n", f);
    fclose(f);
    setenv("TZDIR", dir, 1);
    assert_int_equal(tz_load(&z, "Not_A_Zone", &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "Not_A_Zone"));
    unsetenv("TZDIR");
    remove(path);
    rmdir(dir);
}

static void names(void **state)
{
    (void)state;
    tz_zone *z = NULL;
    err e = {0};
    assert_int_equal(tz_load(&z, "Mars/Olympus_Mons", &e), ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "time zone 'Mars/Olympus_Mons' is unknown"));
    assert_int_equal(tz_load(&z, "../../etc/passwd", &e), ERR_INVALID);
    assert_int_equal(tz_load(&z, "/etc/localtime", &e), ERR_INVALID);
    assert_int_equal(tz_load(&z, "America/New York", &e), ERR_INVALID);
    assert_null(z);
    static const char *const utc[] = {NULL, "", "UTC"};
    for (size_t i = 0; i < PS_ARRAY_LEN(utc); i++) {
        assert_int_equal(tz_load(&z, utc[i], &e), 0);
        assert_int_equal(tz_offset_at(z, at("2027-07-01T00:00:00Z")), 0);
        tz_free(z);
    }
    tz_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(us_rule_changes_on_its_sundays),
        cmocka_unit_test(southern_rule_wraps_the_year),
        cmocka_unit_test(odd_names_offsets_and_times),
        cmocka_unit_test(bad_rules_are_refused),
        cmocka_unit_test(system_zones_agree_with_the_c_library),
        cmocka_unit_test(version_1_file),
        cmocka_unit_test(truncated_and_foreign_files_fail_cleanly),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
