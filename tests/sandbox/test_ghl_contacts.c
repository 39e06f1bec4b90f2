/* test_ghl_contacts.c: the HighLevel emulator's contacts over HTTP: CRUD, normalisation,
 * duplicate rules, upsert, duplicate lookup, tags, custom fields, business, dateUpdated. */
#include "tests/sandbox/ghl_fixture.h"
#include "util/jsonx.h"

#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = gfx_start(false);
    return 0;
}

static int setup_dup(void **state)
{
    *state = gfx_start(true);
    return 0;
}

static int teardown(void **state)
{
    gfx_stop(*state);
    return 0;
}

static th_response *get_contact(gfx *fx, const char *id)
{
    char *path = gfx_fmt("/contacts/%s", id);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    free(path);
    return r;
}

static void test_create_read_update_delete(void **state)
{
    gfx *fx = *state;
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                         "\"email\":\"  Ada.Lovelace@Example.COM \",\"phone\":\"(415) 555-0134\","
                         "\"tags\":[\"VIP\",\" Speaker \",\"vip\"],\"companyName\":\"Analytical\","
                         "\"dateOfBirth\":\"12/10/1815\"}",
                         fx->location);
    th_response *r = gfx_api(fx, "POST", "/contacts/", body);
    gfx_expect(r, 201);
    const char *id = gfx_str(r, "contact.id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 20);
    for (const char *p = id; *p; p++)
        assert_true(isalnum((unsigned char)*p));
    assert_string_equal(gfx_str(r, "contact.email"), "ada.lovelace@example.com");
    assert_string_equal(gfx_str(r, "contact.phone"), "+14155550134");
    assert_string_equal(gfx_str(r, "contact.dateAdded"), "2023-11-14T22:13:20.000Z");
    assert_string_equal(gfx_str(r, "contact.dateUpdated"), "2023-11-14T22:13:20.000Z");
    assert_string_equal(gfx_str(r, "contact.dateOfBirth"), "1815-12-10T00:00:00.000Z");
    assert_string_equal(gfx_str(r, "contact.locationId"), fx->location);
    json_t *tags = jsonx_path(r->json, "contact.tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "vip");
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "speaker");
    char *cid = strdup(id);
    th_response_free(r);

    r = get_contact(fx, cid);
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "contact.name"), "Ada Lovelace");
    assert_string_equal(gfx_str(r, "contact.fullNameLowerCase"), "ada lovelace");
    assert_string_equal(gfx_str(r, "contact.companyName"), "Analytical");
    th_response_free(r);

    clock_fake_advance(&fx->clock, 1500);
    char *path = gfx_fmt("/contacts/%s", cid);
    r = gfx_api(fx, "PUT", path, "{\"firstName\":\"Augusta\",\"city\":\"London\"}");
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "succeded")));
    assert_string_equal(gfx_str(r, "contact.firstName"), "Augusta");
    assert_string_equal(gfx_str(r, "contact.dateUpdated"), "2023-11-14T22:13:21.500Z");
    assert_string_equal(gfx_str(r, "contact.dateAdded"), "2023-11-14T22:13:20.000Z");
    th_response_free(r);

    r = gfx_api(fx, "DELETE", path, NULL);
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "succeded")));
    th_response_free(r);
    r = get_contact(fx, cid);
    gfx_expect(r, 400);
    assert_string_equal(gfx_str(r, "message"), "Contact not found");
    assert_int_equal(json_integer_value(jsonx_path(r->json, "statusCode")), 400);
    th_response_free(r);
    free(path);
    free(cid);
    free(body);
}

