/* store_contract_links.c: contract cases for several links sharing one store: hints and
 * operations belong to a link, and a handle bound to one claims and counts only its own. */
#include "store_contract.h"

static void hint(store *s, const char *key, const char *link)
{
    store_hint_new h = {
        .source = "ghl", .kind = "ContactUpdate", .record_key = key, .payload = "{}", .link = link};
    SC_OK(store_inbox_append(NULL, s, &h, SC_E));
}

static void op(store *s, const char *key, const char *idem, const char *link)
{
    store_op_new o = {.service = "ghl",
                      .account = "L",
                      .kind = "ghl.update_contact",
                      .record_key = key,
                      .payload = "{}",
                      .idem_key = idem,
                      .link = link};
    int64_t id = 0;
    SC_OK(store_outbox_enqueue(&id, NULL, s, &o, SC_E));
}

static store *bound(sc_fixture *f, const char *link)
{
    store *s = sc_open(f);
    SC_OK(store_bind_link(s, link, SC_E));
    assert_string_equal(store_bound_link(s), link);
    return s;
}

static void inbox_claims_stay_in_their_link(void **state)
{
    sc_fixture *f = *state;
    store *one = bound(f, ""), *two = bound(f, "two");
    hint(f->s, "ghl:L1:A", NULL); /* an unbound handle appends to the default link */
    hint(two, "ghl:L2:B", NULL);  /* a bound one to its own */
    hint(one, "ghl:L2:C", "two"); /* unless the hint names its link */
    store_counts c;
    SC_OK(store_count(&c, two, SC_E));
    assert_int_equal(c.inbox_pending, 2);
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_pending, 3); /* unbound: every link */

    store_hints got;
    SC_OK(store_inbox_claim(&got, one, "p1", 30000, 10, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].record_key, "ghl:L1:A");
    SC_OK(store_inbox_ack(one, &got.v[0], SC_E));
    store_hints_free(&got);
    SC_OK(store_inbox_claim(&got, one, "p1", 30000, 10, SC_E));
    assert_int_equal(got.n, 0); /* the other link's hints are not this planner's */
    store_hints_free(&got);
    SC_OK(store_inbox_claim(&got, two, "p2", 30000, 10, SC_E));
    assert_int_equal(got.n, 2);
    assert_string_equal(got.v[0].record_key, "ghl:L2:B");
    assert_string_equal(got.v[1].record_key, "ghl:L2:C");
    store_hints_free(&got);
    SC_OK(store_count(&c, one, SC_E));
    assert_int_equal(c.inbox_pending + c.inbox_claimed, 0);
    SC_OK(store_count(&c, two, SC_E));
    assert_int_equal(c.inbox_claimed, 2);
    store_close(one);
    store_close(two);
}

static void outbox_claims_stay_in_their_link(void **state)
{
    sc_fixture *f = *state;
    store *one = bound(f, ""), *two = bound(f, "two");
    op(f->s, "ghl:L1:A", "a", NULL);
    op(two, "ghl:L2:B", "b", NULL);
    op(one, "ghl:L2:C", "c", "two");
    store_ops got;
    SC_OK(store_outbox_claim(&got, two, "w2", 60000, NULL, 10, SC_E));
    assert_int_equal(got.n, 2);
    assert_string_equal(got.v[0].idem_key, "b");
    assert_string_equal(got.v[1].idem_key, "c");
    store_ops_free(&got);
    SC_OK(store_outbox_claim(&got, one, "w1", 60000, "ghl", 10, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].idem_key, "a");
    store_counts c;
    SC_OK(store_count(&c, one, SC_E));
    assert_int_equal(c.outbox_running, 1);
    assert_int_equal(c.outbox_pending, 0);
    SC_OK(store_outbox_complete(one, &got.v[0], SC_E));
    store_ops_free(&got);
    SC_OK(store_count(&c, one, SC_E));
    assert_int_equal(c.outbox_done, 1);
    assert_int_equal(c.oldest_pending_ms, 0); /* the other link's work is not this one's lag */
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.outbox_running, 2);
    store_close(one);
    store_close(two);
}

