/* store_contract_queue.c: contract cases for the inbox, the outbox and dead letters. */
#include "store_contract.h"

/* ------------------------------------------------------------------ inbox */

static void append(sc_fixture *f, const char *key, const char *payload, int64_t delay_ms)
{
    store_hint_new h = {"ghl", "ContactUpdate", key, payload, delay_ms, NULL};
    int64_t id = 0;
    SC_OK(store_inbox_append(&id, f->s, &h, SC_E));
    assert_true(id > 0);
}

static void inbox_coalesces_per_key(void **state)
{
    sc_fixture *f = *state;
    append(f, "ghl:contact:L:A", "{\"n\":1}", 0);
    clock_fake_advance(&f->clock, 5);
    append(f, "ghl:contact:L:B", "{\"n\":2}", 0);
    append(f, "ghl:contact:L:A", "{\"n\":3}", 0);
    append(f, "ghl:contact:L:A", "{\"n\":4}", 0);
    store_hints got;
    SC_OK(store_inbox_claim(&got, f->s, "planner-1", 30000, 10, SC_E));
    assert_int_equal(got.n, 2);
    assert_string_equal(got.v[0].record_key, "ghl:contact:L:A"); /* oldest first */
    assert_int_equal(got.v[0].count, 3);
    assert_string_equal(got.v[0].payload, "{\"n\":4}"); /* the latest */
    assert_string_equal(got.v[0].source, "ghl");
    assert_string_equal(got.v[0].kind, "ContactUpdate");
    assert_int_equal(got.v[0].received_ms, SC_T0);
    assert_string_equal(got.v[1].record_key, "ghl:contact:L:B");
    assert_int_equal(got.v[1].count, 1);

    store_hints none;
    SC_OK(store_inbox_claim(&none, f->s, "planner-2", 30000, 10, SC_E));
    assert_int_equal(none.n, 0); /* both keys are leased */
    store_hints_free(&none);

    append(f, "ghl:contact:L:A", "{\"n\":5}", 0); /* arrives while A is being planned */
    SC_OK(store_inbox_claim(&none, f->s, "planner-2", 30000, 10, SC_E));
    assert_int_equal(none.n, 0); /* still one planner per key */
    store_hints_free(&none);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_claimed, 4);
    assert_int_equal(c.inbox_pending, 1);

    SC_OK(store_inbox_ack(f->s, &got.v[0], SC_E));
    SC_OK(store_inbox_ack(f->s, &got.v[1], SC_E));
    SC_FAILS(ERR_CONFLICT, store_inbox_ack(f->s, &got.v[1], SC_E)); /* already gone */
    store_hints_free(&got);

    SC_OK(store_inbox_claim(&got, f->s, "planner-2", 30000, 10, SC_E));
    assert_int_equal(got.n, 1); /* the late hint was kept for another pass */
    assert_string_equal(got.v[0].payload, "{\"n\":5}");
    assert_int_equal(got.v[0].count, 1);
    SC_OK(store_inbox_ack(f->s, &got.v[0], SC_E));
    store_hints_free(&got);
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_pending + c.inbox_claimed, 0);
}

static void inbox_delay_and_defer(void **state)
{
    sc_fixture *f = *state;
    append(f, "pl:attendee:O:E:1", "{}", 2000);
    clock_fake_advance(&f->clock, 1500);
    append(f, "pl:attendee:O:E:1", "{\"late\":true}", 2000);
    store_hints got;
    SC_OK(store_inbox_claim(&got, f->s, "p", 30000, 10, SC_E));
    assert_int_equal(got.n, 0); /* the burst waits for its oldest hint's delay */
    store_hints_free(&got);
    clock_fake_advance(&f->clock, 500);
    SC_OK(store_inbox_claim(&got, f->s, "p", 30000, 10, SC_E));
    assert_int_equal(got.n, 1);
    assert_int_equal(got.v[0].count, 2);
    SC_OK(store_inbox_defer(f->s, &got.v[0], SC_T0 + 10000, SC_E));
    store_hints again;
    SC_OK(store_inbox_claim(&again, f->s, "p", 30000, 10, SC_E));
    assert_int_equal(again.n, 0);
    store_hints_free(&again);
    clock_fake_advance(&f->clock, 8000);
    SC_OK(store_inbox_claim(&again, f->s, "p", 30000, 10, SC_E));
    assert_int_equal(again.n, 1);
    assert_int_equal(again.v[0].count, 2);
    SC_FAILS(ERR_CONFLICT, store_inbox_defer(f->s, &got.v[0], 0, SC_E)); /* stale claim */
    SC_OK(store_inbox_ack(f->s, &again.v[0], SC_E));
    store_hints_free(&again);
    store_hints_free(&got);
}

