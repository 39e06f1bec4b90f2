/* store_contract_records.c: contract cases for links, shadows, held deletes and the audit log. */
#include "store_contract.h"

static void links_join_a_contact_to_attendees_and_a_member(void **state)
{
    sc_fixture *f = *state;
    int64_t id = 0, other = 0;
    SC_OK(store_link_create(&id, f->s, "LOC", "C1", "ada@example.com", "+15550001", SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_create(&other, f->s, "LOC", "C1", NULL, NULL, SC_E));
    SC_OK(store_link_add_attendee(f->s, id, "ORG", "EVT1", "A1", SC_E));
    SC_OK(store_link_add_attendee(f->s, id, "ORG", "EVT2", "A7", SC_E));
    SC_OK(store_link_add_attendee(f->s, id, "ORG", "EVT1", "A1", SC_E)); /* again: no-op */
    SC_OK(store_link_set_member(f->s, id, "ORG", "M9", SC_E));
    SC_OK(store_link_create(&other, f->s, "LOC", "C2", "ada@example.com", NULL, SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_add_attendee(f->s, other, "ORG", "EVT1", "A1", SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_set_member(f->s, other, "ORG", "M9", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_add_attendee(f->s, 9999, "ORG", "EVT1", "A2", SC_E));

    store_link *l = NULL;
    SC_OK(store_link_by_attendee(&l, f->s, "ORG", "EVT2", "A7", SC_E));
    assert_int_equal(l->id, id);
    assert_string_equal(l->location_id, "LOC");
    assert_string_equal(l->contact_id, "C1");
    assert_string_equal(l->member_org, "ORG");
    assert_string_equal(l->member_code, "M9");
    assert_string_equal(l->email_norm, "ada@example.com");
    assert_string_equal(l->phone, "+15550001");
    assert_int_equal(l->n_attendees, 2);
    assert_string_equal(l->attendees[0].event, "EVT1");
    assert_string_equal(l->attendees[1].code, "A7");
    assert_int_equal(l->unlinked_ms, 0);
    assert_null(l->unlink_reason);
    store_link_free(l);
    SC_OK(store_link_by_contact(&l, f->s, "LOC", "C1", SC_E));
    assert_int_equal(l->id, id);
    store_link_free(l);
    SC_OK(store_link_by_member(&l, f->s, "ORG", "M9", SC_E));
    assert_int_equal(l->id, id);
    store_link_free(l);
    SC_FAILS(ERR_NOT_FOUND, store_link_by_contact(&l, f->s, "LOC", "C3", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_by_attendee(&l, f->s, "ORG", "EVT3", "A1", SC_E));

    store_links by_email;
    SC_OK(store_link_by_email(&by_email, f->s, "ada@example.com", SC_E));
    assert_int_equal(by_email.n, 2); /* ambiguous: the caller reports it */
    assert_int_equal(by_email.v[0].id, id);
    assert_int_equal(by_email.v[0].n_attendees, 2);
    assert_int_equal(by_email.v[1].id, other);
    store_links_free(&by_email);
    SC_OK(store_link_set_keys(f->s, other, "bob@example.com", NULL, SC_E));
    SC_OK(store_link_by_email(&by_email, f->s, "ada@example.com", SC_E));
    assert_int_equal(by_email.n, 1);
    store_links_free(&by_email);
    SC_OK(store_link_set_member(f->s, id, NULL, NULL, SC_E));
    SC_OK(store_link_set_member(f->s, other, "ORG", "M9", SC_E)); /* free again */
}

static void links_unlink_with_reason(void **state)
{
    sc_fixture *f = *state;
    int64_t id = 0, id2 = 0;
    SC_OK(store_link_create(&id, f->s, "LOC", "C1", "x@example.com", NULL, SC_E));
    SC_OK(store_link_add_attendee(f->s, id, "ORG", "E1", "A1", SC_E));
    SC_OK(store_link_add_attendee(f->s, id, "ORG", "E2", "A2", SC_E));
    clock_fake_advance(&f->clock, 100);
    SC_OK(store_link_unlink_attendee(f->s, "ORG", "E1", "A1", "attendee deleted", SC_E));
    SC_FAILS(ERR_NOT_FOUND,
             store_link_unlink_attendee(f->s, "ORG", "E1", "A1", "attendee deleted", SC_E));
    store_link *l = NULL;
    SC_FAILS(ERR_NOT_FOUND, store_link_by_attendee(&l, f->s, "ORG", "E1", "A1", SC_E));
    SC_OK(store_link_get(&l, f->s, id, SC_E));
    assert_int_equal(l->n_attendees, 1);
    assert_string_equal(l->attendees[0].code, "A2");
    assert_int_equal(l->updated_ms, SC_T0 + 100);
    store_link_free(l);

    SC_OK(store_link_unlink(f->s, id, "contact deleted in HighLevel", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_unlink(f->s, id, "again", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_by_contact(&l, f->s, "LOC", "C1", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_by_attendee(&l, f->s, "ORG", "E2", "A2", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_add_attendee(f->s, id, "ORG", "E3", "A3", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_set_keys(f->s, id, NULL, NULL, SC_E));
    SC_OK(store_link_get(&l, f->s, id, SC_E)); /* history stays readable */
    assert_int_equal(l->unlinked_ms, SC_T0 + 100);
    assert_string_equal(l->unlink_reason, "contact deleted in HighLevel");
    assert_int_equal(l->n_attendees, 0);
    store_link_free(l);
    SC_FAILS(ERR_NOT_FOUND, store_link_get(&l, f->s, id + 50, SC_E));

    SC_OK(store_link_create(&id2, f->s, "LOC", "C1", NULL, NULL, SC_E)); /* linked anew */
    SC_OK(store_link_add_attendee(f->s, id2, "ORG", "E2", "A2", SC_E));
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.links, 1);
}

static void shadows_are_versioned(void **state)
{
    sc_fixture *f = *state;
    int64_t v = 0;
    store_shadow *sh = NULL;
    SC_FAILS(ERR_NOT_FOUND, store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:1", SC_E));
    SC_OK(store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{\"a\":1}", "h1", 0, SC_E));
    assert_int_equal(v, 1);
    SC_FAILS(ERR_CONFLICT,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{\"a\":2}", "h2", 0, SC_E));
    SC_OK(store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{\"a\":2}", "h2", 1, SC_E));
    assert_int_equal(v, 2);
    SC_FAILS(ERR_CONFLICT,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{\"a\":3}", NULL, 1, SC_E));
    clock_fake_advance(&f->clock, 7);
    SC_OK(store_shadow_put(NULL, f->s, "ghl", "ghl:contact:L:1", "{\"a\":3}", NULL, -1, SC_E));
    SC_OK(store_shadow_put(&v, f->s, "pheedloop", "ghl:contact:L:1", "[]", "p", -1, SC_E));
    assert_int_equal(v, 1); /* sides are separate */
    SC_FAILS(ERR_INVALID,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{oops", NULL, -1, SC_E));
    SC_OK(store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:1", SC_E));
    assert_string_equal(sh->side, "ghl");
    assert_string_equal(sh->record_key, "ghl:contact:L:1");
    assert_string_equal(sh->body, "{\"a\":3}");
    assert_null(sh->hash);
    assert_int_equal(sh->version, 3);
    assert_int_equal(sh->updated_ms, SC_T0 + 7);
    store_shadow_free(sh);
    SC_OK(store_shadow_delete(f->s, "ghl", "ghl:contact:L:1", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:1", SC_E));
    SC_OK(store_shadow_get(&sh, f->s, "pheedloop", "ghl:contact:L:1", SC_E));
    store_shadow_free(sh);
}

static void held_deletes_wait_for_a_decision(void **state)
{
    sc_fixture *f = *state;
    store_held_new h = {"reconcile-7",
                        "ghl",
                        "ghl:contact:L:1",
                        3,
                        "missing from full scan",
                        "{\"action\":\"delete\"}"};
    int64_t a = 0, b = 0, again = 0;
    bool dup = true;
    SC_OK(store_held_create(&a, &dup, f->s, &h, SC_E));
    assert_false(dup);
    SC_OK(store_held_create(&again, &dup, f->s, &h, SC_E));
    assert_true(dup);
    assert_int_equal(again, a);
    h.record_key = "ghl:contact:L:2";
    h.batch = NULL;
    h.link_id = 0;
    SC_OK(store_held_create(&b, NULL, f->s, &h, SC_E));

    store_helds list;
    SC_OK(store_held_list(&list, f->s, STORE_HELD_PENDING, 0, 10, SC_E));
    assert_int_equal(list.n, 2);
    assert_int_equal(list.v[0].id, a);
    assert_string_equal(list.v[0].batch, "reconcile-7");
    assert_string_equal(list.v[0].side, "ghl");
    assert_string_equal(list.v[0].record_key, "ghl:contact:L:1");
    assert_int_equal(list.v[0].link_id, 3);
    assert_string_equal(list.v[0].reason, "missing from full scan");
    assert_string_equal(list.v[0].payload, "{\"action\":\"delete\"}");
    assert_int_equal(list.v[0].state, STORE_HELD_PENDING);
    assert_null(list.v[0].decided_by);
    assert_null(list.v[1].batch);
    store_helds_free(&list);

    clock_fake_advance(&f->clock, 60000);
    SC_OK(store_held_approve(f->s, a, "ops@example.com", SC_E));
    SC_FAILS(ERR_BAD_STATE, store_held_reject(f->s, a, "ops@example.com", SC_E));
    SC_OK(store_held_reject(f->s, b, "cli", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_held_approve(f->s, b + 100, "cli", SC_E));
    SC_OK(store_held_list(&list, f->s, STORE_HELD_PENDING, 0, 10, SC_E));
    assert_int_equal(list.n, 0);
    store_helds_free(&list);
    SC_OK(store_held_list(&list, f->s, STORE_HELD_APPROVED, 0, 10, SC_E));
    assert_int_equal(list.n, 1);
    assert_string_equal(list.v[0].decided_by, "ops@example.com");
    assert_int_equal(list.v[0].decided_ms, SC_T0 + 60000);
    store_helds_free(&list);
    SC_OK(store_held_list(&list, f->s, -1, a, 10, SC_E));
    assert_int_equal(list.n, 1);
    assert_int_equal(list.v[0].state, STORE_HELD_REJECTED);
    store_helds_free(&list);
    SC_OK(store_held_create(&again, &dup, f->s, &h, SC_E)); /* decided: a new one may be held */
    assert_false(dup);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.held_pending, 1);
}

static void audit_log_by_person(void **state)
{
    sc_fixture *f = *state;
    store_audit_new a = {"link:1",
                         "pheedloop_to_ghl",
                         "[\"firstName\"]",
                         "{\"firstName\":\"A\"}",
                         "{\"firstName\":\"B\"}",
                         "one side changed"};
    int64_t first = 0, id = 0;
    SC_OK(store_audit_append(&first, f->s, &a, SC_E));
    a.person_key = "link:2";
    SC_OK(store_audit_append(&id, f->s, &a, SC_E));
    clock_fake_advance(&f->clock, 10);
    a.person_key = "link:1";
    a.direction = "decision";
    a.before = NULL;
    a.after = NULL;
    a.reason = "owner=highlevel";
    SC_OK(store_audit_append(NULL, f->s, &a, SC_E));
    a.fields = "not json";
    SC_FAILS(ERR_INVALID, store_audit_append(NULL, f->s, &a, SC_E));

    store_audit_entries list;
    SC_OK(store_audit_by_person(&list, f->s, "link:1", 0, 10, SC_E));
    assert_int_equal(list.n, 2);
    assert_int_equal(list.v[0].id, first);
    assert_int_equal(list.v[0].at_ms, SC_T0);
    assert_string_equal(list.v[0].person_key, "link:1");
    assert_string_equal(list.v[0].direction, "pheedloop_to_ghl");
    assert_string_equal(list.v[0].fields, "[\"firstName\"]");
    assert_string_equal(list.v[0].before, "{\"firstName\":\"A\"}");
    assert_string_equal(list.v[0].after, "{\"firstName\":\"B\"}");
    assert_string_equal(list.v[0].reason, "one side changed");
    assert_null(list.v[1].before);
    assert_string_equal(list.v[1].reason, "owner=highlevel");
    assert_int_equal(list.v[1].at_ms, SC_T0 + 10);
    int64_t last = list.v[1].id;
    store_audit_entries_free(&list);
    SC_OK(store_audit_by_person(&list, f->s, "link:1", first, 1, SC_E));
    assert_int_equal(list.n, 1);
    assert_int_equal(list.v[0].id, last);
    store_audit_entries_free(&list);
    SC_OK(store_audit_by_person(&list, f->s, "nobody", 0, 10, SC_E));
    assert_int_equal(list.n, 0);
    store_audit_entries_free(&list);
}

/* A refused write inside the caller's transaction fails alone: the caller's other work
 * commits (PostgreSQL aborts a whole transaction on a failed statement unless it is fenced). */
static void refused_writes_keep_the_transaction(void **state)
{
    sc_fixture *f = *state;
    int64_t v = 0;
    SC_OK(store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{}", NULL, 0, SC_E));
    store_audit_new a = {"link:1", "decision", "not json", NULL, NULL, "owner=highlevel"};
    store_held_new h = {NULL, "ghl", "ghl:contact:L:1", 0, "missing", "{oops"};
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_cursor_put(f->s, "before", "1", SC_E));
    SC_FAILS(ERR_CONFLICT,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{}", NULL, 0, SC_E));
    SC_FAILS(ERR_CONFLICT,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:2", "{}", NULL, 3, SC_E));
    SC_FAILS(ERR_INVALID,
             store_shadow_put(&v, f->s, "ghl", "ghl:contact:L:1", "{oops", NULL, -1, SC_E));
    SC_FAILS(ERR_INVALID, store_audit_append(NULL, f->s, &a, SC_E));
    SC_FAILS(ERR_INVALID, store_held_create(&v, NULL, f->s, &h, SC_E));
    SC_OK(store_cursor_put(f->s, "after", "2", SC_E));
    SC_OK(store_commit(f->s, SC_E));
    char *c = NULL;
    SC_OK(store_cursor_get(&c, f->s, "before", SC_E));
    free(c);
    SC_OK(store_cursor_get(&c, f->s, "after", SC_E));
    free(c);
    store_shadow *sh = NULL;
    SC_FAILS(ERR_NOT_FOUND, store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:2", SC_E));
    SC_OK(store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:1", SC_E));
    assert_int_equal(sh->version, 1);
    store_shadow_free(sh);
}

const sc_case sc_record_cases[] = {
    {"links_join_a_contact_to_attendees_and_a_member",
     links_join_a_contact_to_attendees_and_a_member},
    {"links_unlink_with_reason", links_unlink_with_reason},
    {"shadows_are_versioned", shadows_are_versioned},
    {"held_deletes_wait_for_a_decision", held_deletes_wait_for_a_decision},
    {"audit_log_by_person", audit_log_by_person},
    {"refused_writes_keep_the_transaction", refused_writes_keep_the_transaction},
    {NULL, NULL},
};
