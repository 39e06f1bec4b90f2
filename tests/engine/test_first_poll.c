/* test_first_poll.c: the pollers' first round after a full sync hands back every record the
 * sync wrote; the planner recognises them from the records the hints carry, so planning them
 * makes no call at all. A real edit made during or after the sync is still carried across by
 * the poll, task edits that only the activity walk sees are still mirrored, and a listing that
 * shows less than the record is read again, never taken for an echo or for a change. */
#include "tests/engine/efix.h"
#include "engine/poller.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Every poller once; the hints of the contact search and of the registrations. */
static void poll_round(efix *f, size_t *contact_hints, size_t *registration_hints)
{
    poller_options o = {0};
    poller_result r = {0};
    err e = {0};
    assert_int_equal(poller_ghl_contacts(&r, &f->en, &o, &e), 0);
    if (contact_hints)
        *contact_hints = r.hints;
    assert_int_equal(poller_ghl_tasks(&r, &f->en, &o, &e), 0);
    size_t regs = 0;
    for (size_t i = 0; f->events[i]; i++) {
        assert_int_equal(poller_pl_registrations(&r, &f->en, f->events[i], &o, &e), 0);
        regs += r.hints;
        assert_int_equal(poller_pl_attendees(&r, &f->en, f->events[i], &o, &e), 0);
    }
    if (registration_hints)
        *registration_hints = regs;
}

static int64_t newest_audit(efix *f)
{
    store_audit_entries l = {0};
    err e = {0};
    assert_int_equal(store_audit_recent(&l, f->store, 0, 1, &e), 0);
    int64_t id = l.n ? l.v[0].id : 0;
    store_audit_entries_free(&l);
    return id;
}

static void test_first_poll_after_full_sync_costs_no_call(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 40, .seed = 5};
    efix *f = efix_start(&o);
    engine_pass_result r = efix_pass(f, true);
    assert_true(r.drained);
    assert_true(r.ops > 0); /* the sync wrote: its writes are what the polls see */
    int64_t audit = newest_audit(f);

    size_t contacts = 0, regs = 0;
    poll_round(f, &contacts, &regs);
    assert_true(contacts > 0); /* the contacts the sync wrote came back as hints ... */
    assert_true(regs > 0);     /* ... and so did the registrations of the attendees it wrote */
    efix_reset_counters(f);
    r = efix_pass_live(f);
    assert_true(r.drained);
    assert_true(r.planned >= contacts);
    assert_int_equal(r.ops, 0);
    assert_int_equal(efix_requests(f, true), 0); /* no GET of a contact, nothing else either */
    assert_int_equal(efix_requests(f, false), 0);
    assert_int_equal(newest_audit(f), audit);

    /* The round after: only what the pollers themselves read. */
    poll_round(f, NULL, NULL);
    efix_reset_counters(f);
    r = efix_pass_live(f);
    assert_int_equal(r.ops, 0);
    assert_int_equal(efix_requests(f, true) + efix_requests(f, false), 0);
    efix_stop(f);
}

typedef struct during {
    efix *f;
    const char *code;
    bool done;
} during;

/* At the first progress of the pass's sync phase (the scan is read, writes have begun): the
 * attendee's organization is changed in PheedLoop's dashboard. */
static void edit_during(void *ctx, const engine_progress *p)
{
    during *d = ctx;
    if (d->done || strcmp(p->phase, "sync") != 0)
        return;
    d->done = true;
    efix_ui_edit_attendee(d->f, EV1, d->code, "{\"organization\": \"Mid-Pass Industries\"}");
}

