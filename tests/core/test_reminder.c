/* test_reminder.c: the announcements an appointment should have, in the event's timezone, and
 * the plan that gets there from the ones that exist. */
#include "core/reminder.h"
#include "core_test.h"

#include "util/clock.h"
#include "util/jsonx.h"
#include "util/tz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    err e;
    if (clock_parse_iso(&ms, iso, &e) != 0)
        fail_msg("%s", e.msg);
    return ms;
}

/* New York in 2024: UTC-4 from 10 March 07:00 UTC to 3 November 06:00 UTC, UTC-5 otherwise. */
static int new_york(void *ctx, int64_t utc_ms, int *out)
{
    (void)ctx;
    bool summer = utc_ms >= 1710054000000LL && utc_ms < 1730613600000LL;
    *out = summer ? -240 : -300;
    return 0;
}

static core_reminder_cfg cfg_of(const char *const *offsets, size_t n)
{
    core_map *m = NULL;
    err e;
    assert_int_equal(core_map_default(&m, &e), 0);
    core_reminder_cfg c;
    if (core_reminder_cfg_init(&c, offsets, n, "Reminder: {appointment_title}",
                               "Hi {first_name}, {appointment_title} starts at "
                               "{appointment_start}.",
                               m, &e) != 0)
        fail_msg("%s", e.msg);
    core_map_free(m);
    return c;
}

static const char *APPT = "{\"id\": \"a1\", \"title\": \"Demo\", \"start\": "
                          "\"2024-03-10T15:00:00.000Z\", \"end\": \"2024-03-10T15:30:00.000Z\", "
                          "\"status\": \"confirmed\"}";

static void wanted_reminders_in_the_event_timezone(void **state)
{
    (void)state;
    static const char *const offsets[] = {"24h", "1h"};
    core_reminder_cfg c = cfg_of(offsets, 2);
    c.tz = new_york;
    json_t *appt = ct_json(APPT), *vars = ct_json("{\"first_name\": \"Ada\"}"), *want = NULL;
    err e;
    assert_int_equal(
        core_reminders_want(&want, &c, appt, "ATT1", vars, at("2024-03-01T00:00:00Z"), &e), 0);
    /* 24h before is still winter time (UTC-5); 1h before, summer (UTC-4). */
    ct_assert_json(want,
                   "[{\"before\": 86400, \"release\": \"2024-03-09T15:00:00.000Z\", \"title\": "
                   "\"Reminder: Demo\", \"description\": \"Hi Ada, Demo starts at 2024-03-10 "
                   "11:00.\", \"body\": {\"title\": \"Reminder: Demo\", \"description\": \"Hi Ada, "
                   "Demo starts at 2024-03-10 11:00.\", \"recipients\": [\"ATT1\"], "
                   "\"release_date\": \"2024-03-09\", \"release_time\": \"10:00:00\", "
                   "\"is_notification_push\": true, \"is_notification_mail\": true}}, "
                   "{\"before\": 3600, \"release\": \"2024-03-10T14:00:00.000Z\", \"title\": "
                   "\"Reminder: Demo\", \"description\": \"Hi Ada, Demo starts at 2024-03-10 "
                   "11:00.\", \"body\": {\"title\": \"Reminder: Demo\", \"description\": \"Hi Ada, "
                   "Demo starts at 2024-03-10 11:00.\", \"recipients\": [\"ATT1\"], "
                   "\"release_date\": \"2024-03-10\", \"release_time\": \"10:00:00\", "
                   "\"is_notification_push\": true, \"is_notification_mail\": true}}]");
    json_decref(want);
    /* Between the two release times: only the later one is still wanted. UTC without tz. */
    c.tz = NULL;
    assert_int_equal(
        core_reminders_want(&want, &c, appt, "ATT1", vars, at("2024-03-10T12:00:00Z"), &e), 0);
    assert_int_equal(json_array_size(want), 1);
    ct_assert_json(
        json_object_get(json_object_get(json_array_get(want, 0), "body"), "release_time"),
        "\"14:00:00\"");
    json_decref(want);
    json_decref(appt);
    json_decref(vars);
    core_reminder_cfg_clear(&c);
}

