/* test_pl_lists.c: the PheedLoop emulator's lists over HTTP: pagination, registrations by date,
 * tickets, attendance and check-in, members, contact tags, event tags, announcements. */
#include "tests/support/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define EV "events/" PLFX_EVENT "/"
#define DAY 86400000LL

static const char *field_error(const json_t *errors, const char *field)
{
    return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

static void bulk_people(pl_fx *fx, int n)
{
    buf b;
    buf_init(&b, 65536);
    buf_addc(&b, '[');
    for (int i = 0; i < n; i++)
        buf_addf(&b, "%s{\"first_name\":\"P\",\"last_name\":\"%d\",\"email\":\"p%d@x.io\"}",
                 i ? "," : "", i, i);
    buf_addc(&b, ']');
    th_response_free(plfx_expect(plfx_api(fx, "POST", EV "attendeesbulk/", buf_cstr(&b)), 201));
    buf_free(&b);
}

static void expect_url(const json_t *j, const char *key, pl_fx *fx, const char *rest)
{
    if (!rest) {
        assert_true(json_is_null(json_object_get(j, key)));
        return;
    }
    char want[512];
    snprintf(want, sizeof want, "%s%s", fx->api, rest);
    assert_string_equal(jsonx_str(j, key), want);
}

static void test_pagination(void **state)
{
    pl_fx *fx = *state;
    /* An empty list answers page 1 and nothing past it. */
    th_response *r = plfx_expect(plfx_api(fx, "GET", EV "attendees/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", -1), 0);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 0);
    expect_url(r->json, "next", fx, NULL);
    expect_url(r->json, "previous", fx, NULL);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page=2", NULL), 404);
    assert_string_equal(jsonx_str(r->json, "detail"), "Invalid page.");
    th_response_free(r);

    bulk_people(fx, 5);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=2", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", -1), 5);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 2);
    expect_url(r->json, "next", fx, EV "attendees/?page=2&page_size=2");
    expect_url(r->json, "previous", fx, NULL);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=2&page=2", NULL), 200);
    expect_url(r->json, "next", fx, EV "attendees/?page=3&page_size=2");
    expect_url(r->json, "previous", fx, EV "attendees/?page_size=2");
    assert_string_equal(
        jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "last_name"), "2");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page=3&page_size=2", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 1);
    expect_url(r->json, "next", fx, NULL);
    expect_url(r->json, "previous", fx, EV "attendees/?page=2&page_size=2");
    th_response_free(r);
    static const char *const bad[] = {"page=4&page_size=2", "page=0", "page=-1", "page=abc",
                                      "page=2"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        char path[128];
        snprintf(path, sizeof path, EV "attendees/?%s", bad[i]);
        r = plfx_expect(plfx_api(fx, "GET", path, NULL), 404);
        assert_string_equal(jsonx_str(r->json, "detail"), "Invalid page.");
        th_response_free(r);
    }
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page=last&page_size=2", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 1);
    th_response_free(r);
    /* A page_size that is not a positive number falls back to the default, as in DRF. */
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=abc", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 5);
    th_response_free(r);
    /* Exact boundary: 4 of 2 per page is two pages. */
    char path[128];
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=1&page=5", NULL), 200);
    snprintf(path, sizeof path, EV "attendees/%s/",
             jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "code"));
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=2&page=2", NULL), 200);
    expect_url(r->json, "next", fx, NULL);
    th_response_free(r);
    th_response_free(
        plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=2&page=3", NULL), 404));
}

static void test_page_size_cap(void **state)
{
    pl_fx *fx = *state;
    for (int k = 0; k < 6; k++) {
        buf b;
        buf_init(&b, 1 << 20);
        buf_addc(&b, '[');
        for (int i = 0; i < 100; i++)
            buf_addf(&b, "%s{\"first_name\":\"P\",\"last_name\":\"L\",\"email\":\"c%d_%d@x.io\"}",
                     i ? "," : "", k, i);
        buf_addc(&b, ']');
        th_response_free(plfx_expect(plfx_api(fx, "POST", EV "attendeesbulk/", buf_cstr(&b)), 201));
        buf_free(&b);
    }
    th_response *r = plfx_expect(plfx_api(fx, "GET", EV "attendees/", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 100);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/?page_size=100000", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 600);
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 500);
    expect_url(r->json, "next", fx, EV "attendees/?page=2&page_size=100000");
    th_response_free(r);
}