static void inbox_lease_expiry_reclaims(void **state)
{
    sc_fixture *f = *state;
    store *w2 = sc_open(f);
    append(f, "k", "{}", 0);
    store_hints a, b;
    SC_OK(store_inbox_claim(&a, f->s, "w1", 1000, 10, SC_E));
    assert_int_equal(a.n, 1);
    clock_fake_advance(&f->clock, 1000); /* w1 stalled or crashed */
    SC_OK(store_inbox_claim(&b, w2, "w2", 1000, 10, SC_E));
    assert_int_equal(b.n, 1);
    assert_true(b.v[0].claim != a.v[0].claim);
    SC_FAILS(ERR_CONFLICT, store_inbox_ack(f->s, &a.v[0], SC_E));
    SC_OK(store_inbox_ack(w2, &b.v[0], SC_E));
    store_hints_free(&a);
    store_hints_free(&b);
    store_close(w2);
}

static void inbox_busy_key_does_not_block_others(void **state)
{
    sc_fixture *f = *state;
    append(f, "hot", "{}", 0);
    store_hints held, got;
    SC_OK(store_inbox_claim(&held, f->s, "w1", 30000, 1, SC_E));
    assert_int_equal(held.n, 1);
    for (int i = 0; i < 50; i++) /* a storm for the record being planned */
        append(f, "hot", "{}", 0);
    append(f, "cold", "{}", 0);
    SC_OK(store_inbox_claim(&got, f->s, "w2", 30000, 1, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].record_key, "cold");
    SC_OK(store_inbox_ack(f->s, &held.v[0], SC_E));
    SC_OK(store_inbox_ack(f->s, &got.v[0], SC_E));
    store_hints_free(&got);
    SC_OK(store_inbox_claim(&got, f->s, "w2", 30000, 5, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].record_key, "hot");
    assert_int_equal(got.v[0].count, 50);
    store_hints_free(&got);
    store_hints_free(&held);
}

static void inbox_rejects_bad_json(void **state)
{
    sc_fixture *f = *state;
    store_hint_new h = {"ghl", "ContactUpdate", "k", "{\"a\":", 0, NULL};
    SC_FAILS(ERR_INVALID, store_inbox_append(NULL, f->s, &h, SC_E));
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.inbox_pending, 0);
}

/* ------------------------------------------------------------------ outbox */

static int64_t enqueue(sc_fixture *f, const char *service, const char *key, const char *idem,
                       int lane)
{
    store_op_new op = {
        service, "acct", "ghl.upsert_contact", key, "{\"email\":\"a@b.c\"}", idem, lane, 0, NULL};
    int64_t id = 0;
    bool dup = true;
    SC_OK(store_outbox_enqueue(&id, &dup, f->s, &op, SC_E));
    assert_false(dup);
    return id;
}

