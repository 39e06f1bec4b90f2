/* test_flow_people.c: flows F1 (attendees to contacts: create, update, sign-up and check-in
 * tags, organization, custom fields) and F4 (contact edits to attendees; no attendee created
 * without a rule), a conflict settled by its owner and audited, and echoes dropped with no
 * call. Changes are made as people make them (the emulators' dashboard and UI routes) and
 * handed to the engine as capture would: one hint each. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define DIETARY_FIELD                                                                              \
    "[field \"dietary\"]\nghl = contact.dietary\npheedloop = dietary_restrictions\n"

/* A custom field value of the contact holding want. */
static const char *custom_value(const json_t *contact, const char *want)
{
    size_t i;
    const json_t *cf;
    json_array_foreach(json_object_get(contact, "customFields"), i, cf)
    {
        const char *v = jsonx_str(cf, "value");
        if (v && strstr(v, want))
            return v;
    }
    return NULL;
}

static void test_f1_attendee_to_contact(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .extra_config = DIETARY_FIELD};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = efix_register(f, EV1, "Ada", "Lovelace", " Ada.Lovelace@Example.ORG ");
    efix_hint_attendee(f, "attendee.created", EV1, code);
    engine_pass_result r = efix_pass_live(f);
    assert_int_equal(r.ops_dead, 0);
    json_t *contacts = efix_contacts(f);
    json_t *c = efix_find_email(contacts, "ada.lovelace@example.org");
    assert_non_null(c);
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "event:evesandbox1"));
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "ticket:general admission"));
    char *id = strdup(jsonx_str(c, "id"));
    json_decref(contacts);

    /* An update: names, organization (companyName), a custom field by key. */
    efix_ui_edit_attendee(f, EV1, code,
                          "{\"last_name\": \"King\", \"organization\": \"Analytical Engines Ltd\", "
                          "\"dietary_restrictions\": \"vegetarian-x\"}");
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    r = efix_pass_live(f);
    if (getenv("EFIX_DEBUG"))
        fprintf(stderr, "planned %zu ops %zu dead %zu\n", r.planned, r.ops, r.ops_dead);
    c = efix_contact(f, id);
    assert_string_equal(jsonx_str(c, "lastName"), "King");
    assert_string_equal(jsonx_str(c, "companyName"), "Analytical Engines Ltd");
    assert_non_null(custom_value(c, "vegetarian-x"));
    json_decref(c);

    /* Check-in: the contact gets the check-in tag. */
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/checkin/%s", EV1, code);
    json_decref(efix_admin(f, false, "POST", path, "{}"));
    efix_hint_attendee(f, "checkin.created", EV1, code);
    efix_pass_live(f);
    c = efix_contact(f, id);
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "checked-in"));
    json_decref(c);
    efix_assert_no_duplicates(f);
    free(id);
    free(code);
    efix_stop(f);
}

/* A live sign-up whose person is already in HighLevel (under another spelling) is linked to that
 * contact, even where the location would accept a duplicate. */
static void test_f1_live_match_where_duplicates_allowed(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 6, .allow_duplicates = true};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *id = efix_ui_contact(f, "{\"firstName\": \"Mary\", \"lastName\": \"Jackson\", "
                                  "\"email\": \"mary.jackson@nasa.example\"}");
    char *code = efix_register(f, EV2, "Mary", "Jackson", "Mary.Jackson@NASA.example");
    efix_hint_attendee(f, "attendee.created", EV2, code);
    engine_pass_result r = efix_pass_live(f);
    assert_int_equal(r.ops_dead, 0);
    efix_assert_no_duplicates(f);
    store_link *l = efix_link_of_contact(f, id);
    assert_non_null(l);
    assert_int_equal(l->n_attendees, 1);
    assert_string_equal(l->attendees[0].code, code);
    store_link_free(l);
    free(id);
    free(code);
    efix_stop(f);
}

static void test_f4_contact_to_attendees(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 3};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    efix_ui_edit_contact(f, id, "{\"firstName\": \"Zed\", \"city\": \"Lisbon\"}");
    efix_hint_contact(f, "ContactUpdate", id);
    efix_pass_live(f);
    json_t *a = efix_attendee(f, EV1, code);
    assert_string_equal(jsonx_str(a, "first_name"), "Zed");
    assert_string_equal(jsonx_str(a, "address_city"), "Lisbon");
    json_decref(a);

    /* A contact of no event: no attendee is made without a rule (attendees cost credits). */
    char *lone = efix_ui_contact(f, "{\"firstName\": \"Lone\", \"email\": \"lone@example.com\"}");
    efix_reset_counters(f);
    efix_hint_contact(f, "ContactCreate", lone);
    efix_pass_live(f);
    assert_int_equal(efix_writes(f, false), 0);
    assert_null(efix_link_of_contact(f, lone));
    free(lone);
    free(id);
    free(code);
    efix_stop(f);
}