static json_t *registrations(pl_fx *fx, const char *query)
{
    char path[256];
    snprintf(path, sizeof path, EV "registrations/%s", query);
    th_response *r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    json_t *res = json_incref(json_object_get(r->json, "results"));
    th_response_free(r);
    return res;
}

static void test_registrations_by_date(void **state)
{
    pl_fx *fx = *state;
    char a[64], b[64], path[128];
    plfx_create_attendee(fx, "a@x.io", a); /* 2026-11-27 */
    clock_fake_advance(&fx->clock, DAY);
    plfx_create_attendee(fx, "b@x.io", b); /* 2026-11-28 */
    clock_fake_advance(&fx->clock, DAY);
    snprintf(path, sizeof path, EV "attendees/%s/", a);
    th_response_free(plfx_expect(plfx_api(fx, "PATCH", path, "{\"last_name\":\"Changed\"}"), 200));

    json_t *all = registrations(fx, "");
    assert_int_equal(json_array_size(all), 2);
    json_t *ra = json_array_get(all, 0);
    assert_string_equal(jsonx_str(ra, "attendee_code"), a);
    assert_string_equal(jsonx_str(ra, "event_code"), PLFX_EVENT);
    assert_string_equal(jsonx_str(ra, "last_name"), "Changed");
    assert_string_equal(jsonx_str(ra, "ticket_name"), "General Admission");
    assert_memory_equal(jsonx_str(ra, "code"), "REG", 3);
    assert_memory_equal(jsonx_str(ra, "registration_date"), "2026-11-27", 10);
    assert_memory_equal(jsonx_str(ra, "date_updated"), "2026-11-29", 10);
    assert_false(jsonx_bool(ra, "canceled", true));
    assert_true(jsonx_bool(ra, "registration_complete", false));
    char ticket[64];
    snprintf(ticket, sizeof ticket, "%s", jsonx_str(ra, "ticket_code"));
    json_decref(all);

    struct {
        const char *query;
        size_t n;
        const char *first;
    } cases[] = {
        {"?date_updated_gte=2026-11-28", 2, a},
        {"?date_updated_lte=2026-11-28", 1, b},
        {"?date_updated_gte=2026-11-29", 1, a},
        {"?date_updated_lte=2026-11-27", 0, NULL},
        {"?date_updated_gte=2026-11-28&date_updated_lte=2026-11-28", 1, b},
        {"?date_updated_gte=", 2, a},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(cases); i++) {
        json_t *l = registrations(fx, cases[i].query);
        if (json_array_size(l) != cases[i].n)
            fail_msg("%s: %zu results", cases[i].query, json_array_size(l));
        if (cases[i].first)
            assert_string_equal(jsonx_str(json_array_get(l, 0), "attendee_code"), cases[i].first);
        json_decref(l);
    }
    th_response *r = plfx_expect(
        plfx_api(fx, "GET", EV "registrations/?date_updated_gte=2026-11-28T00:00:00Z", NULL), 400);
    assert_string_equal(field_error(r->json, "date_updated_gte"), "Enter a valid date.");
    th_response_free(r);
    /* Other query arguments are kept in the links, sorted by name like DRF's. */
    r = plfx_expect(
        plfx_api(fx, "GET", EV "registrations/?page_size=1&date_updated_gte=2026-11-01", NULL),
        200);
    expect_url(r->json, "next", fx,
               EV "registrations/?date_updated_gte=2026-11-01&page=2&page_size=1");
    th_response_free(r);

    r = plfx_expect(plfx_api(fx, "GET", "tickets/", NULL), 200);
    json_t *t = json_array_get(json_object_get(r->json, "results"), 0);
    assert_string_equal(jsonx_str(t, "code"), ticket);
    assert_string_equal(jsonx_str(t, "event_code"), PLFX_EVENT);
    th_response_free(r);
}

