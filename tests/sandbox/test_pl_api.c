/* test_pl_api.c: the PheedLoop emulator over HTTP: authentication, paths, events, attendees one
 * by one and in bulk, duplicate emails, metadata kept verbatim. */
#include "tests/support/pl_fixture.h"
#include "sandbox/gen.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define ATT "events/" PLFX_EVENT "/attendees/"

static void assert_detail(const th_response *r, const char *detail)
{
    assert_non_null(r->json);
    assert_string_equal(jsonx_str(r->json, "detail"), detail);
}

/* The first message for field in a 400 body. */
static const char *field_error(const json_t *errors, const char *field)
{
    return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

static void test_auth(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(plfx_api_as(fx, "GET", "validateauth/", NULL, NULL, NULL), 401);
    assert_detail(r, "Authentication credentials were not provided.");
    assert_string_equal(th_header(r, "PheedLoop-API-Version"), "v3.7.0");
    th_response_free(r);
    r = plfx_expect(plfx_api_as(fx, "GET", "validateauth/", PLFX_KEY, NULL, NULL), 401);
    assert_detail(r, "Authentication credentials were not provided.");
    th_response_free(r);
    r = plfx_expect(plfx_api_as(fx, "GET", "validateauth/", "wrong", PLFX_SECRET, NULL), 401);
    assert_detail(r, "Invalid API key.");
    th_response_free(r);
    r = plfx_expect(plfx_api_as(fx, "GET", "validateauth/", PLFX_KEY, PLFX_SECRET "x", NULL), 401);
    assert_detail(r, "Invalid API key.");
    th_response_free(r);
    /* A secret that is a prefix of the right one is still wrong. */
    r = plfx_expect(plfx_api_as(fx, "GET", "validateauth/", PLFX_KEY, "test-secret", NULL), 401);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "validateauth/", NULL), 200);
    assert_string_equal(th_header(r, "PheedLoop-API-Version"), "v3.7.0");
    th_response_free(r);
    /* Wrong organization code: JSON 404. */
    char url[256];
    snprintf(url, sizeof url, "%s/api/v3/organization/ORGOTHER/validateauth/", fx->base);
    const char *h[] = {"X-API-KEY: " PLFX_KEY, "X-API-SECRET: " PLFX_SECRET, NULL};
    r = plfx_expect(th_request("GET", url, h, NULL, 0), 404);
    assert_detail(r, "Not found.");
    assert_string_equal(th_header(r, "PheedLoop-API-Version"), "v3.7.0");
    th_response_free(r);
    /* Every API route is behind the check, lists and writes alike. */
    r = plfx_expect(plfx_api_as(fx, "POST", ATT, NULL, NULL, "{}"), 401);
    th_response_free(r);
}

static void test_paths(void **state)
{
    pl_fx *fx = *state;
    /* Django's APPEND_SLASH: redirected to the path with its slash, query kept. */
    th_response *r = plfx_expect(plfx_api(fx, "GET", "validateauth", NULL), 301);
    const char *loc = th_header(r, "Location");
    assert_non_null(loc);
    assert_string_equal(loc, "/api/v3/organization/" PLFX_ORG "/validateauth/");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events?page=1&page_size=2", NULL), 301);
    assert_string_equal(th_header(r, "Location"),
                        "/api/v3/organization/" PLFX_ORG "/events/?page=1&page_size=2");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "nothing/here/", NULL), 404);
    assert_detail(r, "Not found.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PUT", "events/", "{}"), 405);
    assert_detail(r, "Method \"PUT\" not allowed.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", "events/" PLFX_EVENT "/registrations/", "{}"), 405);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "DELETE", "members/MBRX/", NULL), 405);
    th_response_free(r);
}