static void no_reminders_for_cancelled_or_unreadable(void **state)
{
    (void)state;
    static const char *const offsets[] = {"1h"};
    core_reminder_cfg c = cfg_of(offsets, 1);
    const char *appts[] = {
        "{\"id\": \"a\", \"start\": \"2030-01-01T10:00:00Z\", \"status\": \"cancelled\"}",
        "{\"id\": \"a\", \"start\": \"2030-01-01T10:00:00Z\", \"status\": \"Canceled\"}",
        "{\"id\": \"a\", \"start\": \"2030-01-01T10:00:00Z\", \"status\": \"noshow\"}",
        "{\"id\": \"a\", \"start\": \"soon\"}",
        "{\"id\": \"a\"}",
        "{\"id\": \"a\", \"start\": \"2020-01-01T10:00:00Z\"}",
    };
    for (size_t i = 0; i < sizeof appts / sizeof appts[0]; i++) {
        json_t *appt = ct_json(appts[i]), *want = NULL;
        err e;
        assert_int_equal(
            core_reminders_want(&want, &c, appt, "ATT1", NULL, at("2025-01-01T00:00:00Z"), &e), 0);
        assert_int_equal(json_array_size(want), 0);
        json_decref(want);
        json_decref(appt);
    }
    json_t *appt = ct_json(APPT), *want = NULL;
    err e;
    assert_int_equal(core_reminders_want(&want, &c, appt, "", NULL, 0, &e), ERR_INVALID);
    json_decref(appt);
    core_reminder_cfg_clear(&c);
}

static void config_errors(void **state)
{
    (void)state;
    core_map *m = NULL;
    err e;
    assert_int_equal(core_map_default(&m, &e), 0);
    core_reminder_cfg c;
    const char *bad[] = {"soon"};
    assert_int_equal(core_reminder_cfg_init(&c, bad, 1, "t", "", m, &e), ERR_CONFIG);
    assert_string_equal(e.msg, "[sync] reminders: 'soon' is not a positive duration (e.g. 24h, "
                               "30m)");
    const char *neg[] = {"-1h"};
    assert_int_equal(core_reminder_cfg_init(&c, neg, 1, "t", "", m, &e), ERR_CONFIG);
    const char *twice[] = {"1h", "60m"};
    assert_int_equal(core_reminder_cfg_init(&c, twice, 2, "t", "", m, &e), ERR_CONFIG);
    assert_string_equal(e.msg, "[sync] reminders: '60m' is listed twice");
    const char *ok[] = {"1h"};
    assert_int_equal(core_reminder_cfg_init(&c, ok, 1, "{appointment_titel}", "", m, &e),
                     ERR_CONFIG);
    assert_string_equal(e.msg, "[sync] reminder_title: column 2: unknown name "
                               "'appointment_titel'");
    assert_int_equal(core_reminder_cfg_init(&c, ok, 1, "", "", m, &e), ERR_CONFIG);
    assert_string_equal(e.msg, "[sync] reminder_title: a reminder needs a title");
    const char *none[] = {"-"};
    assert_int_equal(core_reminder_cfg_init(&c, none, 1, "", "", m, &e), 0);
    assert_int_equal(c.n_before, 0);
    core_reminder_cfg_clear(&c);
    /* From the configuration's defaults. */
    config *cfg = NULL;
    assert_int_equal(config_load_string(&cfg, "", 0, "t", NULL, &e), 0);
    assert_int_equal(core_reminder_cfg_from_config(&c, cfg, m, &e), 0);
    assert_int_equal(c.n_before, 2);
    assert_true(c.before_s[0] == 86400 && c.before_s[1] == 3600);
    assert_string_equal(c.title, "Reminder: {appointment_title}");
    core_reminder_cfg_clear(&c);
    config_free(cfg);
    core_map_free(m);
}

/* A wanted item and a remembered record, built by hand. */
static json_t *item(int before, const char *release, const char *title)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:{s:s}}", "before", before, "release", release, "title",
                     title, "description", "d", "body", "title", title);
}

static json_t *record(int before, const char *code, const char *release, const char *title)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s}", "before", before, "code", code, "release",
                     release, "title", title, "description", "d");
}