static void test_checkin(void **state)
{
    pl_fx *fx = *state;
    char a[64], b[64], body[256];
    plfx_create_attendee(fx, "in@x.io", a);
    plfx_create_attendee(fx, "out@x.io", b);
    th_response *r = plfx_expect(plfx_api(fx, "GET", EV "attendance/", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "checked_in")), 0);
    assert_int_equal(json_array_size(json_object_get(r->json, "not_checked_in")), 2);
    th_response_free(r);

    snprintf(body, sizeof body, "{\"codes\":[\"%s\",\"ATTNOPE\"]}", a);
    r = plfx_expect(plfx_api(fx, "POST", EV "checkin/", body), 200);
    json_t *done = json_object_get(r->json, "attendees");
    assert_int_equal(json_array_size(done), 1);
    assert_true(jsonx_bool(json_array_get(done, 0), "is_checked_in", false));
    assert_memory_equal(jsonx_str(json_array_get(done, 0), "checkin_date"), "2026-11-27", 10);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r->json, "errored_attendees"), 0)),
        "ATTNOPE");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendance/", NULL), 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r->json, "checked_in"), 0)), a);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r->json, "not_checked_in"), 0)), b);
    th_response_free(r);
    json_t *regs = registrations(fx, "");
    assert_true(jsonx_bool(json_array_get(regs, 0), "checked_in", false));
    json_decref(regs);

    snprintf(body, sizeof body, "{\"codes\":[\"%s\"]}", a);
    r = plfx_expect(plfx_api(fx, "DELETE", EV "checkout/", body), 200);
    assert_false(jsonx_bool(json_array_get(json_object_get(r->json, "attendees"), 0),
                            "is_checked_in", true));
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "attendance/", NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "checked_in")), 0);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", EV "checkin/", "{\"codes\":\"x\"}"), 400);
    assert_string_equal(field_error(r->json, "codes"),
                        "Expected a list of items but got type \"str\".");
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "POST", EV "checkout/", body), 405));
}

static void test_members(void **state)
{
    pl_fx *fx = *state;
    char att[64];
    plfx_create_attendee(fx, "member@x.io", att);
    th_response *r = plfx_expect(
        plfx_api(fx, "POST", "members/",
                 "{\"first_name\":\"M\",\"last_name\":\"One\",\"email\":\"Member@x.io\","
                 "\"metadata\":{\"k\":[1]},\"memberships\":[{\"tier\":\"gold\"}]}"),
        201);
    char code[64], path[128];
    snprintf(code, sizeof code, "%s", jsonx_str(r->json, "code"));
    assert_memory_equal(code, "MBR", 3);
    json_t *attended = json_object_get(r->json, "events_attended");
    assert_int_equal(json_array_size(attended), 1);
    assert_string_equal(json_string_value(json_array_get(attended, 0)), PLFX_EVENT);
    th_response_free(r);
    snprintf(path, sizeof path, "members/%s/", code);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    assert_string_equal(
        jsonx_str(json_array_get(json_object_get(r->json, "memberships"), 0), "tier"), "gold");
    th_response_free(r);
    r = plfx_expect(
        plfx_api(fx, "POST", "members/",
                 "{\"first_name\":\"M\",\"last_name\":\"Two\",\"email\":\"member@X.io\"}"),
        400);
    assert_string_equal(field_error(r->json, "email"), "A member with this email already exists.");
    th_response_free(r);

    clock_fake_advance(&fx->clock, DAY); /* 2026-11-28 */
    r = plfx_expect(plfx_api(fx, "POST", "membersbulk/",
                             "[{\"first_name\":\"B\",\"last_name\":\"1\",\"email\":\"mb1@x.io\"},"
                             "{\"first_name\":\"B\",\"last_name\":\"2\",\"email\":\"mb2@x.io\"}]"),
                    201);
    char b1[64], body[256];
    snprintf(b1, sizeof b1, "%s", jsonx_str(json_array_get(r->json, 0), "code"));
    th_response_free(r);
    clock_fake_advance(&fx->clock, DAY); /* 2026-11-29 */
    snprintf(body, sizeof body, "[{\"code\":\"%s\",\"title\":\"Dr\"}]", b1);
    r = plfx_expect(plfx_api(fx, "PATCH", "membersbulk/", body), 200);
    assert_string_equal(jsonx_str(json_array_get(r->json, 0), "title"), "Dr");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", "membersbulk/", "[{\"code\":\"MBRNOPE\"}]"), 400);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"organization\":\"Acme\"}"), 200);
    th_response_free(r);

    r = plfx_expect(plfx_api(fx, "GET", "members/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 3);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "members/?registration_date_updated_lte=2026-11-28", NULL),
                    200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1); /* mb2 only */
    assert_string_equal(jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "email"),
                        "mb2@x.io");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "members/?registration_date_updated_gte=2026-11-29", NULL),
                    200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 2);
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "GET", "members/MBRNOPE/", NULL), 404));
}

