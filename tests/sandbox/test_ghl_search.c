/* test_ghl_search.c: the HighLevel emulator's listings over HTTP: the deprecated GET /contacts/
 * with its limit and startAfter cursor, and POST /contacts/search with filters, groups, sort,
 * page and searchAfter. */
#include "tests/sandbox/ghl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define N_PEOPLE 250

/* N_PEOPLE contacts, two per millisecond so that cursors must break ties; every third is
 * tagged "vip", every fifth has no phone, the first 50 are "Smith". */
static int setup(void **state)
{
    gfx *fx = gfx_start(false);
    for (int i = 0; i < N_PEOPLE; i++) {
        char id[32];
        err e = {0};
        json_t *f = json_pack("{s:s, s:s}", "firstName", i % 2 ? "Odd" : "Even", "lastName",
                              i < 50 ? "Smith" : "Jones");
        char email[64];
        snprintf(email, sizeof(email), "Person%03d@Example.com", i);
        json_object_set_new(f, "email", json_string(email));
        if (i % 5) {
            char phone[32];
            snprintf(phone, sizeof(phone), "(415) 555-%04d", i);
            json_object_set_new(f, "phone", json_string(phone));
        }
        if (i % 3 == 0)
            json_object_set_new(f, "tags", json_pack("[s]", "VIP"));
        if (sbx_ghl_emu_seed_contact(fx->emu, NULL, f, id, sizeof(id), &e) != 0)
            fail_msg("seed %d: %s", i, e.msg);
        json_decref(f);
        if (i % 2)
            clock_fake_advance(&fx->clock, 1);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    gfx_stop(*state);
    return 0;
}

static void test_list_pages(void **state)
{
    gfx *fx = *state;
    json_t *seen = json_object();
    char *path = gfx_fmt("/contacts/?locationId=%s&limit=100", fx->location);
    int64_t last_added = INT64_MAX;
    for (int page = 1; page <= 3; page++) {
        th_response *r = gfx_api(fx, "GET", path, NULL);
        gfx_expect(r, 200);
        json_t *list = jsonx_path(r->json, "contacts");
        assert_int_equal(json_array_size(list), page < 3 ? 100 : 50);
        assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.total")), N_PEOPLE);
        assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.currentPage")), page);
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c)
        {
            int64_t ms = 0;
            err e = {0};
            assert_int_equal(clock_parse_iso(&ms, jsonx_str(c, "dateAdded"), &e), 0);
            assert_true(ms <= last_added); /* newest first */
            last_added = ms;
            assert_null(json_object_get(seen, jsonx_str(c, "id")));
            json_object_set_new(seen, jsonx_str(c, "id"), json_true());
        }
        free(path);
        path = NULL;
        if (page < 3) {
            assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.nextPage")), page + 1);
            const char *after_id = gfx_str(r, "meta.startAfterId");
            json_int_t after = json_integer_value(jsonx_path(r->json, "meta.startAfter"));
            assert_string_equal(after_id, jsonx_str(json_array_get(list, 99), "id"));
            assert_non_null(strstr(gfx_str(r, "meta.nextPageUrl"), "startAfterId="));
            path = gfx_fmt("/contacts/?locationId=%s&limit=100&startAfter=%lld&startAfterId=%s",
                           fx->location, (long long)after, after_id);
        } else {
            assert_true(json_is_null(jsonx_path(r->json, "meta.nextPageUrl")));
            assert_true(json_is_null(jsonx_path(r->json, "meta.nextPage")));
            assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.prevPage")), 2);
        }
        th_response_free(r);
    }
    assert_int_equal(json_object_size(seen), N_PEOPLE);
    json_decref(seen);
}

