/* test_flow.c: whole passes of the pure core as the planner and workers will run them: a first
 * sync of an attendee to a new contact, our own writes coming back as echoes, and a tag added
 * in HighLevel reaching the attendee (event tags on the attendee, the rest in metadata). */
#include "core/merge.h"
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* What the HighLevel emulator does with a contact body: fields set, tags added. */
static void ghl_apply(json_t *contact, const json_t *body, const core_tag_delta *d)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)body, k, v)
    {
        if (strcmp(k, "customFields") != 0)
            json_object_set(contact, k, v);
    }
    json_t *tags = json_object_get(contact, "tags");
    if (!tags) {
        tags = json_array();
        json_object_set_new(contact, "tags", tags);
    }
    if (d)
        json_array_extend(tags, d->add);
}

/* What the PheedLoop emulator does with a PATCH body. */
static void pl_apply(json_t *attendee, const json_t *body)
{
    json_object_update(attendee, (json_t *)(uintptr_t)body);
}

typedef struct world {
    core_map *m;
    json_t *contact, *attendee, *registration, *event_tags;
    json_t *shadow_g, *shadow_p;
} world;

static void read_both(const world *w, core_person *g, core_person *p)
{
    core_ghl_record gr = {w->contact, NULL};
    core_pl_record pr = {w->attendee, w->registration, NULL, "EVE1", w->event_tags};
    err e;
    if (core_person_from_ghl(g, w->m, &gr, &e) != 0 || core_person_from_pl(p, w->m, &pr, &e) != 0)
        fail_msg("%s", e.msg);
}

/* One planner pass and the workers' writes; returns whether it was an echo. */
static bool pass(world *w, core_side last)
{
    core_person g, p;
    read_both(w, &g, &p);
    core_merge_in in = {w->m, &g, &p, w->shadow_g, w->shadow_p, last, 1};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    bool echo = o.echo;
    if (core_merge_writes(&o, CORE_GHL)) {
        json_t *body = NULL;
        assert_int_equal(core_person_to_ghl_fields(&body, w->m, o.to_ghl, NULL, &e), 0);
        ghl_apply(w->contact, body, &o.tags_ghl);
        json_decref(body);
    }
    if (core_merge_writes(&o, CORE_PL)) {
        core_pl_record cur = {w->attendee, w->registration, NULL, "EVE1", w->event_tags};
        json_t *body = NULL;
        assert_int_equal(core_person_to_pl_fields(&body, w->m, o.to_pl, &o.tags_pl, &cur, &e), 0);
        pl_apply(w->attendee, body);
        json_decref(body);
    }
    json_decref(w->shadow_g);
    json_decref(w->shadow_p);
    w->shadow_g = core_merge_shadow_after(&o, w->m, &g, CORE_GHL);
    w->shadow_p = core_merge_shadow_after(&o, w->m, &p, CORE_PL);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    return echo;
}

static void world_free(world *w)
{
    core_map_free(w->m);
    json_decref(w->contact);
    json_decref(w->attendee);
    json_decref(w->registration);
    json_decref(w->event_tags);
    json_decref(w->shadow_g);
    json_decref(w->shadow_p);
}

static void first_sync_then_echoes_then_a_tag_from_highlevel(void **state)
{
    (void)state;
    world w = {
        NULL,
        ct_json("{\"id\": \"c1\"}"),
        ct_json("{\"code\": \"ATT1\", \"first_name\": \"Ada\", \"last_name\": \"Lovelace\", "
                "\"email\": \"Ada@Example.com\", \"address_phone\": \"(415) 555-0134\", "
                "\"organization\": \"AE\", \"tags\": [\"Speaker\"], \"is_checked_in\": false, "
                "\"metadata\": {\"badge\": 1}}"),
        ct_json("{\"ticket_name\": \"VIP\"}"),
        ct_json("[\"Speaker\", \"VIP Guest\"]"),
        NULL,
        NULL};
    err e;
    assert_int_equal(core_map_default(&w.m, &e), 0);
    /* F1: the first pass fills the new contact; nothing goes back to the attendee. */
    json_t *before = json_deep_copy(w.attendee);
    assert_false(pass(&w, CORE_PL));
    ct_assert_json(w.contact,
                   "{\"id\": \"c1\", \"firstName\": \"Ada\", \"lastName\": \"Lovelace\", "
                   "\"email\": \"ada@example.com\", \"phone\": \"+14155550134\", "
                   "\"companyName\": \"AE\", \"tags\": [\"event:eve1\", \"speaker\", "
                   "\"ticket:vip\"]}");
    assert_true(json_equal(before, w.attendee));
    json_decref(before);
    /* Both webhooks of our own writes come back: echoes, no writes. */
    before = json_deep_copy(w.contact);
    assert_true(pass(&w, CORE_GHL));
    assert_true(pass(&w, CORE_PL));
    assert_true(json_equal(before, w.contact));
    json_decref(before);
    /* F3: HighLevel gets two tags: the event has one of them; the other goes to metadata. */
    json_array_append_new(json_object_get(w.contact, "tags"), json_string("vip guest"));
    json_array_append_new(json_object_get(w.contact, "tags"), json_string("newsletter"));
    assert_false(pass(&w, CORE_GHL));
    ct_assert_json(json_object_get(w.attendee, "tags"), "[\"Speaker\", \"VIP Guest\"]");
    ct_assert_json(json_object_get(w.attendee, "metadata"),
                   "{\"badge\": 1, \"highlevel\": {\"tags\": [\"newsletter\"]}}");
    assert_true(pass(&w, CORE_PL));
    /* Removing the sign-up tag in HighLevel does not loop: it is computed on the attendee. */
    json_t *tags = json_object_get(w.contact, "tags");
    for (size_t i = json_array_size(tags); i-- > 0;) {
        if (strcmp(json_string_value(json_array_get(tags, i)), "event:eve1") == 0)
            json_array_remove(tags, i);
    }
    assert_false(pass(&w, CORE_GHL));
    assert_true(pass(&w, CORE_PL));
    assert_true(pass(&w, CORE_GHL));
    /* A conflict: both sides change the organization; newest (PheedLoop) wins. */
    json_object_set_new(w.contact, "companyName", json_string("HL Corp"));
    json_object_set_new(w.attendee, "organization", json_string("PL Inc"));
    assert_false(pass(&w, CORE_PL));
    ct_assert_json(json_object_get(w.contact, "companyName"), "\"PL Inc\"");
    assert_true(pass(&w, CORE_GHL));
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_sync_then_echoes_then_a_tag_from_highlevel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