#define REGISTER_RULE                                                                              \
    "[rule \"register-summit\"]\nwhen = ghl.contact.created\nif = tags contains \"summit\"\n"      \
    "then = pheedloop.register " EV1 "\n"

static size_t welcome_emails(efix *f)
{
    json_t *st = efix_admin(f, false, "GET", "/_sandbox/state", NULL);
    size_t n = (size_t)jsonx_int(json_object_get(st, "welcome_emails"), "total", -1);
    json_decref(st);
    return n;
}

/* F4 the other way: a rule lets a contact become an attendee, silently and once. */
static void test_f4_rule_registers_contact(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 4, .extra_config = REGISTER_RULE};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    json_t *atts = efix_attendees(f, EV1);
    size_t before = json_array_size(atts);
    json_decref(atts);
    char *yes = efix_ui_contact(f, "{\"firstName\": \"Sam\", \"lastName\": \"Summit\", "
                                   "\"email\": \"sam@summit.example\", \"tags\": [\"summit\"]}");
    char *no = efix_ui_contact(f, "{\"firstName\": \"Nat\", \"lastName\": \"Nope\", "
                                  "\"email\": \"nat@nope.example\"}");
    efix_hint_contact(f, "ContactCreate", yes);
    efix_hint_contact(f, "ContactCreate", no);
    efix_pass_live(f);
    efix_hint_contact(f, "ContactCreate", yes); /* delivered twice: registered once */
    efix_pass_live(f);
    atts = efix_attendees(f, EV1);
    assert_int_equal(json_array_size(atts), before + 1);
    json_t *a = efix_find_email(atts, "sam@summit.example");
    assert_non_null(a);
    assert_string_equal(jsonx_str(a, "last_name"), "Summit");
    assert_null(efix_find_email(atts, "nat@nope.example"));
    store_link *l = efix_link_of_contact(f, yes);
    assert_non_null(l);
    assert_int_equal(l->n_attendees, 1);
    store_link_free(l);
    json_decref(atts);
    assert_int_equal(welcome_emails(f), 0);
    free(yes);
    free(no);
    efix_stop(f);
}

static bool audited_conflict(efix *f, const char *contact_id, const char *field)
{
    store_audit_entries list = {0};
    efix_audit_of_contact(&list, f, contact_id);
    bool found = false;
    for (size_t i = 0; i < list.n; i++) {
        const store_audit_entry *a = &list.v[i];
        found |= strstr(a->fields, field) && strstr(a->reason, "conflict") &&
                 strstr(a->reason, "owner = highlevel") && a->before && a->after;
    }
    store_audit_entries_free(&list);
    return found;
}

static void test_conflict_settled_by_owner_and_audited(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true,
                   .people = 20,
                   .seed = 5,
                   .extra_config = "[field \"first_name\"]\nghl = firstName\n"
                                   "pheedloop = first_name\nowner = highlevel\ntransform = trim\n"};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    efix_ui_edit_contact(f, id, "{\"firstName\": \"Gina\"}");
    efix_ui_edit_attendee(f, EV1, code, "{\"first_name\": \"Gabriella\"}");
    /* PheedLoop's change is seen last: "newest" would pick it; the owner says HighLevel. */
    efix_hint_contact(f, "ContactUpdate", id);
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    efix_pass_live(f);
    json_t *a = efix_attendee(f, EV1, code), *c = efix_contact(f, id);
    assert_string_equal(jsonx_str(a, "first_name"), "Gina");
    assert_string_equal(jsonx_str(c, "firstName"), "Gina");
    assert_true(audited_conflict(f, id, "first_name"));
    json_decref(a);
    json_decref(c);
    free(id);
    free(code);
    efix_stop(f);
}

static void test_echoes_cost_no_call(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 9};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    efix_ui_edit_attendee(f, EV1, code,
                          "{\"title\": \"Chief Echo Officer\", \"last_name\": \"Echo\"}");
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    efix_pass_live(f); /* writes the contact */
    /* Our own write comes back, as HighLevel's webhook would bring it, and the attendee's too. */
    efix_reset_counters(f);
    efix_hint_contact(f, "ContactUpdate", id);
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    engine_pass_result r = efix_pass_live(f);
    assert_true(r.drained);
    assert_int_equal(efix_requests(f, true), 0);
    assert_int_equal(efix_requests(f, false), 0);
    free(id);
    free(code);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f1_attendee_to_contact),
        cmocka_unit_test(test_f1_live_match_where_duplicates_allowed),
        cmocka_unit_test(test_f4_contact_to_attendees),
        cmocka_unit_test(test_f4_rule_registers_contact),
        cmocka_unit_test(test_conflict_settled_by_owner_and_audited),
        cmocka_unit_test(test_echoes_cost_no_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
