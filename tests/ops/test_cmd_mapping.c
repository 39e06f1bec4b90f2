/* test_cmd_mapping.c: `pheedsync mapping show|preview` against the sandbox: the configured map
 * with its [field] sections; a preview pairing samples by link and by e-mail, showing raw and
 * canonical values and what a sync would write (a first-link conflict, the contact a lone
 * attendee would get), with no write sent to either service; bad flags, an unknown event, a
 * bad [field] section, a store from a newer pheedsync. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define FIELDS                                                                                     \
    "\n[field \"diet\"]\nghl = contact.dietary\npheedloop = dietary_restrictions\n"                \
    "\n[field \"city\"]\nghl = city\npheedloop = address_city\ntransform = trim, upper\n"

static const json_t *field_row(const json_t *person, const char *name)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(person, "fields"), i, f)
    {
        if (!strcmp(jsonx_str(f, "field"), name))
            return f;
    }
    fail_msg("no row for %s", name);
    return NULL;
}

static const json_t *person_with(const json_t *report, const char *key, const char *value)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(report, "people"), i, p)
    {
        if (jsonx_str(p, key) && !strcmp(jsonx_str(p, key), value))
            return p;
    }
    fail_msg("nobody with %s %s", key, value);
    return NULL;
}

static void show_lists_the_configured_map(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.extra = FIELDS});
    const char *args[] = {"mapping", "show", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 0, args);
    json_t *j = ofx_json(&r);
    bool diet = false, city = false;
    size_t i;
    const json_t *row;
    json_array_foreach(j, i, row)
    {
        if (!strcmp(jsonx_str(row, "field"), "diet")) {
            diet = true;
            assert_string_equal(jsonx_str(row, "ghl"), "contact.dietary");
            assert_string_equal(jsonx_str(row, "direction"), "both");
            assert_string_equal(jsonx_str(row, "section"), "[field \"diet\"]");
        }
        if (!strcmp(jsonx_str(row, "field"), "city")) {
            city = true;
            assert_string_equal(jsonx_str(row, "transform"), "trim, upper");
        }
    }
    assert_true(diet && city);
    json_decref(j);
    afx_run_free(&r);
    const char *text[] = {"mapping", "show", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, text);
    assert_non_null(strstr(r.out, "contact.dietary"));
    assert_non_null(strstr(r.out, "dietary_restrictions"));
    afx_run_free(&r);
}

/* Lee: linked, first names differ; Eve: same e-mail on both sides, not linked; Ann: only an
 * attendee; Carl: only a contact. */
static void seed(afx *f)
{
    char lee[64], att[64], other[64];
    ofx_contact(f,
                "{\"firstName\": \"Lee\", \"lastName\": \"Ray\", \"email\": \"lee@example.com\", "
                "\"city\": \"springfield \", \"customFields\": [{\"key\": \"contact.dietary\", "
                "\"field_value\": \"vegan\"}]}",
                lee);
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Leo\", \"last_name\": \"Ray\", \"email\": "
                 "\"lee@example.com\", \"address_city\": \"Springfield\", "
                 "\"dietary_restrictions\": \"vegan\"}",
                 att);
    ofx_link(f, lee, "lee@example.com", att);
    ofx_contact(f, "{\"firstName\": \"Eve\", \"lastName\": \"Ng\", \"email\": \"eve@example.com\"}",
                other);
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Eve\", \"last_name\": \"Ng\", \"email\": \"Eve@Example.com\"}",
                 other);
    ofx_attendee(
        f, AFX_EVENT,
        "{\"first_name\": \"Ann\", \"last_name\": \"Lone\", \"email\": \"ann@example.com\", "
        "\"address_city\": \" boston\"}",
        other);
    ofx_contact(
        f, "{\"firstName\": \"Carl\", \"lastName\": \"Solo\", \"email\": \"carl@example.com\"}",
        other);
}

