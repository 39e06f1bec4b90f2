/* test_cmd_links.c: the operator's commands on a configuration of two links, the default one
 * (the sandbox's location and ORGAPP's first event) and "two" (a second location with its own
 * token, a second organization ORGB with its own key): `status` shows both links' services,
 * pollers and misfiled or unowned queued work; `profile`, `audit` and `verify` find and read a
 * person of link two, and `--link` restricts them; a `--link` naming no link is a usage error
 * (exit 2) for every command that takes it; `sync --dry-run` says what it would re-file;
 * `verify` compares each person on the custom fields of their own location. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define LOC2 "LOCATIONTWO0000000002"
#define ORGB "ORGB"
#define KEYB "orgb-key-0123"
#define SECRETB "orgb-secret-4567"
#define EVB "EVEB1"

typedef struct two {
    afx *f;
    char pit2[128];
} two;

/* The sandbox's location and ORGAPP, then LOC2 (created with loc_body) and ORGB as link two. */
static int setup_with(void **state, const char *loc_body)
{
    int rc = afx_setup(state);
    if (rc != 0)
        return rc;
    afx *f = *state;
    two *t = calloc(1, sizeof *t);
    t->f = f;
    json_t *loc = afx_ghl_admin(f, "POST", "/_sandbox/locations", loc_body);
    snprintf(t->pit2, sizeof t->pit2, "%s", jsonx_str(loc, "pit"));
    json_decref(loc);
    sbx_pl_emu_options o = {.org_code = ORGB, .api_key = KEYB, .api_secret = SECRETB};
    sbx_pl_emu *orgb = NULL;
    err e = {0};
    assert_int_equal(sbx_pl_emu_add_org(&orgb, sbx_sandbox_pheedloop(f->sbx), &o, &e), 0);
    assert_int_equal(sbx_pl_emu_seed_event(orgb, EVB, "B's event", "2027-05-01", &e), 0);
    char extra[1024];
    snprintf(extra, sizeof extra,
             "\n[link \"two\"]\nlocation_id = " LOC2 "\ntoken = %s\norg_code = " ORGB
             "\nevents = " EVB "\napi_key = " KEYB "\napi_secret = " SECRETB "\n",
             t->pit2);
    afx_conf c = {.extra = extra};
    afx_write_conf(f, &c);
    *state = t;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, "{\"id\": \"" LOC2 "\", \"name\": \"Second\"}");
}

/* LOC2 lacks the Dietary custom field the default location has. */
static int setup_no_diet(void **state)
{
    return setup_with(state, "{\"id\": \"" LOC2 "\", \"name\": \"Second\", \"customFields\": "
                             "[\"contact.ticket_type\"]}");
}

static int teardown(void **state)
{
    two *t = *state;
    void *f = t->f;
    free(t);
    return afx_teardown(&f);
}

/* Bob: a contact of LOC2 and an attendee of ORGB's event, linked (link two's person). */
static int64_t make_bob(two *t, char contact[64], char code[64])
{
    afx *f = t->f;
    json_t *c = json_pack("{s:s, s:s, s:s}", "firstName", "Bob", "lastName", "Two", "email",
                          "bob@example.com");
    err e = {0};
    assert_int_equal(sbx_ghl_emu_seed_contact(sbx_sandbox_ghl(f->sbx), LOC2, c, contact, 64, &e),
                     0);
    json_decref(c);
    json_t *a = json_pack("{s:s, s:s, s:s}", "first_name", "Bob", "last_name", "Two", "email",
                          "bob@example.com");
    sbx_pl_emu *orgb = sbx_pl_emu_org(sbx_sandbox_pheedloop(f->sbx), ORGB);
    assert_int_equal(sbx_pl_emu_seed_attendee(orgb, EVB, a, code, 64, &e), 0);
    json_decref(a);
    store *s = ofx_store(f);
    int64_t id = 0;
    assert_int_equal(store_link_create(&id, s, LOC2, contact, "bob@example.com", NULL, &e), 0);
    assert_int_equal(store_link_add_attendee(s, id, ORGB, EVB, code, &e), 0);
    store_close(s);
    return id;
}