static void test_validation(void **state)
{
    gfx *fx = *state;
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"not an email\"}", fx->location);
    th_response *r = gfx_api(fx, "POST", "/contacts/", body);
    gfx_expect(r, 422);
    assert_true(json_is_array(jsonx_path(r->json, "message")));
    assert_string_equal(json_string_value(jsonx_path(r->json, "message.0")),
                        "email must be an email");
    th_response_free(r);
    r = gfx_api(fx, "POST", "/contacts/", "{\"firstName\":\"x\"}");
    gfx_expect(r, 422);
    th_response_free(r);
    r = gfx_api(fx, "POST", "/contacts/", "{not json");
    gfx_expect(r, 400);
    th_response_free(r);
    r = gfx_api(fx, "PUT", "/contacts/NoSuchContact0000000", "{\"firstName\":\"x\"}");
    gfx_expect(r, 400);
    th_response_free(r);
    free(body);
}

static void expect_duplicate(gfx *fx, const char *method, const char *path, const char *body,
                             const char *dup_id, const char *field)
{
    th_response *r = gfx_api(fx, method, path, body);
    gfx_expect(r, 400);
    assert_string_equal(gfx_str(r, "message"), "This location does not allow duplicated contacts.");
    assert_string_equal(gfx_str(r, "meta.contactId"), dup_id);
    assert_string_equal(gfx_str(r, "meta.matchingField"), field);
    assert_non_null(gfx_str(r, "meta.contactName"));
    th_response_free(r);
}

static void test_duplicates_forbidden(void **state)
{
    gfx *fx = *state;
    char *a = gfx_create(
        fx, "\"firstName\":\"A\",\"email\":\"a@example.com\",\"phone\":\"+14155550101\"");
    char *b = gfx_create(fx, "\"email\":\"b@example.com\",\"phone\":\"+14155550102\"");
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\" A@Example.com\"}", fx->location);
    expect_duplicate(fx, "POST", "/contacts/", body, a, "email");
    free(body);
    body = gfx_fmt("{\"locationId\":\"%s\",\"phone\":\"415.555.0101\"}", fx->location);
    expect_duplicate(fx, "POST", "/contacts/", body, a, "phone");
    free(body);
    /* Email first: the email of b and the phone of a name b. */
    body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"b@example.com\",\"phone\":\"+14155550101\"}",
                   fx->location);
    expect_duplicate(fx, "POST", "/contacts/", body, b, "email");
    free(body);
    char *path = gfx_fmt("/contacts/%s", b);
    expect_duplicate(fx, "PUT", path, "{\"email\":\"A@EXAMPLE.COM\"}", a, "email");
    expect_duplicate(fx, "PUT", path, "{\"phone\":\"1-415-555-0101\"}", a, "phone");
    /* Its own values are no duplicate. */
    th_response *r = gfx_api(fx, "PUT", path, "{\"email\":\"b@example.com\",\"lastName\":\"B\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    free(path);
    free(a);
    free(b);
}

static void test_duplicates_allowed(void **state)
{
    gfx *fx = *state;
    char *a = gfx_create(fx, "\"email\":\"same@example.com\"");
    char *b = gfx_create(fx, "\"email\":\"same@example.com\"");
    assert_string_not_equal(a, b);
    /* The lookup finds the oldest. */
    char *path =
        gfx_fmt("/contacts/search/duplicate?locationId=%s&email=SAME%%40example.com", fx->location);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "contact.id"), a);
    th_response_free(r);
    free(path);
    free(a);
    free(b);
}

static th_response *upsert(gfx *fx, const char *fields)
{
    char *body = gfx_fmt("{\"locationId\":\"%s\",%s}", fx->location, fields);
    th_response *r = gfx_api(fx, "POST", "/contacts/upsert", body);
    free(body);
    return r;
}

