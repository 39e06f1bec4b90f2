/* test_flow_tags_rules.c: flow F3 (tag deltas both ways, event tags as the event spells them,
 * other tags kept in metadata, the set never replaced, each write audited as the tags added
 * and removed) and F6 (rules: tag new sign-ups,
 * onboarding tasks, notes on a tag, announcements on check-in; each fires once). */
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void contact_tags(efix *f, const char *id, const char *method, const char *tags)
{
    char path[256], body[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tags", id);
    snprintf(body, sizeof body, "{\"tags\": %s}", tags);
    json_decref(efix_admin(f, true, method, path, body));
    char key[ENGINE_KEY_MAX];
    efix_key_ghl(f, key, id);
    efix_hint(f, "ghl", "ContactTagUpdate", key, NULL);
    efix_pass_live(f);
}

static bool contact_has(efix *f, const char *id, const char *tag)
{
    json_t *c = efix_contact(f, id);
    bool has = jsonx_array_has_str(json_object_get(c, "tags"), tag);
    json_decref(c);
    return has;
}

/* The tag change ({added, removed}) of the person's latest audit entry that has one in this
 * direction; *before (may be NULL) its before's tag set. New references; NULL when none. */
static json_t *last_tag_change(efix *f, const char *id, const char *direction, json_t **before)
{
    store_audit_entries list = {0};
    efix_audit_of_contact(&list, f, id);
    json_t *change = NULL;
    for (size_t i = list.n; !change && i-- > 0;) {
        const store_audit_entry *a = &list.v[i];
        json_t *after = a->after ? json_loads(a->after, 0, NULL) : NULL;
        if (!strcmp(a->direction, direction) && json_is_object(json_object_get(after, "tags"))) {
            change = json_incref(json_object_get(after, "tags"));
            assert_non_null(strstr(a->fields, "\"tags\""));
            json_t *b = a->before ? json_loads(a->before, 0, NULL) : NULL;
            if (before)
                *before = json_incref(json_object_get(b, "tags"));
            json_decref(b);
        }
        json_decref(after);
    }
    store_audit_entries_free(&list);
    return change;
}

static void assert_tag_change(efix *f, const char *id, const char *direction, const char *want)
{
    json_t *change = last_tag_change(f, id, direction, NULL);
    assert_non_null(change);
    json_t *w = json_loads(want, 0, NULL);
    if (!json_equal(change, w)) {
        char *got = json_dumps(change, JSON_COMPACT);
        fail_msg("%s: tag change %s, expected %s", direction, got, want);
    }
    json_decref(w);
    json_decref(change);
}

static void test_f3_tags_both_ways(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 41};
    efix *f = efix_start(&o);
    json_decref(
        efix_admin(f, false, "POST", "/_sandbox/events/" EV1 "/tags", "{\"name\": \"Speaker\"}"));
    json_decref(
        efix_admin(f, false, "POST", "/_sandbox/events/" EV1 "/tags", "{\"name\": \"Workshop\"}"));
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);

    /* HighLevel to PheedLoop: a tag the event lacks lands in metadata, one it has in tags. */
    contact_tags(f, id, "POST", "[\"vip\", \"speaker\"]");
    json_t *a = efix_attendee(f, EV1, code);
    assert_true(
        jsonx_array_has_str(jsonx_path(json_object_get(a, "metadata"), "highlevel.tags"), "vip"));
    assert_true(jsonx_array_has_str(json_object_get(a, "tags"), "Speaker"));
    json_decref(a);
    /* The audit log says what was added and removed, and what the set was before. */
    json_t *before = NULL;
    json_t *change = last_tag_change(f, id, "ghl_to_pheedloop", &before);
    json_decref(change);
    assert_tag_change(f, id, "ghl_to_pheedloop",
                      "{\"added\": [\"speaker\", \"vip\"], \"removed\": []}");
    assert_true(json_is_array(before) && !jsonx_array_has_str(before, "vip"));
    json_decref(before);
    contact_tags(f, id, "DELETE", "[\"vip\"]");
    assert_tag_change(f, id, "ghl_to_pheedloop", "{\"added\": [], \"removed\": [\"vip\"]}");
    a = efix_attendee(f, EV1, code);
    assert_false(
        jsonx_array_has_str(jsonx_path(json_object_get(a, "metadata"), "highlevel.tags"), "vip"));
    assert_true(jsonx_array_has_str(json_object_get(a, "tags"), "Speaker"));
    json_decref(a);

    /* PheedLoop to HighLevel: added and removed one by one; the others stay. */
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", EV1, code);
    json_decref(efix_admin(f, false, "PATCH", path, "{\"tags\": [\"Speaker\", \"Workshop\"]}"));
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    efix_pass_live(f);
    assert_true(contact_has(f, id, "workshop"));
    assert_true(contact_has(f, id, "speaker"));
    assert_true(contact_has(f, id, "event:evesandbox1"));
    assert_tag_change(f, id, "pheedloop_to_ghl", "{\"added\": [\"workshop\"], \"removed\": []}");
    json_decref(efix_admin(f, false, "PATCH", path, "{\"tags\": [\"Workshop\"]}"));
    efix_hint_attendee(f, "attendee.updated", EV1, code);
    efix_pass_live(f);
    assert_tag_change(f, id, "pheedloop_to_ghl", "{\"added\": [], \"removed\": [\"speaker\"]}");
    assert_false(contact_has(f, id, "speaker"));
    assert_true(contact_has(f, id, "workshop"));
    assert_true(contact_has(f, id, "event:evesandbox1"));
    free(id);
    free(code);
    efix_stop(f);
}