static void diff_creates_updates_deletes_and_keeps(void **state)
{
    (void)state;
    int64_t now = at("2024-05-01T12:00:00Z");
    json_t *want = json_array(), *have = json_array();
    /* 86400: new, create. */
    json_array_append_new(want, item(86400, "2024-05-02T09:00:00.000Z", "R"));
    /* 3600: exists, unchanged: keep. */
    json_array_append_new(want, item(3600, "2024-05-03T08:00:00.000Z", "R"));
    json_array_append_new(have, record(3600, "ANN1", "2024-05-03T08:00:00.000Z", "R"));
    /* 1800: exists, moved: update. */
    json_array_append_new(want, item(1800, "2024-05-03T08:30:00.000Z", "R"));
    json_array_append_new(have, record(1800, "ANN2", "2024-05-03T07:30:00.000Z", "R"));
    /* 600: no longer wanted, not released: delete. */
    json_array_append_new(have, record(600, "ANN3", "2024-05-03T08:50:00.000Z", "R"));
    /* 300: no longer wanted, already released: history, keep. */
    json_array_append_new(have, record(300, "ANN4", "2024-05-01T11:00:00.000Z", "R"));
    /* 120: wanted differently but already released: keep. */
    json_array_append_new(want, item(120, "2024-05-03T08:58:00.000Z", "New"));
    json_array_append_new(have, record(120, "ANN5", "2024-04-30T00:00:00.000Z", "Old"));
    core_reminder_plan p;
    err e;
    assert_int_equal(core_reminders_diff(&p, want, have, now, &e), 0);
    assert_int_equal(json_array_size(p.create), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(p.create, 0), "before")),
                     86400);
    assert_int_equal(json_array_size(p.update), 1);
    ct_assert_json(json_object_get(json_array_get(p.update, 0), "code"), "\"ANN2\"");
    ct_assert_json(json_object_get(json_array_get(p.update, 0), "release"),
                   "\"2024-05-03T08:30:00.000Z\"");
    assert_int_equal(json_array_size(p.remove), 1);
    ct_assert_json(json_object_get(json_array_get(p.remove, 0), "code"), "\"ANN3\"");
    assert_int_equal(json_array_size(p.keep), 3);
    core_reminder_plan_clear(&p);
    /* Everything cancelled: the pending ones go, the released one stays. */
    json_t *none = json_array();
    assert_int_equal(core_reminders_diff(&p, none, have, now, &e), 0);
    assert_int_equal(json_array_size(p.create), 0);
    assert_int_equal(json_array_size(p.remove), 3);
    assert_int_equal(json_array_size(p.keep), 2);
    core_reminder_plan_clear(&p);
    core_reminder_plan_clear(&p);
    json_decref(none);
    json_decref(want);
    json_decref(have);
}

static void moved_into_the_past_deletes_the_pending_one(void **state)
{
    (void)state;
    int64_t now = at("2024-05-01T12:00:00Z");
    json_t *want = json_array(), *have = json_array();
    json_array_append_new(want, item(3600, "2024-05-01T11:00:00.000Z", "R"));
    json_array_append_new(have, record(3600, "ANN1", "2024-05-02T11:00:00.000Z", "R"));
    core_reminder_plan p;
    err e;
    assert_int_equal(core_reminders_diff(&p, want, have, now, &e), 0);
    assert_int_equal(json_array_size(p.remove), 1);
    assert_int_equal(json_array_size(p.create) + json_array_size(p.update), 0);
    core_reminder_plan_clear(&p);
    json_decref(want);
    json_decref(have);
}

static void record_of_a_created_reminder(void **state)
{
    (void)state;
    static const char *const offsets[] = {"1h"};
    core_reminder_cfg c = cfg_of(offsets, 1);
    json_t *appt = ct_json(APPT), *want = NULL;
    err e;
    assert_int_equal(core_reminders_want(&want, &c, appt, "ATT1", NULL, 0, &e), 0);
    json_t *rec = core_reminder_record(json_array_get(want, 0), "ANN9");
    ct_assert_json(rec, "{\"before\": 3600, \"code\": \"ANN9\", \"release\": "
                        "\"2024-03-10T14:00:00.000Z\", \"local\": \"2024-03-10 14:00:00\", "
                        "\"title\": \"Reminder: Demo\", "
                        "\"description\": \"Hi , Demo starts at 2024-03-10 15:00.\"}");
    /* Remembered, it matches what is wanted: nothing to do. */
    json_t *have = json_pack("[o]", rec);
    core_reminder_plan p;
    assert_int_equal(core_reminders_diff(&p, want, have, 0, &e), 0);
    assert_int_equal(json_array_size(p.keep), 1);
    assert_int_equal(
        json_array_size(p.create) + json_array_size(p.update) + json_array_size(p.remove), 0);
    core_reminder_plan_clear(&p);
    json_decref(have);
    json_decref(want);
    json_decref(appt);
    core_reminder_cfg_clear(&c);
}

/* The release dates and times of want, as "DATE TIME" strings, in order. */
static void assert_releases(const json_t *want, const char *const *local, size_t n)
{
    assert_int_equal(json_array_size(want), n);
    for (size_t i = 0; i < n; i++) {
        const json_t *body = json_object_get(json_array_get(want, i), "body");
        char got[32];
        snprintf(got, sizeof got, "%s %s", jsonx_str(body, "release_date"),
                 jsonx_str(body, "release_time"));
        assert_string_equal(got, local[i]);
    }
}

/* Berlin's clocks go back on 31 October 2027 (03:00 CEST to 02:00 CET). An appointment at
 * 10:00 CET on 1 November: the reminder a week before is released at 11:00 CEST (09:00 UTC
 * both), the one an hour before at 09:00 CET; moved across the change, they follow. */