static void outbox_enqueue_claim_complete(void **state)
{
    sc_fixture *f = *state;
    int64_t id = enqueue(f, "ghl", "ghl:contact:L:1", "op-1", STORE_LANE_LIVE);
    store_op_new again = {"ghl", "acct", "ghl.upsert_contact", "x", "{}", "op-1", 0, 0, NULL};
    int64_t id2 = 0;
    bool dup = false;
    SC_OK(store_outbox_enqueue(&id2, &dup, f->s, &again, SC_E));
    assert_true(dup);
    assert_int_equal(id2, id);

    store_ops ops;
    SC_OK(store_outbox_claim(&ops, f->s, "w1", 60000, NULL, 10, SC_E));
    assert_int_equal(ops.n, 1);
    store_op *op = &ops.v[0];
    assert_int_equal(op->id, id);
    assert_string_equal(op->service, "ghl");
    assert_string_equal(op->account, "acct");
    assert_string_equal(op->kind, "ghl.upsert_contact");
    assert_string_equal(op->record_key, "ghl:contact:L:1");
    assert_string_equal(op->payload, "{\"email\":\"a@b.c\"}");
    assert_string_equal(op->idem_key, "op-1");
    assert_int_equal(op->lane, STORE_LANE_LIVE);
    assert_int_equal(op->created_ms, SC_T0);
    assert_int_equal(op->not_before_ms, SC_T0);
    assert_int_equal(op->attempts, 0);
    assert_false(op->in_doubt);
    assert_null(op->last_error);
    SC_OK(store_outbox_intent(f->s, op, SC_E));
    assert_int_equal(op->attempts, 1);
    assert_true(op->in_doubt);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.outbox_running, 1);
    SC_OK(store_outbox_extend(f->s, op, 60000, SC_E));
    SC_OK(store_outbox_complete(f->s, op, SC_E));
    SC_FAILS(ERR_CONFLICT, store_outbox_complete(f->s, op, SC_E));
    store_ops_free(&ops);

    SC_OK(store_outbox_claim(&ops, f->s, "w1", 60000, NULL, 10, SC_E));
    assert_int_equal(ops.n, 0);
    store_ops_free(&ops);
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.outbox_done, 1);
    assert_int_equal(c.outbox_pending + c.outbox_running, 0);
    SC_OK(store_outbox_enqueue(&id2, &dup, f->s, &again, SC_E));
    assert_true(dup); /* a done operation still holds its key */

    int64_t removed = 0;
    clock_fake_advance(&f->clock, 1000);
    SC_OK(store_outbox_purge(&removed, f->s, SC_T0 + 1, SC_E));
    assert_int_equal(removed, 1);
    SC_OK(store_outbox_enqueue(&id2, &dup, f->s, &again, SC_E));
    assert_false(dup);
}

static void outbox_lanes_order_and_filters(void **state)
{
    sc_fixture *f = *state;
    enqueue(f, "ghl", "r1", "recon", STORE_LANE_RECONCILE);
    enqueue(f, "ghl", "r2", "back", STORE_LANE_BACKFILL);
    int64_t live = enqueue(f, "ghl", "r3", "live", STORE_LANE_LIVE);
    int64_t first = enqueue(f, "pheedloop", "p1", "p-first", STORE_LANE_LIVE);
    int64_t second = enqueue(f, "pheedloop", "p1", "p-second", STORE_LANE_LIVE);
    store_op_new later = {"ghl", "acct", "k", "r4", "{}", "later", 0, SC_T0 + 5000, NULL};
    int64_t later_id = 0;
    SC_OK(store_outbox_enqueue(&later_id, NULL, f->s, &later, SC_E));

    store_ops ops;
    SC_OK(store_outbox_claim(&ops, f->s, "w", 60000, "ghl", 1, SC_E));
    assert_int_equal(ops.n, 1);
    assert_int_equal(ops.v[0].id, live); /* live before backfill before reconcile */
    store_ops_free(&ops);
    SC_OK(store_outbox_claim(&ops, f->s, "w", 60000, "pheedloop", 10, SC_E));
    assert_int_equal(ops.n, 1); /* p-second waits for p-first: one record, in order */
    assert_int_equal(ops.v[0].id, first);
    SC_OK(store_outbox_complete(f->s, &ops.v[0], SC_E));
    store_ops_free(&ops);
    SC_OK(store_outbox_claim(&ops, f->s, "w", 60000, NULL, 10, SC_E));
    assert_int_equal(ops.n, 3);
    assert_int_equal(ops.v[0].id, second);
    assert_string_equal(ops.v[1].idem_key, "back");
    assert_string_equal(ops.v[2].idem_key, "recon");
    store_ops_free(&ops);
    clock_fake_advance(&f->clock, 5000);
    SC_OK(store_outbox_claim(&ops, f->s, "w", 60000, NULL, 10, SC_E));
    assert_int_equal(ops.n, 1);
    assert_int_equal(ops.v[0].id, later_id); /* not before its time */
    store_ops_free(&ops);
}

static store_op claim_one(sc_fixture *f, store *s, const char *owner, store_ops *hold)
{
    SC_OK(store_outbox_claim(hold, s, owner, 10000, NULL, 1, SC_E));
    assert_int_equal(hold->n, 1);
    return hold->v[0];
}