static void test_real_edits_are_carried_by_the_poll(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 30, .seed = 6};
    efix *f = efix_start(&o);
    /* Only in PheedLoop when the sync starts: the sync creates its contact. */
    char *fresh = efix_register(f, EV1, "Mira", "Passwell", "mira.passwell@example.org");
    during d = {.f = f, .code = fresh};
    engine_pass_opts po = {.full = true,
                           .progress = edit_during,
                           .progress_ctx = &d,
                           .deadline_ms = clock_mono_ms(clock_system()) + 120000};
    engine_pass_result r = {0};
    err e = {0};
    assert_int_equal(engine_pass(&r, &f->en, &po, &e), 0);
    assert_true(d.done);

    /* After the sync: a contact's last name in HighLevel, an attendee's title in PheedLoop. */
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    efix_ui_edit_contact(f, id, "{\"lastName\": \"Afterpoll\"}");
    char *code2 = NULL;
    char *id2 = efix_linked_pair(f, EV2, &code2);
    if (!strcmp(id2, id)) {
        free(id2);
        free(code2);
        id2 = NULL;
    }
    if (id2)
        efix_ui_edit_attendee(f, EV2, code2, "{\"last_name\": \"Fromregistration\"}");

    poll_round(f, NULL, NULL);
    r = efix_pass_live(f);
    assert_true(r.drained);
    assert_int_equal(r.ops_dead, 0);

    json_t *a = efix_attendee(f, EV1, code);
    assert_string_equal(jsonx_str(a, "last_name"), "Afterpoll");
    json_decref(a);
    if (id2) {
        json_t *c = efix_contact(f, id2);
        assert_string_equal(jsonx_str(c, "lastName"), "Fromregistration");
        json_decref(c);
    }
    json_t *contacts = efix_contacts(f);
    json_t *c = efix_find_email(contacts, "mira.passwell@example.org");
    assert_non_null(c);
    assert_string_equal(jsonx_str(c, "companyName"), "Mid-Pass Industries");
    json_decref(contacts);
    free(fresh);
    free(id);
    free(code);
    free(id2);
    free(code2);
    efix_stop(f);
}

static const json_t *task_titled(const json_t *att, const char *id)
{
    size_t i;
    const json_t *t;
    json_array_foreach(jsonx_path(json_object_get(att, "metadata"), "highlevel.tasks"), i, t)
    {
        if (jsonx_str(t, "id") && !strcmp(jsonx_str(t, "id"), id))
            return t;
    }
    return NULL;
}

static void test_task_edits_are_still_caught(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 7};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks", id);
    json_t *ans = efix_admin(f, true, "POST", path,
                             "{\"title\": \"Print the badge\", \"dueDate\": "
                             "\"2030-01-01T10:00:00Z\", \"completed\": false}");
    json_t *task = json_object_get(ans, "task") ? json_object_get(ans, "task") : ans;
    char tid[64];
    snprintf(tid, sizeof tid, "%s", jsonx_str(task, "id"));
    json_decref(ans);
    poll_round(f, NULL, NULL); /* the task walk's first look only records */
    efix_pass_live(f);

    /* HighLevel sends nothing for a task edit and leaves the contact's dateUpdated alone. */
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks/%s", id, tid);
    json_decref(efix_admin(f, true, "PATCH", path, "{\"title\": \"Print the gold badge\"}"));
    poll_round(f, NULL, NULL);
    engine_pass_result r = efix_pass_live(f);
    assert_true(r.drained);
    assert_true(r.ops > 0);
    json_t *a = efix_attendee(f, EV1, code);
    const json_t *t = task_titled(a, tid);
    assert_non_null(t);
    assert_string_equal(jsonx_str(t, "title"), "Print the gold badge");
    json_decref(a);
    free(id);
    free(code);
    efix_stop(f);
}

static bool contact_has_tag(efix *f, const char *code, const char *tag)
{
    store_link *l = NULL;
    err e = {0};
    assert_int_equal(store_link_by_attendee(&l, f->store, f->org, EV1, code, &e), 0);
    json_t *c = efix_contact(f, l->contact_id);
    store_link_free(l);
    assert_non_null(c);
    bool has = jsonx_array_has_str(json_object_get(c, "tags"), tag);
    json_decref(c);
    return has;
}

/* An event tag taken off an attendee in PheedLoop: the registration shows the attendee's own
 * tags only (the others are kept in metadata), and the missing event tag is a change. */