static void test_info_defaults(void **state)
{
    pl_fx *fx = *state;
    sbx_pl_emu *p = NULL;
    err e = {0};
    assert_int_equal(sbx_pl_emu_new(&p, NULL, &fx->svc, &e), 0);
    json_t *info = sbx_pl_emu_info(p);
    assert_string_equal(jsonx_str(info, "org_code"), "ORGSANDBOX");
    assert_string_equal(jsonx_str(info, "base_path"), "/api/v3/organization/ORGSANDBOX/");
    assert_true(strlen(jsonx_str(info, "api_key")) >= 16);
    assert_true(strlen(jsonx_str(info, "api_secret")) >= 32);
    assert_int_equal(json_array_size(json_object_get(info, "events")), 0);
    json_decref(info);
    sbx_pl_emu_free(p);
    info = sbx_pl_emu_info(fx->pl);
    json_t *ev = json_array_get(json_object_get(info, "events"), 0);
    assert_string_equal(jsonx_str(ev, "code"), PLFX_EVENT);
    assert_int_equal(strlen(jsonx_str(ev, "webhook_secret")), 64);
    json_decref(info);
}

static void test_attendee_crud(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(
        plfx_api(
            fx, "POST", ATT,
            "{\"first_name\":\" Grace \",\"last_name\":\"Hopper\",\"email\":\" Grace@Navy.MIL\","
            "\"title\":\"RADM\",\"code_internal\":\"ghl-123\",\"unknown_key\":1}"),
        201);
    char code[64];
    snprintf(code, sizeof code, "%s", jsonx_str(r->json, "code"));
    assert_memory_equal(code, "ATT", 3);
    assert_string_equal(jsonx_str(r->json, "first_name"), "Grace"); /* DRF trims */
    assert_string_equal(jsonx_str(r->json, "email"), "Grace@Navy.MIL");
    assert_string_equal(jsonx_str(r->json, "code_internal"), "ghl-123");
    assert_false(jsonx_bool(r->json, "is_checked_in", true));
    assert_true(json_is_null(json_object_get(r->json, "checkin_date")));
    assert_int_equal(json_array_size(json_object_get(r->json, "tags")), 0);
    assert_true(json_is_object(json_object_get(r->json, "metadata")));
    assert_null(json_object_get(r->json, "unknown_key"));
    assert_null(json_object_get(r->json, "send_app_welcome_email"));
    th_response_free(r);

    char path[128];
    snprintf(path, sizeof path, ATT "%s/", code);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    assert_string_equal(jsonx_str(r->json, "last_name"), "Hopper");
    th_response_free(r);
    r = plfx_expect(
        plfx_api(fx, "PATCH", path, "{\"title\":\"Admiral\",\"profile_visible\":false}"), 200);
    assert_string_equal(jsonx_str(r->json, "title"), "Admiral");
    assert_false(jsonx_bool(r->json, "profile_visible", true));
    assert_string_equal(jsonx_str(r->json, "first_name"), "Grace");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"first_name\":\"\",\"profile_visible\":\"x\"}"),
                    400);
    assert_string_equal(field_error(r->json, "first_name"), "This field may not be blank.");
    assert_string_equal(field_error(r->json, "profile_visible"), "Must be a valid boolean.");
    th_response_free(r);

    r = plfx_expect(plfx_api(fx, "POST", ATT, "{\"email\":\"not-an-email\"}"), 400);
    assert_string_equal(field_error(r->json, "first_name"), "This field is required.");
    assert_string_equal(field_error(r->json, "last_name"), "This field is required.");
    assert_string_equal(field_error(r->json, "email"), "Enter a valid email address.");
    th_response_free(r);

    r = plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204);
    assert_int_equal(r->body_len, 0);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 404);
    assert_detail(r, "Not found.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "DELETE", path, NULL), 404);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events/EVENOPE/attendees/", NULL), 404);
    th_response_free(r);
}

static void test_duplicate_email(void **state)
{
    pl_fx *fx = *state;
    char a[64], b[64];
    plfx_create_attendee(fx, "ada@example.com", a);
    th_response *r = plfx_expect(
        plfx_api(fx, "POST", ATT,
                 "{\"first_name\":\"A\",\"last_name\":\"L\",\"email\":\"  ADA@Example.com \"}"),
        400);
    assert_string_equal(field_error(r->json, "email"),
                        "An attendee with this email already exists in this event.");
    th_response_free(r);
    /* Another event is another identity space. */
    r = plfx_expect(plfx_admin(fx, "POST", "/_sandbox/events",
                               "{\"code\":\"EVETEST2\",\"event_name\":\"Second\"}"),
                    201);
    th_response_free(r);
    r = plfx_expect(
        plfx_api(fx, "POST", "events/EVETEST2/attendees/",
                 "{\"first_name\":\"A\",\"last_name\":\"L\",\"email\":\"ada@example.com\"}"),
        201);
    th_response_free(r);
    /* Changing another attendee's email onto a taken one fails; keeping one's own is fine. */
    plfx_create_attendee(fx, "bob@example.com", b);
    char path[128];
    snprintf(path, sizeof path, ATT "%s/", b);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"email\":\"Ada@example.com\"}"), 400);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"email\":\"BOB@example.com\"}"), 200);
    th_response_free(r);
    /* Once the first is gone its email is free again. */
    snprintf(path, sizeof path, ATT "%s/", a);
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    r = plfx_expect(
        plfx_api(fx, "POST", ATT,
                 "{\"first_name\":\"A\",\"last_name\":\"L\",\"email\":\"ada@example.com\"}"),
        201);
    th_response_free(r);
}

