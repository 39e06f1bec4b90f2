/* test_links.c: two links of one configuration over one store, against the sandbox: location L1
 * with the first event, location L2 with the second. A sync links each location's contacts
 * only with its own link's attendees (a person on both locations and both events is two
 * people, one per link), duplicates nothing, and a second pass writes nothing; a hint of L2's
 * (as its webhook is stored) is planned by L2's engine, never by L1's. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define LOC2 "LOCATIONTWO0000000002"

typedef struct two {
    efix *f;
    efix_links l;
} two;

static int setup(void **state)
{
    two *t = calloc(1, sizeof *t);
    efix_opts o = {0};
    t->f = efix_start(&o);
    efix_links_start(&t->l, t->f, EV1, LOC2, NULL, EV2, NULL);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    two *t = *state;
    efix_links_stop(&t->l);
    efix_stop(t->f);
    free(t);
    return 0;
}

/* Every live link's contact is in its link's location and its attendees in its link's event. */
static size_t assert_links_stay_in_their_link(two *t)
{
    store_links ls = {0};
    err e = {0};
    assert_int_equal(store_link_list(&ls, t->f->store, 0, 1000, &e), 0);
    size_t attendees = 0;
    for (size_t i = 0; i < ls.n; i++) {
        const store_link *l = &ls.v[i];
        const char *want = strcmp(l->location_id, LOC2) == 0 ? EV2 : EV1;
        for (size_t j = 0; j < l->n_attendees; j++, attendees++)
            if (strcmp(l->attendees[j].event, want) != 0)
                fail_msg("contact %s of %s is linked to an attendee of %s", l->contact_id,
                         l->location_id, l->attendees[j].event);
    }
    store_links_free(&ls);
    return attendees;
}

static void each_link_syncs_its_own_people(void **state)
{
    two *t = *state;
    efix *f = t->f;
    /* Both locations have a contact for each of these; each event has its attendees. */
    const char *people[] = {"ann@example.com", "bob@example.com"};
    for (size_t i = 0; i < 2; i++) {
        free(efix_ui_contact_in(f, f->location, "Contact", people[i]));
        free(efix_ui_contact_in(f, LOC2, "Contact", people[i]));
    }
    free(efix_register(f, EV1, "Ann", "One", "ann@example.com"));
    free(efix_register(f, EV1, "Cid", "One", "cid@example.com"));
    free(efix_register(f, EV2, "Bob", "Two", "bob@example.com"));
    free(efix_register(f, EV2, "Dee", "Two", "dee@example.com"));

    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    assert_int_equal(assert_links_stay_in_their_link(t), 4);
    json_t *l1 = efix_emails_in(f, f->location), *l2 = efix_emails_in(f, LOC2);
    /* L1 got cid (its event's new attendee), not dee (the other link's); L2 the reverse. */
    assert_int_equal(json_object_size(l1), 3);
    assert_int_equal(jsonx_int(l1, "cid@example.com", 0), 1);
    assert_int_equal(jsonx_int(l1, "dee@example.com", 0), 0);
    assert_int_equal(json_object_size(l2), 3);
    assert_int_equal(jsonx_int(l2, "dee@example.com", 0), 1);
    assert_int_equal(jsonx_int(l2, "cid@example.com", 0), 0);
    const char *key;
    json_t *n;
    json_object_foreach(l1, key, n) assert_int_equal(json_integer_value(n), 1);
    json_object_foreach(l2, key, n) assert_int_equal(json_integer_value(n), 1);
    json_decref(l1);
    json_decref(l2);
    /* The attendees were not doubled either. */
    json_t *a1 = efix_attendees(f, EV1), *a2 = efix_attendees(f, EV2);
    assert_int_equal(json_array_size(a1), 2);
    assert_int_equal(json_array_size(a2), 2);
    json_decref(a1);
    json_decref(a2);

    efix_reset_counters(f);
    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
}

static void a_hint_of_l2_is_planned_by_l2(void **state)
{
    two *t = *state;
    efix *f = t->f;
    free(efix_register(f, EV2, "Eve", "Two", "eve@example.com"));
    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    json_t *l2 = efix_emails_in(f, LOC2);
    assert_int_equal(jsonx_int(l2, "eve@example.com", 0), 1);
    json_decref(l2);
    /* Eve changes her name in L2; the webhook's hint is stored as link two's. */
    store_link *l = NULL;
    store_links by = {0};
    err e = {0};
    assert_int_equal(store_link_by_email(&by, f->store, "eve@example.com", &e), 0);
    assert_int_equal(by.n, 1);
    assert_int_equal(store_link_get(&l, f->store, by.v[0].id, &e), 0);
    store_links_free(&by);
    char path[256], key[ENGINE_KEY_MAX];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", l->contact_id);
    json_decref(efix_admin(f, true, "PATCH", path, "{\"firstName\": \"Evelyn\"}"));
    assert_int_equal(engine_key_ghl(key, LOC2, l->contact_id, &e), 0);
    store_hint_new h = {.source = "ghl",
                        .kind = "ContactUpdate",
                        .record_key = key,
                        .payload = "{}",
                        .link = "two"};
    assert_int_equal(store_inbox_append(NULL, f->store, &h, &e), 0);
    size_t done = 9;
    assert_int_equal(engine_plan_some(&t->l.one, 16, &done, &e), 0);
    assert_int_equal(done, 0); /* not L1's */
    assert_int_equal(engine_plan_some(&t->l.two, 16, &done, &e), 0);
    assert_int_equal(done, 1);
    assert_int_equal(engine_work_some(&t->l.one, 16, &done, &e), 0);
    assert_int_equal(done, 0);
    assert_int_equal(engine_work_some(&t->l.two, 16, &done, &e), 0);
    assert_int_equal(done, 1);
    json_t *a = efix_attendee(f, EV2, l->attendees[0].code);
    assert_string_equal(jsonx_str(a, "first_name"), "Evelyn");
    json_decref(a);
    store_link_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(each_link_syncs_its_own_people, setup, teardown),
        cmocka_unit_test_setup_teardown(a_hint_of_l2_is_planned_by_l2, setup, teardown),
    };
    return cmocka_run_group_tests_name("two links", tests, NULL, NULL);
}