static void test_upsert(void **state)
{
    gfx *fx = *state;
    th_response *r = upsert(fx, "\"email\":\"u@example.com\",\"firstName\":\"U\"");
    gfx_expect(r, 200);
    assert_true(json_is_true(jsonx_path(r->json, "new")));
    assert_non_null(gfx_str(r, "traceId"));
    char *u = strdup(gfx_str(r, "contact.id"));
    th_response_free(r);

    r = upsert(fx, "\"email\":\"U@EXAMPLE.com\",\"lastName\":\"Upserted\"");
    gfx_expect(r, 200);
    assert_true(json_is_false(jsonx_path(r->json, "new")));
    assert_string_equal(gfx_str(r, "contact.id"), u);
    assert_string_equal(gfx_str(r, "contact.lastName"), "Upserted");
    assert_string_equal(gfx_str(r, "contact.firstName"), "U");
    th_response_free(r);

    char *p = gfx_create(fx, "\"phone\":\"+14155550199\"");
    r = upsert(fx, "\"phone\":\"(415) 555-0199\",\"city\":\"Oakland\"");
    assert_true(json_is_false(jsonx_path(r->json, "new")));
    assert_string_equal(gfx_str(r, "contact.id"), p);
    th_response_free(r);

    /* Email of u, phone of p: u is updated, the phone is ignored, p is untouched. */
    r = upsert(fx, "\"email\":\"u@example.com\",\"phone\":\"+14155550199\",\"state\":\"CA\"");
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "contact.id"), u);
    assert_string_equal(gfx_str(r, "contact.state"), "CA");
    assert_null(gfx_str(r, "contact.phone"));
    th_response_free(r);

    /* createNewIfDuplicateAllowed is ignored where duplicates are forbidden... */
    r = upsert(fx, "\"email\":\"u@example.com\",\"createNewIfDuplicateAllowed\":true");
    assert_true(json_is_false(jsonx_path(r->json, "new")));
    th_response_free(r);
    /* ...and creates where they are allowed. */
    r = gfx_admin(fx, "PUT", "/_sandbox/settings", "{\"allowDuplicates\":true}");
    gfx_expect(r, 200);
    th_response_free(r);
    r = upsert(fx, "\"email\":\"u@example.com\",\"createNewIfDuplicateAllowed\":true");
    assert_true(json_is_true(jsonx_path(r->json, "new")));
    assert_string_not_equal(gfx_str(r, "contact.id"), u);
    th_response_free(r);
    r = upsert(fx, "\"email\":\"u@example.com\"");
    assert_true(json_is_false(jsonx_path(r->json, "new")));
    assert_string_equal(gfx_str(r, "contact.id"), u);
    th_response_free(r);
    free(u);
    free(p);
}