static void test_metadata_verbatim(void **state)
{
    pl_fx *fx = *state;
    static const char meta[] =
        "{\"highlevel\":{\"contact_id\":\"abc123\",\"tasks\":[{\"id\":\"t1\",\"title\":"
        "\"Call back \\u00E9\\u4E2D\",\"due\":\"2027-01-02T10:00:00Z\",\"done\":false,"
        "\"order\":9007199254740993}],\"notes\":[],\"business\":null,\"z\":{\"b\":1,\"a\":2}},"
        "\"pheedsync\":{\"v\":1}}";
    char body[1024];
    snprintf(body, sizeof body,
             "{\"first_name\":\"M\",\"last_name\":\"D\",\"email\":\"meta@example.com\","
             "\"metadata\":%s}",
             meta);
    th_response *r = plfx_expect(plfx_api(fx, "POST", ATT, body), 201);
    char path[128];
    snprintf(path, sizeof path, ATT "%s/", jsonx_str(r->json, "code"));
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    /* The raw response holds the object in the same order with the same values. */
    char *got = json_dumps(json_object_get(r->json, "metadata"),
                           JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    assert_string_equal(got, meta);
    free(got);
    th_response_free(r);
    /* A PATCH replaces the whole object. */
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"metadata\":{\"only\":[1,2]}}"), 200);
    got = json_dumps(json_object_get(r->json, "metadata"), JSON_COMPACT);
    assert_string_equal(got, "{\"only\":[1,2]}");
    free(got);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", path, "{\"metadata\":[1]}"), 400);
    assert_string_equal(field_error(r->json, "metadata"),
                        "Expected a dictionary of items but got type \"list\".");
    th_response_free(r);
}

static void test_attendee_tags(void **state)
{
    pl_fx *fx = *state;
    static const char body[] = "{\"first_name\":\"T\",\"last_name\":\"G\",\"email\":\"tag@x.io\","
                               "\"tags\":[\"vip\"]}";
    th_response *r = plfx_expect(plfx_api(fx, "POST", ATT, body), 400);
    assert_string_equal(field_error(r->json, "tags"), "Tag \"vip\" does not exist in this event.");
    th_response_free(r);
    th_response_free(plfx_expect(
        plfx_admin(fx, "POST", "/_sandbox/events/" PLFX_EVENT "/tags", "{\"name\":\"VIP\"}"), 201));
    r = plfx_expect(plfx_api(fx, "POST", ATT, body), 201);
    json_t *tags = json_object_get(r->json, "tags");
    assert_int_equal(json_array_size(tags), 1);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "VIP");
    th_response_free(r);
}

static size_t attendee_count(pl_fx *fx)
{
    th_response *r = plfx_expect(plfx_api(fx, "GET", ATT, NULL), 200);
    size_t n = (size_t)jsonx_int(r->json, "count", -1);
    th_response_free(r);
    return n;
}