static void binding_is_checked_and_undone(void **state)
{
    sc_fixture *f = *state;
    assert_null(store_bound_link(f->s));
    char longname[STORE_LINK_MAX + 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    SC_FAILS(ERR_INVALID, store_bind_link(f->s, longname, SC_E));
    assert_null(store_bound_link(f->s));
    store_hint_new h = {
        .source = "ghl", .kind = "k", .record_key = "ghl:L:A", .payload = "{}", .link = longname};
    SC_FAILS(ERR_INVALID, store_inbox_append(NULL, f->s, &h, SC_E));
    SC_OK(store_bind_link(f->s, "two", SC_E));
    hint(f->s, "ghl:L2:A", NULL);
    SC_OK(store_bind_link(f->s, NULL, SC_E));
    assert_null(store_bound_link(f->s));
    store_hints got;
    SC_OK(store_inbox_claim(&got, f->s, "any", 30000, 10, SC_E));
    assert_int_equal(got.n, 1); /* unbound again: every link's */
    store_hints_free(&got);
}

static void expect_key(const store_queue_keys *k, size_t i, const char *link, const char *key,
                       int64_t hints)
{
    assert_true(i < k->n);
    assert_string_equal(k->v[i].link, link);
    assert_string_equal(k->v[i].record_key, key);
    assert_int_equal(k->v[i].hints, hints);
    assert_int_equal(k->v[i].ops, 0);
}

static void queued_keys_by_link_and_refiling(void **state)
{
    sc_fixture *f = *state;
    hint(f->s, "k:A", "east");
    hint(f->s, "k:A", "east");
    hint(f->s, "k:B", "east");
    hint(f->s, "k:C", NULL);
    store_queue_keys k;
    SC_OK(store_queue_keys_list(&k, f->s, SC_E));
    assert_int_equal(k.n, 3);
    expect_key(&k, 0, "", "k:C", 1);
    expect_key(&k, 1, "east", "k:A", 2);
    expect_key(&k, 2, "east", "k:B", 1);
    store_queue_keys_free(&k);
    store *east = bound(f, "east");
    store_hints got;
    SC_OK(store_inbox_claim(&got, east, "p", 1000, 1, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].record_key, "k:A");
    int64_t moved = -1;
    SC_OK(store_queue_refile(&moved, f->s, "east", "k:A", "", SC_E));
    assert_int_equal(moved, 0); /* leased */
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_queue_refile(&moved, f->s, "east", "k:B", "", SC_E));
    assert_int_equal(moved, 1);
    SC_OK(store_rollback(f->s, SC_E));
    SC_OK(store_queue_refile(&moved, f->s, "east", "k:B", "", SC_E));
    assert_int_equal(moved, 1);
    SC_OK(store_queue_keys_list(&k, f->s, SC_E));
    assert_int_equal(k.n, 3);
    expect_key(&k, 0, "", "k:B", 1);
    expect_key(&k, 1, "", "k:C", 1);
    expect_key(&k, 2, "east", "k:A", 2);
    store_queue_keys_free(&k);
    clock_fake_advance(&f->clock, 1000);
    SC_OK(store_queue_refile(&moved, f->s, "east", "k:A", "west", SC_E));
    assert_int_equal(moved, 2);
    SC_OK(store_inbox_ack(east, &got.v[0], SC_E)); /* no other claim took it */
    store_hints_free(&got);
    store_close(east);
}

static void inbox_claim_inside_a_transaction(void **state)
{
    sc_fixture *f = *state;
    hint(f->s, "k:A", NULL);
    hint(f->s, "k:B", NULL);
    store_hints got;
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_inbox_claim(&got, f->s, "p", 1000, 5, SC_E));
    assert_int_equal(got.n, 2);
    store_hints_free(&got);
    SC_OK(store_rollback(f->s, SC_E));
    store *other = sc_open(f);
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_inbox_claim(&got, f->s, "p", 1000, 5, SC_E));
    assert_int_equal(got.n, 2);
    hint(f->s, "k:C", NULL);
    store_hints none;
    SC_OK(store_inbox_claim(&none, f->s, "p", 1000, 5, SC_E));
    assert_int_equal(none.n, 1);
    store_hints_free(&none);
    SC_OK(store_commit(f->s, SC_E));
    SC_OK(store_inbox_claim(&none, other, "q", 1000, 5, SC_E));
    assert_int_equal(none.n, 0);
    for (size_t i = 0; i < got.n; i++)
        SC_OK(store_inbox_ack(other, &got.v[i], SC_E));
    store_hints_free(&got);
    store_close(other);
}

const sc_case sc_link_cases[] = {
    {"inbox_claim_inside_a_transaction", inbox_claim_inside_a_transaction},
    {"queued_keys_by_link_and_refiling", queued_keys_by_link_and_refiling},
    {"inbox_claims_stay_in_their_link", inbox_claims_stay_in_their_link},
    {"outbox_claims_stay_in_their_link", outbox_claims_stay_in_their_link},
    {"binding_is_checked_and_undone", binding_is_checked_and_undone},
    {NULL, NULL},
};