static void outbox_retry_and_doubt(void **state)
{
    sc_fixture *f = *state;
    enqueue(f, "ghl", "r", "op", STORE_LANE_LIVE);
    store_ops h;
    store_op op = claim_one(f, f->s, "w", &h);
    SC_OK(store_outbox_intent(f->s, &op, SC_E));
    SC_OK(store_outbox_retry(f->s, &op, SC_T0 + 2000, "http 503", false, SC_E));
    SC_FAILS(ERR_CONFLICT, store_outbox_retry(f->s, &op, SC_T0, "again", false, SC_E));
    store_ops_free(&h);
    store_ops none;
    SC_OK(store_outbox_claim(&none, f->s, "w", 10000, NULL, 5, SC_E));
    assert_int_equal(none.n, 0); /* backing off */
    store_ops_free(&none);
    clock_fake_advance(&f->clock, 2000);
    op = claim_one(f, f->s, "w", &h);
    assert_int_equal(op.attempts, 1);
    assert_false(op.in_doubt); /* the 503 said it did not happen */
    assert_string_equal(op.last_error, "http 503");
    SC_OK(store_outbox_intent(f->s, &op, SC_E));
    SC_OK(store_outbox_retry(f->s, &op, 0, "timeout after sending", true, SC_E));
    store_ops_free(&h);
    op = claim_one(f, f->s, "w", &h);
    assert_int_equal(op.attempts, 2);
    assert_true(op.in_doubt); /* a timeout may have created it: look up first */
    /* deferred before any call (no budget): the doubt stays */
    SC_OK(store_outbox_retry(f->s, &op, 0, "no budget", false, SC_E));
    store_ops_free(&h);
    op = claim_one(f, f->s, "w", &h);
    assert_true(op.in_doubt);
    assert_int_equal(op.attempts, 2);
    SC_OK(store_outbox_complete(f->s, &op, SC_E));
    store_ops_free(&h);
}

static void outbox_lease_expiry_fences_the_old_worker(void **state)
{
    sc_fixture *f = *state;
    store *w2 = sc_open(f);
    enqueue(f, "ghl", "r", "op", STORE_LANE_LIVE);
    store_ops h1, h2;
    store_op a = claim_one(f, f->s, "w1", &h1);
    clock_fake_advance(&f->clock, 9000);
    SC_OK(store_outbox_extend(f->s, &a, 10000, SC_E)); /* until T0 + 19000 */
    clock_fake_advance(&f->clock, 9999);
    store_ops none;
    SC_OK(store_outbox_claim(&none, w2, "w2", 10000, NULL, 5, SC_E));
    assert_int_equal(none.n, 0);
    store_ops_free(&none);
    clock_fake_advance(&f->clock, 1);
    SC_FAILS(ERR_CONFLICT, store_outbox_intent(f->s, &a, SC_E)); /* lease over: no new call */
    store_op b = claim_one(f, w2, "w2", &h2);
    assert_int_equal(b.id, a.id);
    assert_true(b.claim != a.claim);
    SC_FAILS(ERR_CONFLICT, store_outbox_complete(f->s, &a, SC_E));
    SC_FAILS(ERR_CONFLICT, store_outbox_extend(f->s, &a, 1000, SC_E));
    SC_FAILS(ERR_CONFLICT, store_outbox_dead(f->s, &a, "x", "y", NULL, SC_E));
    SC_OK(store_outbox_intent(w2, &b, SC_E));
    SC_OK(store_outbox_complete(w2, &b, SC_E));
    store_ops_free(&h1);
    store_ops_free(&h2);
    store_close(w2);
}

static void outbox_intent_survives_a_crash(void **state)
{
    sc_fixture *f = *state;
    int64_t id = enqueue(f, "ghl", "ghl:contact:L:new", "create-1", STORE_LANE_LIVE);
    store *worker = sc_open(f);
    store_ops h;
    store_op op = claim_one(f, worker, "w1", &h);
    SC_OK(store_outbox_intent(worker, &op, SC_E));
    store_ops_free(&h);
    store_close(worker); /* the process dies during the call: no complete, no retry */
    store_close(f->s);
    f->s = sc_open(f); /* restart */
    store_ops none;
    SC_OK(store_outbox_claim(&none, f->s, "w2", 10000, NULL, 5, SC_E));
    assert_int_equal(none.n, 0); /* the dead worker's lease still runs */
    store_ops_free(&none);
    clock_fake_advance(&f->clock, 10000);
    op = claim_one(f, f->s, "w2", &h);
    assert_int_equal(op.id, id);
    assert_int_equal(op.attempts, 1);
    assert_true(op.in_doubt);
    store_ops_free(&h);
}