static void test_bulk(void **state)
{
    pl_fx *fx = *state;
    th_response *r =
        plfx_expect(plfx_api(fx, "POST", "events/" PLFX_EVENT "/attendeesbulk/",
                             "[{\"first_name\":\"A\",\"last_name\":\"1\",\"email\":\"b1@x.io\"},"
                             "{\"first_name\":\"B\",\"last_name\":\"2\",\"email\":\"b2@x.io\"},"
                             "{\"first_name\":\"C\",\"last_name\":\"3\",\"email\":\"b3@x.io\"}]"),
                    201);
    assert_int_equal(json_array_size(r->json), 3);
    char c1[64], c2[64];
    snprintf(c1, sizeof c1, "%s", jsonx_str(json_array_get(r->json, 0), "code"));
    snprintf(c2, sizeof c2, "%s", jsonx_str(json_array_get(r->json, 1), "code"));
    th_response_free(r);
    assert_int_equal(attendee_count(fx), 3);

    /* All or nothing: a duplicate inside the batch fails the whole call. */
    r = plfx_expect(plfx_api(fx, "POST", "events/" PLFX_EVENT "/attendeesbulk/",
                             "[{\"first_name\":\"D\",\"last_name\":\"4\",\"email\":\"b4@x.io\"},"
                             "{\"first_name\":\"E\",\"last_name\":\"5\",\"email\":\"B4@x.io\"},"
                             "\"oops\"]"),
                    400);
    assert_int_equal(json_array_size(r->json), 3);
    assert_int_equal(json_object_size(json_array_get(r->json, 0)), 0);
    assert_string_equal(field_error(json_array_get(r->json, 1), "email"),
                        "An attendee with this email already exists in this event.");
    assert_string_equal(field_error(json_array_get(r->json, 2), "non_field_errors"),
                        "Invalid data. Expected a dictionary, but got str.");
    th_response_free(r);
    assert_int_equal(attendee_count(fx), 3);
    r = plfx_expect(plfx_api(fx, "POST", "events/" PLFX_EVENT "/attendeesbulk/", "{}"), 400);
    assert_string_equal(field_error(r->json, "non_field_errors"),
                        "Expected a list of items but got type \"dict\".");
    th_response_free(r);

    char body[512];
    snprintf(body, sizeof body,
             "[{\"code\":\"%s\",\"title\":\"X\"},{\"code\":\"%s\",\"title\":\"Y\"}]", c1, c2);
    r = plfx_expect(plfx_api(fx, "PATCH", "events/" PLFX_EVENT "/attendeesbulk/", body), 200);
    assert_string_equal(jsonx_str(json_array_get(r->json, 1), "title"), "Y");
    th_response_free(r);
    snprintf(body, sizeof body, "[{\"code\":\"%s\",\"title\":\"Z\"},{\"code\":\"ATTNOPE\"},{}]",
             c1);
    r = plfx_expect(plfx_api(fx, "PATCH", "events/" PLFX_EVENT "/attendeesbulk/", body), 400);
    assert_string_equal(field_error(json_array_get(r->json, 1), "code"), "Attendee not found.");
    assert_string_equal(field_error(json_array_get(r->json, 2), "code"), "This field is required.");
    th_response_free(r);
    char path[128];
    snprintf(path, sizeof path, ATT "%s/", c1);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    assert_string_equal(jsonx_str(r->json, "title"), "X"); /* the failed call changed nothing */
    th_response_free(r);

    snprintf(body, sizeof body, "{\"codes\":[\"%s\",\"ATTNOPE\"]}", c1);
    r = plfx_expect(plfx_api(fx, "DELETE", "events/" PLFX_EVENT "/attendeesbulk/", body), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "attendees")), 1);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r->json, "errored_attendees"), 0)),
        "ATTNOPE");
    th_response_free(r);
    assert_int_equal(attendee_count(fx), 2);
    r = plfx_expect(plfx_api(fx, "DELETE", "events/" PLFX_EVENT "/attendeesbulk/", "{}"), 400);
    assert_string_equal(field_error(r->json, "codes"), "This field is required.");
    th_response_free(r);
}