static const json_t *link_named(const json_t *status, const char *name)
{
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(status, "links"), i, l) if (
        !strcmp(jsonx_str(l, "name"), name)) return l;
    fail_msg("no link %s in the status", name);
    return NULL;
}

static void status_shows_every_link(void **state)
{
    two *t = *state;
    const char *args[] = {"status", "--json", NULL};
    afx_run r = ofx_expect(t->f, 0, args);
    json_t *j = ofx_json(&r);
    const json_t *svc = json_object_get(link_named(j, "two"), "services");
    assert_string_equal(jsonx_str(jsonx_path(svc, "ghl"), "state"), "token");
    assert_string_equal(jsonx_str(jsonx_path(svc, "ghl"), "location_id"), LOC2);
    assert_string_equal(jsonx_str(jsonx_path(svc, "pheedloop"), "state"), "connected");
    assert_string_equal(jsonx_str(jsonx_path(svc, "pheedloop"), "org_code"), ORGB);
    /* The top-level services stay the first link's. */
    assert_string_equal(jsonx_str(jsonx_path(j, "services.pheedloop"), "org_code"), AFX_ORG);
    size_t i, of_two = 0;
    const json_t *p;
    json_array_foreach(json_object_get(j, "pollers"), i, p) of_two +=
        jsonx_str(p, "link") && !strcmp(jsonx_str(p, "link"), "two");
    assert_int_equal(of_two, 4); /* contacts, tasks; registrations, attendees of EVEB1 */
    assert_int_equal(jsonx_int(jsonx_path(j, "queue"), "misfiled", -1), 0);
    assert_int_equal(jsonx_int(jsonx_path(j, "queue"), "unowned", -1), 0);
    json_decref(j);
    afx_run_free(&r);
    const char *text[] = {"status", NULL};
    r = ofx_expect(t->f, 0, text);
    assert_non_null(strstr(r.out, "organization " ORGB));
    assert_non_null(strstr(r.out, "location " LOC2));
    afx_run_free(&r);
}

/* A wrong key for ORGB: the attention line names the link. */
static void status_names_the_link_in_trouble(void **state)
{
    two *t = *state;
    char extra[1024];
    snprintf(extra, sizeof extra,
             "\n[link \"two\"]\nlocation_id = " LOC2 "\ntoken = %s\norg_code = " ORGB
             "\nevents = " EVB "\napi_key = " KEYB "\napi_secret = wrong\n",
             t->pit2);
    afx_conf c = {.extra = extra};
    afx_write_conf(t->f, &c);
    const char *args[] = {"status", "--json", NULL};
    afx_run r = ofx_expect(t->f, 1, args);
    json_t *j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(link_named(j, "two"), "services.pheedloop"), "state"),
                        "refused");
    char *att = jsonx_dumps(json_object_get(j, "attention"));
    assert_non_null(strstr(att, "PheedLoop does not answer as it should (link two)"));
    free(att);
    json_decref(j);
    afx_run_free(&r);
}

static void hint(afx *f, const char *link, const char *key)
{
    store *s = ofx_store(f);
    err e = {0};
    store_hint_new h = {.source = "ghl",
                        .kind = "ContactUpdate",
                        .record_key = key,
                        .payload = "{}",
                        .link = link};
    assert_int_equal(store_inbox_append(NULL, s, &h, &e), 0);
    store_close(s);
}

/* A hint of the default link's location filed under "two", and one of a location no link has:
 * status says what to do; `sync --dry-run` says it would re-file, and changes nothing. */