static void test_list_limits(void **state)
{
    gfx *fx = *state;
    char *path = gfx_fmt("/contacts/?locationId=%s&limit=101", fx->location);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 400);
    th_response_free(r);
    free(path);
    path = gfx_fmt("/contacts/?locationId=%s", fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 20); /* the default */
    th_response_free(r);
    free(path);
    /* Following nextPageUrl as given works too. */
    path = gfx_fmt("/contacts/?locationId=%s&limit=40&query=smith", fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "meta.total")), 50);
    const char *next = gfx_str(r, "meta.nextPageUrl");
    assert_non_null(next);
    const char *rel = strstr(next, "/contacts/");
    th_response *r2 = gfx_api(fx, "GET", rel, NULL);
    gfx_expect(r2, 200);
    assert_int_equal(json_array_size(jsonx_path(r2->json, "contacts")), 10);
    assert_true(json_is_null(jsonx_path(r2->json, "meta.nextPageUrl")));
    th_response_free(r2);
    th_response_free(r);
    free(path);
    r = gfx_api(fx, "GET", "/contacts/", NULL);
    assert_true(r->status == 400 || r->status == 422);
    th_response_free(r);
}

static th_response *search(gfx *fx, const char *rest)
{
    char *body = gfx_fmt("{\"locationId\":\"%s\"%s%s}", fx->location, *rest ? "," : "", rest);
    th_response *r = gfx_api(fx, "POST", "/contacts/search", body);
    free(body);
    return r;
}

static json_int_t total(const th_response *r)
{
    return json_integer_value(jsonx_path(r->json, "total"));
}

static void test_search_filters(void **state)
{
    gfx *fx = *state;
    th_response *r = search(fx, "\"filters\":[{\"field\":\"email\",\"operator\":\"eq\","
                                "\"value\":\"PERSON007@example.com\"}]");
    gfx_expect(r, 200);
    assert_int_equal(total(r), 1);
    assert_string_equal(gfx_str(r, "contacts.0.email"), "person007@example.com");
    th_response_free(r);
    r = search(
        fx,
        "\"filters\":[{\"field\":\"phone\",\"operator\":\"eq\",\"value\":\"+1 415 555 0007\"}]");
    assert_int_equal(total(r), 1);
    th_response_free(r);
    r = search(fx, "\"filters\":[{\"field\":\"tags\",\"operator\":\"eq\",\"value\":[\"vip\"]}]");
    assert_int_equal(total(r), 84);
    th_response_free(r);
    r = search(fx, "\"filters\":[{\"field\":\"phone\",\"operator\":\"not_exists\"}]");
    assert_int_equal(total(r), 50);
    th_response_free(r);
    r = search(fx,
               "\"filters\":[{\"field\":\"email\",\"operator\":\"contains\",\"value\":\"son01\"}]");
    assert_int_equal(total(r), 10);
    th_response_free(r);
    /* dateAdded: 2 per millisecond from the start; the first 10 are in [start, start + 5). */
    r = search(fx, "\"filters\":[{\"field\":\"dateAdded\",\"operator\":\"range\",\"value\":"
                   "{\"gte\":\"2023-11-14T22:13:20.000Z\",\"lt\":1700000000005}}]");
    assert_int_equal(total(r), 10);
    th_response_free(r);
    /* AND of a tag and an OR group. */
    r = search(
        fx,
        "\"filters\":[{\"field\":\"lastNameLowerCase\",\"operator\":\"eq\",\"value\":\"smith\"},"
        "{\"group\":\"OR\",\"filters\":[{\"field\":\"firstNameLowerCase\",\"operator\":"
        "\"eq\",\"value\":\"odd\"},{\"field\":\"tags\",\"operator\":\"eq\",\"value\":\"vip\"}]}]");
    /* Smiths are 0..49: 25 odd, plus even multiples of 3 (0, 6, ..., 48: 9). */
    assert_int_equal(total(r), 34);
    th_response_free(r);
    r = search(fx, "\"query\":\"person12\"");
    assert_int_equal(total(r), 10);
    th_response_free(r);
}

