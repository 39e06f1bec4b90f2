/* test_cmd_verify_compare.c: the drift rule of `pheedsync verify` on canonical records, pure:
 * equal sides, a two-way difference, one-way fields (target against source, either way), tags
 * by direction with PheedLoop's computed tags left out, unreadable values, skipped fields. */
#include "ops/verify.h"
#include "tests/core/core_test.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define BASE_CONF "[store]\nurl = sqlite::memory:\n"

static const char contact_text[] =
    "{\"id\": \"C1\", \"firstName\": \"Jane\", \"lastName\": \"Doe\", \"email\": "
    "\"jane@example.com\", \"phone\": \"+14155550134\", \"companyName\": \"Acme\", \"tags\": "
    "[\"vip\"]}";
static const char attendee_text[] =
    "{\"code\": \"ATT1\", \"first_name\": \"Jane\", \"last_name\": \"Doe\", \"email\": "
    "\"Jane@Example.com \", \"address_phone\": \"(415) 555-0134\", \"organization\": \"Acme\", "
    "\"tags\": [], \"metadata\": {\"highlevel\": {\"tags\": [\"vip\"]}}}";

/* The drifts of a contact and an attendee through the map of conf. */
static json_t *drifts_of(const char *conf, const char *contact, const char *attendee,
                         const json_t *skip)
{
    core_map *m = ct_map(conf);
    json_t *c = ct_json(contact), *a = ct_json(attendee);
    core_ghl_record gr = {.contact = c};
    core_pl_record pr = {.attendee = a, .event_code = "EVE1"};
    core_person g = {0}, p = {0};
    err e = {0};
    assert_int_equal(core_person_from_ghl(&g, m, &gr, &e), 0);
    assert_int_equal(core_person_from_pl(&p, m, &pr, &e), 0);
    json_t *out = json_array();
    assert_int_equal(ops_verify_compare(out, m, &g, &p, skip, &e), 0);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(c);
    json_decref(a);
    core_map_free(m);
    return out;
}

static const json_t *drift_named(const json_t *drifts, const char *field)
{
    size_t i;
    const json_t *d;
    json_array_foreach(drifts, i, d)
    {
        if (!strcmp(jsonx_str(d, "field"), field))
            return d;
    }
    return NULL;
}

static char *with(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    buf b;
    buf_init(&b, 1 << 16);
    buf_add(&b, text, (size_t)(at - text));
    buf_addstr(&b, to);
    buf_addstr(&b, at + strlen(from));
    return buf_take(&b);
}

static void equal_sides_have_no_drift(void **state)
{
    (void)state;
    /* Other spellings of one value (e-mail case, phone format) are the same canonical value,
     * and the sign-up tag PheedLoop computes (event:eve1) is not wanted in HighLevel. */
    json_t *d = drifts_of(BASE_CONF, contact_text, attendee_text, NULL);
    if (json_array_size(d))
        fail_msg("unexpected drift: %s", jsonx_dumps(d));
    json_decref(d);
}

static void a_two_way_difference_is_drift(void **state)
{
    (void)state;
    char *att = with(attendee_text, "\"first_name\": \"Jane\"", "\"first_name\": \"Janet\"");
    json_t *d = drifts_of(BASE_CONF, contact_text, att, NULL);
    assert_int_equal(json_array_size(d), 1);
    ct_assert_json(json_array_get(d, 0),
                   "{\"field\": \"first_name\", \"ghl\": \"Jane\", \"pheedloop\": \"Janet\", "
                   "\"direction\": \"both\", \"owner\": \"newest\"}");
    json_decref(d);
    free(att);
    /* An empty side counts: the sync would fill it. */
    att = with(attendee_text, "\"organization\": \"Acme\", ", "");
    d = drifts_of(BASE_CONF, contact_text, att, NULL);
    const json_t *org = drift_named(d, "organization");
    assert_non_null(org);
    assert_true(json_is_null(json_object_get(org, "pheedloop")));
    json_decref(d);
    free(att);
}

static void one_way_fields_compare_target_with_source(void **state)
{
    (void)state;
    static const char conf[] = BASE_CONF "[field \"first_name\"]\nghl = firstName\n"
                                         "pheedloop = first_name\ndirection = ghl_to_pheedloop\n"
                                         "[field \"tags\"]\nghl = tags\npheedloop = tags\n"
                                         "direction = pheedloop_to_ghl\n";
    char *att = with(attendee_text, "\"first_name\": \"Jane\"", "\"first_name\": \"Janet\"");
    char *att2 = with(att, "{\"tags\": [\"vip\"]}", "{\"tags\": [\"speaker\"]}");
    json_t *d = drifts_of(conf, contact_text, att2, NULL);
    const json_t *fn = drift_named(d, "first_name");
    assert_non_null(fn);
    assert_string_equal(jsonx_str(fn, "direction"), "ghl_to_pheedloop");
    /* Tags flow only to HighLevel: its extra "vip" is not drift, PheedLoop's "speaker"
     * missing there is. */
    const json_t *tags = drift_named(d, "tags");
    assert_non_null(tags);
    ct_assert_json(json_object_get(tags, "missing_on_ghl"), "[\"speaker\"]");
    ct_assert_json(json_object_get(tags, "missing_on_pheedloop"), "[]");
    assert_int_equal(json_array_size(d), 2);
    json_decref(d);
    free(att);
    free(att2);
}

static void tags_missing_where_they_flow_are_drift(void **state)
{
    (void)state;
    char *att = with(attendee_text, "{\"tags\": [\"vip\"]}", "{\"tags\": []}");
    json_t *d = drifts_of(BASE_CONF, contact_text, att, NULL);
    assert_int_equal(json_array_size(d), 1);
    const json_t *tags = drift_named(d, "tags");
    assert_non_null(tags);
    ct_assert_json(json_object_get(tags, "missing_on_pheedloop"), "[\"vip\"]");
    ct_assert_json(json_object_get(tags, "missing_on_ghl"), "[]");
    json_decref(d);
    free(att);
}

static void unreadable_values_and_skips(void **state)
{
    (void)state;
    char *att = with(attendee_text, "\"(415) 555-0134\"", "\"12\"");
    json_t *d = drifts_of(BASE_CONF, contact_text, att, NULL);
    const json_t *ph = drift_named(d, "phone");
    assert_non_null(ph);
    assert_non_null(strstr(jsonx_str(ph, "why"), "unreadable in PheedLoop"));
    json_decref(d);
    /* A skipped field is not compared. */
    json_t *skip = ct_json("[\"phone\"]");
    d = drifts_of(BASE_CONF, contact_text, att, skip);
    assert_null(drift_named(d, "phone"));
    json_decref(d);
    json_decref(skip);
    /* Nor is a field turned off. */
    static const char off[] = BASE_CONF "[field \"phone\"]\nghl = phone\npheedloop = "
                                        "address_phone\ndirection = none\n";
    d = drifts_of(off, contact_text, att, NULL);
    assert_int_equal(json_array_size(d), 0);
    json_decref(d);
    free(att);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_sides_have_no_drift),
        cmocka_unit_test(a_two_way_difference_is_drift),
        cmocka_unit_test(one_way_fields_compare_target_with_source),
        cmocka_unit_test(tags_missing_where_they_flow_are_drift),
        cmocka_unit_test(unreadable_values_and_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
