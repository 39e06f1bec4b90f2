/* test_cmd_verify.c: `pheedsync verify` against the sandbox: linked people in sync (exit 0,
 * the totals kept for `status`), drift in a field and a linked contact that is gone (exit 1,
 * both values listed), one person by e-mail, nobody, many people read from whole listings,
 * bad input, a store from a newer pheedsync; never a write to either service. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* A contact and an attendee holding the same person (first names may differ), linked. */
static int64_t person(afx *f, const char *email, const char *ghl_first, const char *pl_first,
                      char contact[64])
{
    static int seq;
    char fields[512], code[64];
    int n = 100 + ++seq; /* phones differ: the location refuses duplicates */
    snprintf(fields, sizeof fields,
             "{\"firstName\": \"%s\", \"lastName\": \"Doe\", \"email\": \"%s\", \"phone\": "
             "\"+1415555%04d\", \"companyName\": \"Acme\"}",
             ghl_first, email, n);
    ofx_contact(f, fields, contact);
    snprintf(fields, sizeof fields,
             "{\"first_name\": \"%s\", \"last_name\": \"Doe\", \"email\": \"%s\", "
             "\"address_phone\": \"(415) 555-%04d\", \"organization\": \"Acme \"}",
             pl_first, email, n);
    ofx_attendee(f, AFX_EVENT, fields, code);
    return ofx_link(f, contact, email, code);
}

static const json_t *drift_of(const json_t *report, int64_t link, const char *field)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(report, "drifts"), i, d)
    {
        if (jsonx_int(d, "link", 0) == link && !strcmp(jsonx_str(d, "field"), field))
            return d;
    }
    return NULL;
}

static void in_sync_exits_0_and_status_shows_it(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    char c[64];
    person(f, "jane@example.com", "Jane", "Jane", c);
    person(f, "jim@example.com", "Jim", "Jim", c);
    const char *args[] = {"verify", "--config", f->conf, NULL};
    afx_run r = ofx_expect(f, 0, args);
    assert_non_null(strstr(r.out, "2 links, 2 pairs compared: 2 in sync, 0 drifted"));
    assert_non_null(strstr(r.out, "skipped field title"));
    afx_run_free(&r);
    const char *st[] = {"status", "--config", f->conf, "--json", "--no-probe", NULL};
    r = ofx_expect(f, 0, st);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(json_object_get(j, "people"), "in_sync", -1), 2);
    assert_non_null(jsonx_str(json_object_get(j, "people"), "verified_at"));
    json_decref(j);
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), 0);
}

static void drift_exits_1_and_lists_both_values(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    char c_jane[64], c_bob[64], c_gone[64];
    person(f, "jane@example.com", "Jane", "Jane", c_jane);
    int64_t bob = person(f, "bob@example.com", "Bob", "Robert", c_bob);
    int64_t gone = person(f, "gone@example.com", "Gus", "Gus", c_gone);
    char path[160];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", c_gone);
    json_decref(afx_ghl_admin(f, "DELETE", path, NULL));

    const char *jargs[] = {"verify", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 1, jargs);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", -1), 3);
    assert_int_equal(jsonx_int(j, "in_sync", -1), 1);
    assert_int_equal(jsonx_int(j, "drifted", -1), 2);
    const json_t *d = drift_of(j, bob, "first_name");
    assert_non_null(d);
    assert_string_equal(jsonx_str(d, "ghl"), "Bob");
    assert_string_equal(jsonx_str(d, "pheedloop"), "Robert");
    assert_string_equal(jsonx_str(d, "email"), "bob@example.com");
    assert_string_equal(jsonx_str(d, "event"), AFX_EVENT);
    assert_string_equal(jsonx_str(d, "contact_id"), c_bob);
    assert_null(drift_of(j, bob, "organization")); /* "Acme " trims to "Acme" */
    d = drift_of(j, gone, "record");
    assert_non_null(d);
    assert_string_equal(jsonx_str(d, "side"), "ghl");
    assert_int_equal(json_array_size(json_object_get(j, "drifts")), 2);
    json_decref(j);
    afx_run_free(&r);

    const char *args[] = {"verify", "--config", f->conf, NULL};
    r = ofx_expect(f, 1, args);
    assert_non_null(strstr(r.out, "bob@example.com"));
    assert_non_null(strstr(r.out, "HighLevel: Bob"));
    assert_non_null(strstr(r.out, "PheedLoop: Robert"));
    assert_non_null(strstr(r.out, "HighLevel has no contact"));
    assert_non_null(strstr(r.out, "1 in sync, 2 drifted (2 differences)"));
    afx_run_free(&r);
    assert_int_equal(ofx_writes(f), 0);
}