/* ------------------------------------------------------------------ dead letters */

static void dead_letters_replay_and_drop(void **state)
{
    sc_fixture *f = *state;
    int64_t id = enqueue(f, "pheedloop", "pl:attendee:1", "bad-1", STORE_LANE_LIVE);
    store_ops h;
    store_op op = claim_one(f, f->s, "w", &h);
    SC_OK(store_outbox_intent(f->s, &op, SC_E));
    SC_OK(store_outbox_dead(f->s, &op, "http_400", "email: invalid",
                            "{\"method\":\"POST\",\"path\":\"/attendees\"}", SC_E));
    store_ops_free(&h);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.dead_letters, 1);
    assert_int_equal(c.outbox_pending + c.outbox_running, 0);

    store_deads list;
    SC_OK(store_dead_list(&list, f->s, 0, 10, SC_E));
    assert_int_equal(list.n, 1);
    assert_int_equal(list.v[0].op.id, id);
    assert_string_equal(list.v[0].op.idem_key, "bad-1");
    assert_string_equal(list.v[0].error_class, "http_400");
    assert_string_equal(list.v[0].message, "email: invalid");
    assert_string_equal(list.v[0].op.last_error, "email: invalid");
    assert_int_equal(list.v[0].dead_ms, SC_T0);
    store_deads_free(&list);
    SC_OK(store_dead_list(&list, f->s, id, 10, SC_E));
    assert_int_equal(list.n, 0);
    store_deads_free(&list);

    store_dead *d = NULL;
    SC_OK(store_dead_get(&d, f->s, id, SC_E));
    assert_string_equal(d->request, "{\"method\":\"POST\",\"path\":\"/attendees\"}");
    assert_int_equal(d->op.attempts, 1);
    store_dead_free(d);
    SC_FAILS(ERR_NOT_FOUND, store_dead_get(&d, f->s, id + 100, SC_E));

    SC_OK(store_dead_replay(f->s, id, SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_dead_replay(f->s, id, SC_E));
    op = claim_one(f, f->s, "w", &h);
    assert_int_equal(op.id, id);
    assert_true(op.in_doubt);
    SC_OK(store_outbox_dead(f->s, &op, "http_400", "still invalid", NULL, SC_E));
    store_ops_free(&h);
    SC_OK(store_dead_get(&d, f->s, id, SC_E));
    assert_null(d->request);
    store_dead_free(d);
    SC_OK(store_dead_drop(f->s, id, SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_dead_drop(f->s, id, SC_E));
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.dead_letters + c.outbox_pending + c.outbox_running, 0);
    store_op_new again = {"pheedloop", "acct", "k", "pl:attendee:1", "{}", "bad-1", 0, 0, NULL};
    int64_t id2 = 0;
    bool dup = false;
    SC_OK(store_outbox_enqueue(&id2, &dup, f->s, &again, SC_E));
    assert_true(dup);
}

const sc_case sc_queue_cases[] = {
    {"inbox_coalesces_per_key", inbox_coalesces_per_key},
    {"inbox_delay_and_defer", inbox_delay_and_defer},
    {"inbox_lease_expiry_reclaims", inbox_lease_expiry_reclaims},
    {"inbox_busy_key_does_not_block_others", inbox_busy_key_does_not_block_others},
    {"inbox_rejects_bad_json", inbox_rejects_bad_json},
    {"outbox_enqueue_claim_complete", outbox_enqueue_claim_complete},
    {"outbox_lanes_order_and_filters", outbox_lanes_order_and_filters},
    {"outbox_retry_and_doubt", outbox_retry_and_doubt},
    {"outbox_lease_expiry_fences_the_old_worker", outbox_lease_expiry_fences_the_old_worker},
    {"outbox_intent_survives_a_crash", outbox_intent_survives_a_crash},
    {"dead_letters_replay_and_drop", dead_letters_replay_and_drop},
    {NULL, NULL},
};