static void preview_pairs_and_writes_nothing(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.extra = FIELDS});
    seed(f);
    int64_t before = ofx_writes(f);
    const char *args[] = {"mapping",  "preview", "--sample", "5",
                          "--config", f->conf,   "--json",   NULL};
    afx_run r = ofx_expect(f, 0, args);
    json_t *j = ofx_json(&r);
    assert_string_equal(jsonx_str(j, "event"), AFX_EVENT);
    assert_int_equal(json_array_size(json_object_get(j, "people")), 4);

    const json_t *lee = person_with(j, "email", "lee@example.com");
    assert_string_equal(jsonx_str(lee, "paired_by"), "link");
    const json_t *fn = field_row(lee, "first_name");
    assert_string_equal(jsonx_str(fn, "ghl"), "Lee");
    assert_string_equal(jsonx_str(fn, "pheedloop"), "Leo");
    assert_non_null(jsonx_str(fn, "note")); /* a first-link conflict, settled by the owner */
    assert_int_equal(json_array_size(json_object_get(fn, "writes")), 1);
    const json_t *city = field_row(lee, "city");
    assert_string_equal(jsonx_str(city, "ghl_raw"), "springfield ");
    assert_string_equal(jsonx_str(city, "ghl"), "SPRINGFIELD");
    assert_string_equal(jsonx_str(city, "pheedloop"), "SPRINGFIELD");
    assert_int_equal(json_array_size(json_object_get(city, "writes")), 0);
    assert_string_equal(jsonx_str(field_row(lee, "diet"), "ghl"), "vegan");

    const json_t *eve = person_with(j, "email", "eve@example.com");
    assert_string_equal(jsonx_str(eve, "paired_by"), "email");
    assert_string_equal(jsonx_str(field_row(eve, "email"), "pheedloop_raw"), "Eve@Example.com");

    const json_t *ann = person_with(j, "email", "ann@example.com");
    assert_true(json_is_null(json_object_get(ann, "paired_by")));
    const json_t *w = json_array_get(json_object_get(field_row(ann, "first_name"), "writes"), 0);
    assert_string_equal(jsonx_str(w, "to"), "ghl");
    assert_string_equal(jsonx_str(w, "value"), "Ann");
    assert_string_equal(jsonx_str(jsonx_path(ann, "bodies.ghl"), "firstName"), "Ann");
    assert_string_equal(jsonx_str(jsonx_path(ann, "bodies.ghl"), "city"), "BOSTON");

    const json_t *carl = person_with(j, "email", "carl@example.com");
    assert_true(json_is_null(json_object_get(carl, "attendee")));
    assert_int_equal(json_array_size(json_object_get(field_row(carl, "first_name"), "writes")), 0);
    json_decref(j);
    afx_run_free(&r);

    const char *text[] = {"mapping", "preview", "--sample", "2", "--config", f->conf, NULL};
    r = ofx_expect(f, 0, text);
    assert_non_null(strstr(r.out, "(nothing is written)"));
    assert_non_null(strstr(r.out, "A SYNC WRITES"));
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), before);
}

static void bad_input(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    static const char *const usage[][5] = {
        {"mapping", NULL},
        {"mapping", "apply", NULL},
        {"mapping", "preview", "--sample", "0", NULL},
        {"mapping", "preview", "--sample", "101", NULL},
        {"mapping", "preview", "--sample", "five", NULL},
        {"mapping", "show", "--sample", "3", NULL},
        {"mapping", "preview", "extra", NULL},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(usage); i++) {
        const char *args[8];
        size_t n = 0;
        for (; usage[i][n]; n++)
            args[n] = usage[i][n];
        args[n++] = "--config";
        args[n++] = f->conf;
        args[n] = NULL;
        afx_run r = ofx_expect(f, 2, args);
        if (i >= 2 && i <= 4) { /* the --sample values: the message names it and its range */
            assert_non_null(strstr(r.err, "--sample: '"));
            assert_non_null(strstr(r.err, "[1, 100]"));
        }
        afx_run_free(&r);
    }
    const char *help[] = {"mapping", "--help", NULL};
    afx_run r = ofx_expect(f, 0, help);
    assert_non_null(strstr(r.out, "usage: pheedsync mapping show"));
    afx_run_free(&r);
    const char *event[] = {"mapping", "preview", "--event", "EVENOSUCH", "--config", f->conf, NULL};
    r = ofx_expect(f, 2, event);
    assert_non_null(strstr(r.err, "EVENOSUCH"));
    afx_run_free(&r);
    afx_write_conf(f, &(afx_conf){.extra = "\n[field \"phone\"]\nghl = phone\n"
                                           "pheedloop = address_phone\ntransform = e165\n"});
    const char *show[] = {"mapping", "show", "--config", f->conf, NULL};
    r = ofx_expect(f, 2, show);
    assert_non_null(strstr(r.err, "e165"));
    afx_run_free(&r);
    const char *prev[] = {"mapping", "preview", "--config", f->conf, NULL};
    r = ofx_expect(f, 2, prev);
    afx_run_free(&r);
    afx_write_conf(f, &(afx_conf){0});
    ofx_store_from_the_future(f);
    r = ofx_expect(f, 3, prev);
    assert_non_null(strstr(r.err, "newer than this pheedsync"));
    afx_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(show_lists_the_configured_map, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(preview_pairs_and_writes_nothing, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(bad_input, afx_setup, afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