static void test_events(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(plfx_api(fx, "GET", "events/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1);
    json_t *ev = json_array_get(json_object_get(r->json, "results"), 0);
    assert_string_equal(jsonx_str(ev, "code"), PLFX_EVENT);
    assert_string_equal(jsonx_str(ev, "event_name"), "Test Summit");
    assert_string_equal(jsonx_str(ev, "date"), "2027-03-18");
    assert_true(json_is_integer(json_object_get(ev, "id")));
    assert_null(json_object_get(ev, "webhook_secret"));
    th_response_free(r);

    clock_fake_advance(&fx->clock, 2 * 86400000LL); /* 2026-11-29 */
    r = plfx_expect(plfx_api(fx, "PATCH", "events/" PLFX_EVENT "/",
                             "{\"event_name\":\"Renamed\",\"code\":\"IGNORED\"}"),
                    200);
    assert_string_equal(jsonx_str(r->json, "event_name"), "Renamed");
    assert_string_equal(jsonx_str(r->json, "code"), PLFX_EVENT);
    assert_memory_equal(jsonx_str(r->json, "date_updated"), "2026-11-29", 10);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events/?date_updated_gte=2026-11-29", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events/?date_updated_lte=2026-11-28", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 1), 0);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events/?date_updated_gte=2026-13-01", NULL), 400);
    assert_string_equal(field_error(r->json, "date_updated_gte"), "Enter a valid date.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PATCH", "events/" PLFX_EVENT "/", "{\"date\":\"18/03/2027\"}"),
                    400);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", "events/EVENOPE/", NULL), 404);
    th_response_free(r);
}

static void test_body_errors(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(plfx_api(fx, "POST", ATT, "{\"first_name\": "), 400);
    assert_memory_equal(jsonx_str(r->json, "detail"), "JSON parse error", 16);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", ATT, "[1,2]"), 400);
    assert_string_equal(field_error(r->json, "non_field_errors"),
                        "Invalid data. Expected a dictionary, but got list.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", ATT,
                             "{\"first_name\":{\"a\":1},\"last_name\":12,\"email\":\"n@x.io\","
                             "\"tags\":\"VIP\"}"),
                    400);
    assert_string_equal(field_error(r->json, "first_name"), "Not a valid string.");
    assert_null(json_object_get(r->json, "last_name")); /* numbers are taken as strings */
    assert_string_equal(field_error(r->json, "tags"),
                        "Expected a list of items but got type \"str\".");
    th_response_free(r);
}

typedef struct racer {
    pl_fx *fx;
    long status;
} racer;

static void *race_create(void *arg)
{
    racer *r = arg;
    th_response *res = plfx_api(
        r->fx, "POST", ATT, "{\"first_name\":\"R\",\"last_name\":\"C\",\"email\":\"race@x.io\"}");
    r->status = res->status;
    th_response_free(res);
    return NULL;
}

/* Concurrent creates of one email: the state's lock lets exactly one through. */
static void test_concurrent_duplicates(void **state)
{
    pl_fx *fx = *state;
    enum { N = 8 };
    pthread_t t[N];
    racer r[N];
    for (int i = 0; i < N; i++) {
        r[i] = (racer){fx, 0};
        assert_int_equal(pthread_create(&t[i], NULL, race_create, &r[i]), 0);
    }
    int created = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        created += r[i].status == 201;
        refused += r[i].status == 400;
    }
    assert_int_equal(created, 1);
    assert_int_equal(refused, N - 1);
    assert_int_equal(attendee_count(fx), 1);
}

/* Every person the generator makes, in any spelling, is a valid attendee. */
static void test_generated_people(void **state)
{
    pl_fx *fx = *state;
    rng r;
    rng_seed(&r, 2027);
    int created = 0;
    for (int i = 0; i < 1500; i++) {
        sbx_person p, v;
        sbx_gen_person(&r, &p);
        sbx_gen_variant(&r, &p, &v);
        const sbx_person *who = i % 2 ? &v : &p;
        json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                              "first_name", who->first_name, "last_name", who->last_name, "email",
                              who->email, "address_phone", who->phone, "organization",
                              who->organization, "title", who->title, "address_line_1",
                              who->address1, "address_city", who->city, "address_state", who->state,
                              "address_zip", who->postal_code, "address_country", who->country);
        err e = {0};
        char code[64];
        int rc = sbx_pl_emu_seed_attendee(fx->pl, PLFX_EVENT, a, code, sizeof code, &e);
        if (rc != 0 && rc != ERR_CONFLICT)
            fail_msg("person %d (%s): %s", i, who->email, e.msg);
        created += rc == 0;
        json_decref(a);
    }
    assert_true(created > 1400);
    assert_int_equal(attendee_count(fx), (size_t)created);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auth, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_paths, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_info_defaults, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_attendee_crud, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_email, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_metadata_verbatim, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_attendee_tags, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_bulk, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_events, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_body_errors, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_duplicates, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_generated_people, plfx_setup, plfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