static void status_reports_misfiled_and_unowned_work(void **state)
{
    two *t = *state;
    afx *f = t->f;
    char key[256];
    snprintf(key, sizeof key, "ghl:%s:contactmoved", f->location);
    hint(f, "two", key);
    hint(f, "", "ghl:LOCATIONGONE:contactx");
    const char *args[] = {"status", "--json", "--no-probe", NULL};
    afx_run r = ofx_expect(f, 1, args);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(jsonx_path(j, "queue"), "misfiled", -1), 1);
    assert_int_equal(jsonx_int(jsonx_path(j, "queue"), "unowned", -1), 1);
    const json_t *ex = json_array_get(jsonx_path(j, "queue.by_link_examples.misfiled"), 0);
    assert_string_equal(jsonx_str(ex, "record_key"), key);
    assert_string_equal(jsonx_str(ex, "link"), "two");
    assert_string_equal(jsonx_str(ex, "owner"), "default");
    char *att = jsonx_dumps(json_object_get(j, "attention"));
    assert_non_null(strstr(att, "re-files them when it starts"));
    assert_non_null(strstr(att, "ghl:LOCATIONGONE:contactx"));
    assert_non_null(strstr(att, "put the location or the organization's event back in a link"));
    free(att);
    json_decref(j);
    afx_run_free(&r);

    const char *dry[] = {"sync", "--dry-run", NULL};
    afx_run d = afx_exec(f, dry, NULL);
    assert_non_null(strstr(d.err, "re-files them when it starts"));
    afx_run_free(&d);
    r = ofx_expect(f, 1, args); /* the dry run moved nothing */
    j = ofx_json(&r);
    assert_int_equal(jsonx_int(jsonx_path(j, "queue"), "misfiled", -1), 1);
    json_decref(j);
    afx_run_free(&r);
}

static void profile_and_audit_look_in_every_link(void **state)
{
    two *t = *state;
    char contact[64], code[64];
    int64_t id = make_bob(t, contact, code);
    const char *args[] = {"profile", "bob@example.com", "--json", NULL};
    afx_run r = ofx_expect(t->f, 0, args);
    json_t *j = ofx_json(&r);
    assert_string_equal(jsonx_str(j, "sync_link"), "two");
    assert_string_equal(jsonx_str(j, "contact_id"), contact);
    assert_int_equal(jsonx_int(jsonx_path(j, "link"), "id", 0), id);
    assert_string_equal(jsonx_str(json_array_get(json_object_get(j, "attendees"), 0), "event"),
                        EVB);
    json_decref(j);
    afx_run_free(&r);
    /* By the attendee code of ORGB's event, and restricted to its link. */
    const char *by_code[] = {"profile", code, "--link", "two", "--json", NULL};
    r = ofx_expect(t->f, 0, by_code);
    j = ofx_json(&r);
    assert_string_equal(jsonx_str(j, "contact_id"), contact);
    json_decref(j);
    afx_run_free(&r);
    /* The default link does not have Bob: nobody there. */
    const char *other[] = {"profile", code, "--link", "default", NULL};
    r = ofx_expect(t->f, 1, other);
    afx_run_free(&r);
    const char *audit[] = {"audit", "bob@example.com", "--json", NULL};
    r = ofx_expect(t->f, 0, audit);
    j = ofx_json(&r);
    assert_string_equal(jsonx_str(jsonx_path(j, "person"), "sync_link"), "two");
    json_decref(j);
    afx_run_free(&r);
}

static void verify_covers_every_link(void **state)
{
    two *t = *state;
    char contact[64], code[64];
    make_bob(t, contact, code);
    const char *all[] = {"verify", "--json", NULL};
    afx_run r = afx_exec(t->f, all, NULL);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", 0), 1);
    assert_int_equal(jsonx_int(j, "pairs", 0), 1);
    assert_int_equal(json_array_size(json_object_get(j, "skipped")), 0);
    json_decref(j);
    afx_run_free(&r);
    const char *dflt[] = {"verify", "--link", "default", "--json", NULL};
    r = ofx_expect(t->f, 0, dflt);
    j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", -1), 0); /* Bob is link two's */
    json_decref(j);
    afx_run_free(&r);
}

/* A drift in a custom field reported for a person of link two, or skipped for link two. */
static bool drift_in(const json_t *report, const char *link_name, const char *field)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(report, "drifts"), i, d)
    {
        if (!strcmp(jsonx_str(d, "link_name"), link_name) && !strcmp(jsonx_str(d, "field"), field))
            return true;
    }
    return false;
}

/* Each person is compared on the custom fields of their own location: the default location has
 * Dietary, LOC2 does not, so Ann's (default link) differing diet is drift while diet is skipped
 * for link two only. */