#define RULES                                                                                      \
    "[rule \"vip-onboarding\"]\nwhen = pheedloop.attendee.created\n"                               \
    "if = ticket_name == \"VIP Pass\"\n"                                                           \
    "then = ghl.add_tag vip-guest; ghl.create_task \"Call {first_name}\" due=+3d\n\n"              \
    "[rule \"hot-lead\"]\nwhen = ghl.contact.tag_added\nif = tag == \"hot\"\n"                     \
    "then = ghl.add_note \"Hot lead: {first_name}\"; ghl.remove_tag cold\n\n"                      \
    "[rule \"welcome\"]\nwhen = pheedloop.attendee.checked_in\n"                                   \
    "then = pheedloop.announce \"Welcome {first_name}\"\n"

static size_t count_named(json_t *list, const char *member, const char *value)
{
    size_t n = 0, i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *v = jsonx_str(it, member);
        n += v && strcmp(v, value) == 0;
    }
    return n;
}

static json_t *ghl_list(efix *f, const char *what, const char *id)
{
    json_t *st = efix_admin(f, true, "GET", "/_sandbox/state", NULL);
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(st, what), i, it)
    {
        if (jsonx_str(it, "contactId") && strcmp(jsonx_str(it, "contactId"), id) == 0)
            json_array_append(out, it);
    }
    json_decref(st);
    return out;
}

static void test_f6_rules(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 43, .extra_config = RULES};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    /* A VIP sign-up: tagged, and an onboarding task; the webhook delivered twice fires once. */
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/register", EV1);
    json_t *a = efix_admin(f, false, "POST", path,
                           "{\"first_name\": \"Grace\", \"last_name\": \"Hopper\", \"email\": "
                           "\"grace@navy.example\", \"ticket_name\": \"VIP Pass\"}");
    char *code = strdup(jsonx_str(a, "code"));
    json_decref(a);
    efix_hint_attendee(f, "attendee.created", EV1, code);
    efix_pass_live(f);
    efix_hint_attendee(f, "attendee.created", EV1, code);
    efix_pass_live(f);
    json_t *contacts = efix_contacts(f);
    json_t *c = efix_find_email(contacts, "grace@navy.example");
    assert_non_null(c);
    char *id = strdup(jsonx_str(c, "id"));
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "vip-guest"));
    json_decref(contacts);
    json_t *tasks = ghl_list(f, "tasks", id);
    assert_int_equal(count_named(tasks, "title", "Call Grace"), 1);
    json_decref(tasks);

    /* A tag added in HighLevel fires its rule. */
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tags", id);
    json_decref(efix_admin(f, true, "POST", path, "{\"tags\": [\"hot\"]}"));
    char key[ENGINE_KEY_MAX];
    efix_key_ghl(f, key, id);
    efix_hint(f, "ghl", "ContactTagUpdate", key, NULL);
    efix_pass_live(f);
    json_t *notes = ghl_list(f, "notes", id);
    assert_int_equal(count_named(notes, "body", "Hot lead: Grace"), 1);
    json_decref(notes);
    /* The rule's tag change is audited as what it removed. */
    assert_tag_change(f, id, "pheedloop_to_ghl", "{\"added\": [], \"removed\": [\"cold\"]}");

    /* A check-in sends the attendee an announcement. */
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/checkin/%s", EV1, code);
    json_decref(efix_admin(f, false, "POST", path, "{}"));
    efix_hint_attendee(f, "checkin.created", EV1, code);
    efix_pass_live(f);
    json_t *st = efix_admin(f, false, "GET", "/_sandbox/state", NULL);
    size_t found = 0, i, k;
    json_t *ev, *an;
    json_array_foreach(json_object_get(st, "events"), i, ev)
    {
        json_array_foreach(json_object_get(ev, "announcements"), k, an)
        {
            found += jsonx_array_has_str(json_object_get(an, "recipients"), code) &&
                     !strcmp(jsonx_str(an, "title"), "Welcome Grace");
        }
    }
    json_decref(st);
    assert_int_equal(found, 1);
    free(id);
    free(code);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f3_tags_both_ways),
        cmocka_unit_test(test_f6_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