static void test_event_tag_removed_is_carried(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 12};
    efix *f = efix_start(&o);
    json_decref(
        efix_admin(f, false, "POST", "/_sandbox/events/" EV1 "/tags", "{\"name\": \"Workshop\"}"));
    json_t *atts = efix_attendees(f, EV1);
    char *code = strdup(jsonx_str(json_array_get(atts, 0), "code"));
    json_decref(atts);
    efix_ui_edit_attendee(f, EV1, code, "{\"tags\": [\"Workshop\"]}");
    efix_pass(f, true);
    assert_true(contact_has_tag(f, code, "workshop"));

    efix_ui_edit_attendee(f, EV1, code, "{\"tags\": []}");
    poll_round(f, NULL, NULL);
    engine_pass_result r = efix_pass_live(f);
    assert_true(r.drained);
    assert_false(contact_has_tag(f, code, "workshop"));
    free(code);
    efix_stop(f);
}

/* A poll hint carrying the contact as a listing shows it (payload: the record as given). */
static engine_pass_result poll_hint(efix *f, const char *key, const json_t *ct)
{
    char *text = jsonx_dumps(ct);
    efix_hint(f, "poller", "poll", key, text);
    free(text);
    efix_reset_counters(f);
    return efix_pass_live(f);
}

static void test_listing_short_of_a_field_is_read_again(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 20, .seed = 8};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    char key[ENGINE_KEY_MAX];
    efix_key_ghl(f, key, id);
    json_t *ct = efix_contact(f, id);
    assert_non_null(jsonx_str(ct, "address1"));
    json_t *before = efix_attendee(f, EV1, code);

    /* The whole record, as synced: nothing to do. */
    engine_pass_result r = poll_hint(f, key, ct);
    assert_true(r.drained);
    assert_int_equal(efix_requests(f, true) + efix_requests(f, false), 0);

    /* Without address1, which HighLevel's search results may not carry: read again, and since
     * nothing changed, nothing written. */
    json_t *short1 = json_deep_copy(ct);
    json_object_del(short1, "address1");
    r = poll_hint(f, key, short1);
    assert_true(r.drained);
    assert_true(efix_requests(f, true) > 0);
    assert_int_equal(efix_writes(f, true) + efix_writes(f, false), 0);
    assert_int_equal(r.ops, 0);

    /* Without lastName, which a search result carries when set: a change (emptied), so read
     * again; the record says otherwise, so nothing is emptied anywhere. */
    json_t *short2 = json_deep_copy(ct);
    json_object_del(short2, "lastName");
    r = poll_hint(f, key, short2);
    assert_true(efix_requests(f, true) > 0);
    assert_int_equal(efix_writes(f, true) + efix_writes(f, false), 0);
    json_t *after = efix_attendee(f, EV1, code);
    assert_true(json_equal(before, after));

    json_decref(short1);
    json_decref(short2);
    json_decref(before);
    json_decref(after);
    json_decref(ct);
    free(id);
    free(code);
    efix_stop(f);
}

/* A change to a field HighLevel's search results do not show: the listing, which cannot show
 * it, equals the shadow in every field it shows, and is still not taken for an echo. */
static void test_change_the_listing_cannot_show_is_read(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true,
                   .people = 20,
                   .seed = 10,
                   .extra_config = "[field \"site\"]\nghl = website\npheedloop = linkedin\n"};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    char key[ENGINE_KEY_MAX];
    efix_key_ghl(f, key, id);
    efix_ui_edit_contact(f, id, "{\"website\": \"https://example.org/kept\"}");
    json_t *listed = efix_contact(f, id);
    json_object_del(listed, "website");
    engine_pass_result r = poll_hint(f, key, listed);
    assert_true(r.drained);
    json_t *a = efix_attendee(f, EV1, code);
    assert_string_equal(jsonx_str(a, "linkedin"), "https://example.org/kept");
    json_decref(a);
    json_decref(listed);
    free(id);
    free(code);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_poll_after_full_sync_costs_no_call),
        cmocka_unit_test(test_real_edits_are_carried_by_the_poll),
        cmocka_unit_test(test_task_edits_are_still_caught),
        cmocka_unit_test(test_listing_short_of_a_field_is_read_again),
        cmocka_unit_test(test_change_the_listing_cannot_show_is_read),
        cmocka_unit_test(test_event_tag_removed_is_carried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