static void test_duplicate_lookup(void **state)
{
    gfx *fx = *state;
    char *a = gfx_create(fx, "\"email\":\"look+up@example.com\",\"phone\":\"+442071838750\"");
    char *path = gfx_fmt("/contacts/search/duplicate?locationId=%s&email=look%%2Bup%%40example.com",
                         fx->location);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_string_equal(gfx_str(r, "contact.id"), a);
    th_response_free(r);
    free(path);
    path = gfx_fmt("/contacts/search/duplicate?locationId=%s&number=%%2B44%%2020%%207183%%208750",
                   fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    assert_string_equal(gfx_str(r, "contact.id"), a);
    th_response_free(r);
    free(path);
    path = gfx_fmt("/contacts/search/duplicate?locationId=%s&email=nobody%%40example.com",
                   fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_true(json_is_null(jsonx_path(r->json, "contact")));
    th_response_free(r);
    free(path);
    free(a);
}

static void test_tags(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"tags\":[\"existing\"]");
    char *path = gfx_fmt("/contacts/%s/tags", id);
    clock_fake_advance(&fx->clock, 10);
    th_response *r = gfx_api(fx, "POST", path, "{\"tags\":[\"New One\",\"EXISTING\",\"b\"]}");
    gfx_expect(r, 201);
    json_t *tags = jsonx_path(r->json, "tags");
    assert_int_equal(json_array_size(tags), 3);
    assert_true(jsonx_array_has_str(tags, "new one"));
    assert_true(jsonx_array_has_str(tags, "b"));
    th_response_free(r);
    r = gfx_api(fx, "DELETE", path, "{\"tags\":[\"B\",\"missing\"]}");
    gfx_expect(r, 200);
    tags = jsonx_path(r->json, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_false(jsonx_array_has_str(tags, "b"));
    th_response_free(r);
    r = get_contact(fx, id);
    /* Added at +10 ms, removed in the same millisecond: the second change still moves it. */
    assert_string_equal(gfx_str(r, "contact.dateUpdated"), "2023-11-14T22:13:20.011Z");
    th_response_free(r);
    r = gfx_api(fx, "POST", path, "{}");
    gfx_expect(r, 422);
    th_response_free(r);
    free(path);
    free(id);
}

static const char *field_id(const th_response *fields, const char *key)
{
    size_t i;
    json_t *f;
    json_array_foreach(jsonx_path(fields->json, "customFields"), i, f)
    {
        if (strcmp(jsonx_str(f, "fieldKey"), key) == 0)
            return jsonx_str(f, "id");
    }
    return NULL;
}

static const char *custom_value(const th_response *r, const char *id)
{
    size_t i;
    json_t *f;
    json_array_foreach(jsonx_path(r->json, "contact.customFields"), i, f)
    {
        if (strcmp(jsonx_str(f, "id"), id) == 0)
            return jsonx_str(f, "value");
    }
    return NULL;
}

static void test_custom_fields(void **state)
{
    gfx *fx = *state;
    char *path = gfx_fmt("/locations/%s/customFields", fx->location);
    th_response *defs = gfx_api(fx, "GET", path, NULL);
    gfx_expect(defs, 200);
    const char *ticket = field_id(defs, "contact.ticket_type");
    const char *dietary = field_id(defs, "contact.dietary");
    const char *size = field_id(defs, "contact.company_size");
    assert_non_null(ticket);
    assert_non_null(dietary);
    assert_non_null(size);
    json_t *first = jsonx_path(defs->json, "customFields.0");
    assert_string_equal(jsonx_str(first, "model"), "contact");
    assert_non_null(jsonx_str(first, "dataType"));
    assert_non_null(jsonx_str(first, "name"));
    assert_true(json_is_integer(json_object_get(first, "position")));
    free(path);

    char *fields = gfx_fmt("\"customFields\":[{\"key\":\"ticket_type\",\"field_value\":\"VIP\"},"
                           "{\"key\":\"contact.dietary\",\"value\":\"vegan\"},"
                           "{\"id\":\"%s\",\"field_value\":250},"
                           "{\"key\":\"no_such_field\",\"field_value\":\"x\"}]",
                           size);
    char *id = gfx_create(fx, fields);
    th_response *r = get_contact(fx, id);
    assert_string_equal(custom_value(r, ticket), "VIP");
    assert_string_equal(custom_value(r, dietary), "vegan");
    assert_string_equal(custom_value(r, size), "250");
    assert_int_equal(json_array_size(jsonx_path(r->json, "contact.customFields")), 3);
    th_response_free(r);

    path = gfx_fmt("/contacts/%s", id);
    char *upd = gfx_fmt("{\"customFields\":[{\"id\":\"%s\",\"field_value\":\"\"},"
                        "{\"key\":\"ticket_type\",\"field_value\":\"Speaker\"}]}",
                        dietary);
    r = gfx_api(fx, "PUT", path, upd);
    gfx_expect(r, 200);
    assert_string_equal(custom_value(r, ticket), "Speaker");
    assert_null(custom_value(r, dietary));
    assert_string_equal(custom_value(r, size), "250");
    th_response_free(r);
    free(upd);
    free(path);
    free(fields);
    free(id);
    th_response_free(defs);
}

static const char *updated(gfx *fx, const char *id, char *out)
{
    th_response *r = get_contact(fx, id);
    snprintf(out, 40, "%s", gfx_str(r, "contact.dateUpdated"));
    th_response_free(r);
    return out;
}

static void test_date_updated(void **state)
{
    gfx *fx = *state;
    char *id = gfx_create(fx, "\"email\":\"d@example.com\"");
    char *path = gfx_fmt("/contacts/%s", id);
    char before[40], after[40];
    updated(fx, id, before);
    /* A change in the same millisecond still moves it forward. */
    th_response *r = gfx_api(fx, "PUT", path, "{\"city\":\"Paris\"}");
    th_response_free(r);
    assert_string_equal(updated(fx, id, after), "2023-11-14T22:13:20.001Z");
    /* Nothing changed: nothing moves. */
    clock_fake_advance(&fx->clock, 1000);
    r = gfx_api(fx, "PUT", path, "{\"city\":\"Paris\"}");
    gfx_expect(r, 200);
    th_response_free(r);
    assert_string_equal(updated(fx, id, after), "2023-11-14T22:13:20.001Z");
    /* Tasks and notes do not change the contact. */
    char *tasks = gfx_fmt("/contacts/%s/tasks", id);
    r = gfx_api(fx, "POST", tasks,
                "{\"title\":\"t\",\"dueDate\":\"2024-01-01T00:00:00Z\","
                "\"completed\":false}");
    gfx_expect(r, 201);
    th_response_free(r);
    assert_string_equal(updated(fx, id, after), "2023-11-14T22:13:20.001Z");
    r = gfx_api(fx, "PUT", path, "{\"dnd\":true}");
    th_response_free(r);
    assert_string_equal(updated(fx, id, after), "2023-11-14T22:13:21.000Z");
    (void)before;
    free(tasks);
    free(path);
    free(id);
}

static void test_business(void **state)
{
    gfx *fx = *state;
    char *a = gfx_create(fx, "\"firstName\":\"Ann\",\"businessId\":\"641c094001436dbc2081e642\","
                             "\"companyName\":\"Acme\"");
    char *b = gfx_create(fx, "\"firstName\":\"Bob\",\"businessId\":\"641c094001436dbc2081e642\"");
    char *c = gfx_create(fx, "\"firstName\":\"Cy\",\"businessId\":\"other\"");
    char *path = gfx_fmt("/contacts/business/641c094001436dbc2081e642?locationId=%s", fx->location);
    th_response *r = gfx_api(fx, "GET", path, NULL);
    gfx_expect(r, 200);
    assert_int_equal(json_integer_value(jsonx_path(r->json, "count")), 2);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 2);
    assert_string_equal(gfx_str(r, "contacts.0.businessId"), "641c094001436dbc2081e642");
    th_response_free(r);
    free(path);
    path = gfx_fmt("/contacts/business/641c094001436dbc2081e642?locationId=%s&query=bob&limit=5",
                   fx->location);
    r = gfx_api(fx, "GET", path, NULL);
    assert_int_equal(json_array_size(jsonx_path(r->json, "contacts")), 1);
    assert_string_equal(gfx_str(r, "contacts.0.id"), b);
    th_response_free(r);
    free(path);
    free(a);
    free(b);
    free(c);
}

typedef struct racer {
    gfx *fx;
    long status;
} racer;

static void *race_create(void *arg)
{
    racer *r = arg;
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"race@example.com\"}", r->fx->location);
    th_response *res = gfx_api(r->fx, "POST", "/contacts/", body);
    r->status = res->status;
    th_response_free(res);
    free(body);
    return NULL;
}

/* Concurrent creates of one person on a location without duplicates: exactly one wins. */
static void test_concurrent_creates(void **state)
{
    gfx *fx = *state;
    racer racers[8];
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        racers[i] = (racer){fx, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, race_create, &racers[i]), 0);
    }
    int created = 0, refused = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        created += racers[i].status == 201;
        refused += racers[i].status == 400;
    }
    assert_int_equal(created, 1);
    assert_int_equal(refused, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_read_update_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_forbidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_allowed, setup_dup, teardown),
        cmocka_unit_test_setup_teardown(test_upsert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_updated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_business, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_creates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