static void one_person_by_name(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    char c[64];
    person(f, "jane@example.com", "Jane", "Jane", c);
    person(f, "bob@example.com", "Bob", "Robert", c);
    const char *jane[] = {"verify", "--config", f->conf, " Jane@Example.COM", NULL};
    afx_run r = ofx_expect(f, 0, jane);
    assert_non_null(strstr(r.out, "1 links, 1 pairs compared: 1 in sync"));
    afx_run_free(&r);
    const char *bob[] = {"verify", "--config", f->conf, "--json", c, NULL};
    r = ofx_expect(f, 1, bob);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", -1), 1);
    assert_int_equal(json_array_size(json_object_get(j, "drifts")), 1);
    json_decref(j);
    afx_run_free(&r);
    const char *nobody[] = {"verify", "--config", f->conf, "nobody@example.com", NULL};
    r = ofx_expect(f, 1, nobody);
    assert_non_null(strstr(r.err, "nobody@example.com is not linked"));
    afx_run_free(&r);
    const char *unknown[] = {"verify", "--config", f->conf, "NOSUCHID42", NULL};
    r = ofx_expect(f, 1, unknown);
    assert_non_null(strstr(r.err, "no link names NOSUCHID42"));
    afx_run_free(&r);
}

/* Past a few links both sides are listed whole: a handful of requests, the same findings. */
static void many_people_cost_a_few_list_pages(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    char c[64], gone[64], email[64];
    int64_t drifted = 0, lost = 0;
    for (int i = 0; i < 30; i++) {
        snprintf(email, sizeof email, "p%02d@example.com", i);
        int64_t l = person(f, email, "Pat", i == 7 ? "Patricia" : "Pat", i == 11 ? gone : c);
        drifted = i == 7 ? l : drifted;
        lost = i == 11 ? l : lost;
    }
    char path[160];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", gone);
    json_decref(afx_ghl_admin(f, "DELETE", path, NULL));
    int64_t before = ofx_requests(f);
    const char *args[] = {"verify", "--config", f->conf, "--json", NULL};
    afx_run r = ofx_expect(f, 1, args);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", -1), 30);
    assert_int_equal(jsonx_int(j, "in_sync", -1), 28);
    assert_non_null(drift_of(j, drifted, "first_name"));
    assert_non_null(drift_of(j, lost, "record"));
    assert_int_equal(json_array_size(json_object_get(j, "drifts")), 2);
    json_decref(j);
    afx_run_free(&r);
    int64_t spent = ofx_requests(f) - before;
    if (spent > 10) /* lists, reference data, and one read of the gone contact */
        fail_msg("%lld requests for 30 people", (long long)spent);
    assert_int_equal(ofx_writes(f), 0);
}

static void bad_input(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    const char *help[] = {"verify", "-h", NULL};
    afx_run r = ofx_expect(f, 0, help);
    assert_non_null(strstr(r.out, "usage: pheedsync verify"));
    afx_run_free(&r);
    const char *bad_query[] = {"verify", "--config", f->conf, "not an id!", NULL};
    r = ofx_expect(f, 2, bad_query);
    assert_non_null(strstr(r.err, "neither an e-mail address nor an id"));
    afx_run_free(&r);
    const char *bad_email[] = {"verify", "--config", f->conf, "@example.com", NULL};
    r = ofx_expect(f, 2, bad_email);
    afx_run_free(&r);
    const char *two[] = {"verify", "--config", f->conf, "a@example.com", "b@example.com", NULL};
    r = ofx_expect(f, 2, two);
    afx_run_free(&r);
    const char *flag[] = {"verify", "--config", f->conf, "--json=yes", NULL};
    r = ofx_expect(f, 2, flag);
    afx_run_free(&r);
    afx_write_conf(f, &(afx_conf){.extra = "\n[field \"shoe\"]\nghl = contact.shoe\n"});
    const char *args[] = {"verify", "--config", f->conf, NULL};
    r = ofx_expect(f, 2, args);
    assert_non_null(strstr(r.err, "shoe"));
    afx_run_free(&r);
    afx_write_conf(f, &(afx_conf){0});
    ofx_store_from_the_future(f);
    r = ofx_expect(f, 3, args);
    assert_non_null(strstr(r.err, "newer than this pheedsync"));
    afx_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(in_sync_exits_0_and_status_shows_it, afx_setup,
                                        afx_teardown),
        cmocka_unit_test_setup_teardown(drift_exits_1_and_lists_both_values, afx_setup,
                                        afx_teardown),
        cmocka_unit_test_setup_teardown(one_person_by_name, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(many_people_cost_a_few_list_pages, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(bad_input, afx_setup, afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