static void verify_uses_each_location_fields(void **state)
{
    two *t = *state;
    afx *f = t->f;
    char extra[1024];
    snprintf(extra, sizeof extra,
             "\n[link \"two\"]\nlocation_id = " LOC2 "\ntoken = %s\norg_code = " ORGB
             "\nevents = " EVB "\napi_key = " KEYB "\napi_secret = " SECRETB
             "\n[field \"diet\"]\nghl = contact.dietary\npheedloop = dietary_restrictions\n",
             t->pit2);
    afx_write_conf(f, &(afx_conf){.extra = extra});
    char contact[64], code[64];
    ofx_contact(f,
                "{\"firstName\": \"Ann\", \"lastName\": \"One\", \"email\": \"ann@example.com\", "
                "\"customFields\": [{\"key\": \"contact.dietary\", \"field_value\": \"vegan\"}]}",
                contact);
    ofx_attendee(f, AFX_EVENT,
                 "{\"first_name\": \"Ann\", \"last_name\": \"One\", \"email\": "
                 "\"ann@example.com\", \"dietary_restrictions\": \"vegetarian\"}",
                 code);
    ofx_link(f, contact, "ann@example.com", code);
    char bob_contact[64], bob_code[64];
    make_bob(t, bob_contact, bob_code);

    const char *args[] = {"verify", "--json", NULL};
    afx_run r = ofx_expect(f, 1, args);
    json_t *j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", 0), 2);
    assert_true(drift_in(j, "default", "diet"));
    assert_false(drift_in(j, "two", "diet"));
    const json_t *by_link = json_object_get(j, "skipped_fields_by_link");
    assert_true(jsonx_array_has_str(json_object_get(by_link, "two"), "diet"));
    assert_false(jsonx_array_has_str(json_object_get(by_link, "default"), "diet"));
    assert_true(jsonx_array_has_str(json_object_get(j, "skipped_fields"), "diet"));
    json_decref(j);
    afx_run_free(&r);

    const char *text[] = {"verify", NULL};
    r = ofx_expect(f, 1, text);
    assert_non_null(strstr(r.out, "skipped field diet for link two"));
    assert_null(strstr(r.out, "skipped field diet for link default"));
    afx_run_free(&r);

    /* Restricted to link two, Ann is not looked at and diet is still skipped there. */
    const char *two_only[] = {"verify", "--link", "two", "--json", NULL};
    r = ofx_expect(f, 0, two_only);
    j = ofx_json(&r);
    assert_int_equal(jsonx_int(j, "links", 0), 1);
    assert_true(jsonx_array_has_str(jsonx_path(j, "skipped_fields_by_link.two"), "diet"));
    json_decref(j);
    afx_run_free(&r);
}

/* --link naming no link: exit 2, and the message lists the links there are. */
static void a_link_that_is_not_there(void **state)
{
    two *t = *state;
    const char *const cmds[][6] = {
        {"verify", "--link", "nope", NULL},
        {"profile", "bob@example.com", "--link", "nope", NULL},
        {"audit", "bob@example.com", "--link", "nope", NULL},
        {"mapping", "preview", "--link", "nope", NULL},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(cmds); i++) {
        afx_run r = afx_exec(t->f, cmds[i], NULL);
        if (r.code != 2 || !strstr(r.err, "no link named 'nope'") || !strstr(r.err, "two"))
            fail_msg("%s --link nope: exit %d, stderr: %s", cmds[i][0], r.code, r.err);
        afx_run_free(&r);
    }
    const char *show[] = {"mapping", "show", "--link", "two", NULL};
    afx_run r = afx_exec(t->f, show, NULL);
    assert_int_equal(r.code, 2); /* --link is for preview */
    afx_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(status_shows_every_link, setup, teardown),
        cmocka_unit_test_setup_teardown(status_names_the_link_in_trouble, setup, teardown),
        cmocka_unit_test_setup_teardown(status_reports_misfiled_and_unowned_work, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(profile_and_audit_look_in_every_link, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_covers_every_link, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_uses_each_location_fields, setup_no_diet,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_link_that_is_not_there, setup, teardown),
    };
    return cmocka_run_group_tests_name("operator's commands over several links", tests, NULL,
                                       NULL);
}