static void test_contact_tags(void **state)
{
    pl_fx *fx = *state;
    th_response *r =
        plfx_expect(plfx_api(fx, "POST", "contacttags/", "{\"name\":\"Speaker\"}"), 201);
    char path[128];
    snprintf(path, sizeof path, "contacttags/%s/", jsonx_str(r->json, "code"));
    assert_int_equal(json_object_size(r->json), 2);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", "contacttags/", "{\"name\":\"speaker\"}"), 400);
    assert_string_equal(field_error(r->json, "name"), "contact tag with this name already exists.");
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "POST", "contacttags/", "{}"), 400));
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"name\":\"Keynote\"}"), 200);
    assert_string_equal(jsonx_str(r->json, "name"), "Keynote");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "contacttags/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1);
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    th_response_free(plfx_expect(plfx_api(fx, "GET", path, NULL), 404));
}

static void test_event_tags(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(plfx_api(fx, "GET", EV "tags/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", -1), 0);
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "POST", EV "tags/", "{\"name\":\"X\"}"), 405));
    th_response_free(plfx_expect(plfx_admin(fx, "POST", "/_sandbox/events/" PLFX_EVENT "/tags",
                                            "{\"name\":\"Sponsor\",\"description\":\"Paid\"}"),
                                 201));
    th_response_free(plfx_expect(
        plfx_admin(fx, "POST", "/_sandbox/events/" PLFX_EVENT "/tags", "{\"name\":\"sponsor\"}"),
        409));
    r = plfx_expect(plfx_api(fx, "GET", EV "tags/", NULL), 200);
    json_t *t = json_array_get(json_object_get(r->json, "results"), 0);
    assert_true(json_is_integer(json_object_get(t, "id")));
    assert_memory_equal(jsonx_str(t, "code"), "TAG", 3);
    assert_string_equal(jsonx_str(t, "name"), "Sponsor");
    assert_string_equal(jsonx_str(t, "event"), PLFX_EVENT);
    assert_string_equal(jsonx_str(t, "description"), "Paid");
    th_response_free(r);
}

static void test_announcements(void **state)
{
    pl_fx *fx = *state;
    char att[64], body[768];
    plfx_create_attendee(fx, "ann@x.io", att);
    th_response_free(plfx_expect(
        plfx_admin(fx, "POST", "/_sandbox/events/" PLFX_EVENT "/tags", "{\"name\":\"VIP\"}"), 201));
    th_response *r = plfx_expect(plfx_api(fx, "GET", "tickets/", NULL), 200);
    char ticket[64];
    snprintf(ticket, sizeof ticket, "%s",
             jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "code"));
    th_response_free(r);
    snprintf(body, sizeof body,
             "{\"title\":\"Reminder\",\"description\":\"Your call at 10\",\"recipients\":[\"%s\"],"
             "\"tags\":[\"VIP\"],\"tickets\":[\"%s\"],\"release_date\":\"2027-01-02\","
             "\"release_time\":\"09:30\",\"is_notification_push\":true,"
             "\"is_notification_mail\":false}",
             att, ticket);
    r = plfx_expect(plfx_api(fx, "POST", EV "announcements/", body), 201);
    char path[128];
    snprintf(path, sizeof path, EV "announcements/%s/", jsonx_str(r->json, "code"));
    assert_string_equal(jsonx_str(r->json, "release_time"), "09:30");
    assert_true(jsonx_bool(r->json, "is_notification_push", false));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r->json, "recipients"), 0)), att);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", EV "announcements/",
                             "{\"recipients\":[\"ATTNOPE\"],\"release_date\":\"tomorrow\","
                             "\"release_time\":\"25:00\"}"),
                    400);
    assert_string_equal(field_error(r->json, "title"), "This field is required.");
    assert_non_null(field_error(r->json, "recipients"));
    assert_non_null(field_error(r->json, "release_date"));
    assert_non_null(field_error(r->json, "release_time"));
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"title\":\"Moved\",\"release_date\":null}"),
                    200);
    assert_string_equal(jsonx_str(r->json, "title"), "Moved");
    assert_true(json_is_null(json_object_get(r->json, "release_date")));
    assert_string_equal(jsonx_str(r->json, "description"), "Your call at 10");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "announcements/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1);
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "GET", path, NULL), 200));
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    th_response_free(plfx_expect(plfx_api(fx, "GET", path, NULL), 404));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pagination, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_page_size_cap, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_registrations_by_date, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_checkin, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_members, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_contact_tags, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_event_tags, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_announcements, plfx_setup, plfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