static void test_search_errors(void **state)
{
    gfx *fx = *state;
    th_response *r = search(fx, "\"pageLimit\":501");
    gfx_expect(r, 400);
    th_response_free(r);
    r = search(fx, "\"pageLimit\":500");
    gfx_expect(r, 200);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), N_PEOPLE);
    th_response_free(r);
    r = search(fx, "\"filters\":[{\"field\":\"nope\",\"operator\":\"eq\",\"value\":1}]");
    gfx_expect(r, 400);
    th_response_free(r);
    r = search(fx, "\"filters\":[{\"field\":\"email\",\"operator\":\"like\",\"value\":\"x\"}]");
    gfx_expect(r, 400);
    th_response_free(r);
    r = search(fx, "\"page\":21,\"pageLimit\":500");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_api(fx, "POST", "/contacts/search", "{\"pageLimit\":10}");
    assert_true(r->status == 400 || r->status == 422);
    th_response_free(r);
}

static void test_search_sort_and_pages(void **state)
{
    gfx *fx = *state;
    th_response *r = search(fx, "\"pageLimit\":4,\"page\":2,\"sort\":[{\"field\":\"dateAdded\","
                                "\"direction\":\"asc\"}]");
    gfx_expect(r, 200);
    assert_int_equal(total(r), N_PEOPLE);
    /* Page 2 of 4 holds the contacts of the third and fourth milliseconds: 4 to 7. */
    const char *first = gfx_str(r, "contacts.0.email");
    assert_true(strcmp(first, "person004@example.com") == 0 ||
                strcmp(first, "person005@example.com") == 0);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 4);
    th_response_free(r);
    /* Walk everything with searchAfter, dateUpdated descending, 64 at a time. */
    json_t *seen = json_object();
    json_t *after = NULL;
    for (int round = 0; round < 10; round++) {
        char *cursor = after ? jsonx_dumps(after) : strdup("null");
        char *rest = gfx_fmt("\"pageLimit\":64,\"sort\":[{\"field\":\"dateUpdated\",\"direction\":"
                             "\"desc\"}],\"searchAfter\":%s",
                             cursor);
        r = search(fx, rest);
        gfx_expect(r, 200);
        json_t *list = jsonx_path(r->json, "contacts");
        size_t i;
        json_t *c;
        json_array_foreach(list, i, c)
        {
            assert_null(json_object_get(seen, jsonx_str(c, "id")));
            json_object_set_new(seen, jsonx_str(c, "id"), json_true());
        }
        json_decref(after);
        after = json_array_size(list)
                    ? json_incref(json_object_get(json_array_get(list, json_array_size(list) - 1),
                                                  "searchAfter"))
                    : NULL;
        free(rest);
        free(cursor);
        size_t n = json_array_size(list);
        th_response_free(r);
        if (n < 64)
            break;
    }
    assert_int_equal(json_object_size(seen), N_PEOPLE);
    json_decref(after);
    json_decref(seen);
}

static void test_search_sees_updates(void **state)
{
    gfx *fx = *state;
    clock_fake_advance(&fx->clock, 60000);
    th_response *r = search(fx, "\"filters\":[{\"field\":\"email\",\"operator\":\"eq\","
                                "\"value\":\"person042@example.com\"}]");
    char *path = gfx_fmt("/contacts/%s", gfx_str(r, "contacts.0.id"));
    th_response_free(r);
    r = gfx_api(fx, "PUT", path, "{\"city\":\"Lyon\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    r = search(
        fx,
        "\"filters\":[{\"field\":\"dateUpdated\",\"operator\":\"range\",\"value\":"
        "{\"gt\":1700000030000}}],\"sort\":[{\"field\":\"dateUpdated\",\"direction\":\"asc\"}]");
    assert_int_equal(total(r), 1);
    assert_string_equal(gfx_str(r, "contacts.0.city"), "Lyon");
    th_response_free(r);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_sort_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_sees_updates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