static void reminders_in_a_real_zone_across_its_autumn_change(void **state)
{
    (void)state;
    static const char *const offsets[] = {"168h", "1h"};
    core_reminder_cfg c = cfg_of(offsets, 2);
    tz_zone *berlin = NULL;
    err e;
    assert_int_equal(tz_parse_posix(&berlin, "CET-1CEST,M3.5.0,M10.5.0/3", &e), 0);
    c.tz = tz_offset_minutes;
    c.tz_ctx = berlin;
    json_t *appt = ct_json("{\"id\": \"a1\", \"title\": \"Demo\", \"start\": "
                           "\"2027-11-01T09:00:00Z\", \"status\": \"confirmed\"}");
    json_t *want = NULL;
    int64_t now = at("2027-10-01T00:00:00Z");
    assert_int_equal(core_reminders_want(&want, &c, appt, "ATT1", NULL, now, &e), 0);
    static const char *const first[] = {"2027-10-25 11:00:00", "2027-11-01 09:00:00"};
    assert_releases(want, first, 2);
    /* The appointment's own time in templates is local too. */
    assert_non_null(strstr(jsonx_str(json_array_get(want, 0), "description"), "2027-11-01 10:00"));
    json_t *have = json_array();
    json_array_append_new(have, core_reminder_record(json_array_get(want, 0), "ANN1"));
    json_array_append_new(have, core_reminder_record(json_array_get(want, 1), "ANN2"));
    ct_assert_json(json_object_get(json_array_get(have, 0), "local"), "\"2027-10-25 11:00:00\"");
    json_decref(want);
    assert_string_equal(core_reminders_why(appt, have), "the reminder settings changed");

    /* Moved a week earlier, into summer time: the same wall times, an hour earlier in UTC. */
    json_object_set_new(appt, "start", json_string("2027-10-25T08:00:00Z"));
    assert_int_equal(core_reminders_want(&want, &c, appt, "ATT1", NULL, now, &e), 0);
    static const char *const moved[] = {"2027-10-18 10:00:00", "2027-10-25 09:00:00"};
    assert_releases(want, moved, 2);
    core_reminder_plan p;
    assert_int_equal(core_reminders_diff(&p, want, have, now, &e), 0);
    assert_int_equal(json_array_size(p.update), 2);
    ct_assert_json(
        json_object_get(json_object_get(json_array_get(p.update, 1), "body"), "release_time"),
        "\"09:00:00\"");
    core_reminder_plan_clear(&p);
    assert_string_equal(core_reminders_why(appt, have), "the appointment moved");
    json_decref(want);
    json_decref(have);
    json_decref(appt);
    tz_free(berlin);
    core_reminder_cfg_clear(&c);
}

static void why_reminders_change(void **state)
{
    (void)state;
    json_t *have = json_array(), *none = json_array();
    json_array_append_new(have, record(3600, "ANN1", "2024-03-10T14:00:00.000Z", "R"));
    json_t *appt = ct_json(APPT);
    assert_string_equal(core_reminders_why(NULL, have), "the appointment was deleted");
    assert_string_equal(core_reminders_why(appt, none), "the appointment was booked");
    assert_string_equal(core_reminders_why(appt, have), "the reminder settings changed");
    json_object_set_new(appt, "start", json_string("2024-03-11T15:00:00.000Z"));
    assert_string_equal(core_reminders_why(appt, have), "the appointment moved");
    json_object_set_new(appt, "status", json_string("cancelled"));
    assert_string_equal(core_reminders_why(appt, have), "the appointment was cancelled");
    json_object_set_new(appt, "status", json_string("confirmed"));
    json_object_set_new(appt, "start", json_string("soon"));
    assert_string_equal(core_reminders_why(appt, have), "the appointment has no readable start");
    json_decref(appt);
    json_decref(have);
    json_decref(none);
    char text[32];
    static const struct {
        int64_t s;
        const char *text;
    } offsets[] = {{86400, "24h"}, {5400, "1h30m"}, {1800, "30m"}, {90, "90s"}, {604800, "168h"}};
    for (size_t i = 0; i < PS_ARRAY_LEN(offsets); i++) {
        core_reminder_offset_text(text, offsets[i].s);
        assert_string_equal(text, offsets[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wanted_reminders_in_the_event_timezone),
        cmocka_unit_test(no_reminders_for_cancelled_or_unreadable),
        cmocka_unit_test(config_errors),
        cmocka_unit_test(diff_creates_updates_deletes_and_keeps),
        cmocka_unit_test(moved_into_the_past_deletes_the_pending_one),
        cmocka_unit_test(record_of_a_created_reminder),
        cmocka_unit_test(reminders_in_a_real_zone_across_its_autumn_change),
        cmocka_unit_test(why_reminders_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
