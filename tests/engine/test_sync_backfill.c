/* test_sync_backfill.c: a first pass links two events' attendees to a location that already
 * holds some of the same people under other spellings, without a duplicate; a second pass with
 * nothing changed writes nothing to either side. */
#include "engine/poller.h"
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Each attendee's contact carries its sign-up tag. */
static void assert_signup_tags(efix *f)
{
    json_t *contacts = efix_contacts(f);
    json_t *atts = efix_attendees(f, EV1);
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        json_t *c = efix_find_email(contacts, jsonx_str(a, "email"));
        assert_non_null(c);
        if (!jsonx_array_has_str(json_object_get(c, "tags"), "event:evesandbox1"))
            fail_msg("contact %s lacks event:evesandbox1", jsonx_str(c, "email"));
    }
    json_decref(atts);
    json_decref(contacts);
}

static void test_backfill_links_without_duplicates(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 80};
    efix *f = efix_start(&o);
    json_t *before = efix_contacts(f);
    size_t n_before = json_array_size(before);
    json_decref(before);
    engine_pass_result r = efix_pass(f, true);
    assert_true(r.scan.complete);
    assert_true(r.drained);
    assert_int_equal(r.ops_dead, 0);
    assert_int_equal(r.ambiguous, 0);
    efix_assert_no_duplicates(f);
    efix_assert_all_linked(f);
    assert_signup_tags(f);
    json_t *after = efix_contacts(f);
    assert_true(json_array_size(after) > n_before); /* the PheedLoop-only people were added */
    json_decref(after);
    efix_stop(f);
}

static void test_second_pass_writes_nothing(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 60, .seed = 23};
    efix *f = efix_start(&o);
    engine_pass_result r = efix_pass(f, true);
    assert_int_equal(r.ops_dead, 0);
    efix_reset_counters(f);
    if (getenv("EFIX_DRY")) {
        engine_pass_opts o2 = {.dry_run = true, .out = stderr};
        err e = {0};
        assert_int_equal(engine_pass(&r, &f->en, &o2, &e), 0);
    }
    r = efix_pass(f, true);
    assert_true(r.drained);
    int64_t gw = efix_writes(f, true), pw = efix_writes(f, false);
    if (gw != 0 || pw != 0)
        fail_msg("second pass wrote: HighLevel %lld, PheedLoop %lld", (long long)gw, (long long)pw);
    efix_assert_no_duplicates(f);
    efix_stop(f);
}

/* After the first pass, a pass that is not full reads only what changed, through the pollers. */
static void test_incremental_pass_with_pollers(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 40, .seed = 29};
    efix *f = efix_start(&o);
    efix_pass(f, true);
    char *code = NULL;
    char *id = efix_linked_pair(f, EV1, &code);
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", EV1, code);
    json_decref(efix_admin(f, false, "PATCH", path, "{\"title\": \"Head of Polling\"}"));
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(efix_admin(f, true, "PATCH", path, "{\"city\": \"Pollington\"}"));
    engine_pass_opts po = {.capture = poller_capture,
                           .deadline_ms = clock_mono_ms(clock_system()) + 120000};
    engine_pass_result r = {0};
    err e = {0};
    assert_int_equal(engine_pass(&r, &f->en, &po, &e), 0);
    assert_int_equal(r.scan.contacts, 0); /* no full listing */
    assert_true(r.drained);
    json_t *a = efix_attendee(f, EV1, code);
    assert_string_equal(jsonx_str(a, "address_city"), "Pollington");
    json_decref(a);
    json_t *c = efix_contact(f, id);
    assert_non_null(c);
    json_decref(c);
    free(id);
    free(code);
    efix_stop(f);
}

/* --dry-run: the plan is printed, nothing is written to either service or to the state. */
static void test_dry_run_writes_nothing(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 30, .seed = 31};
    efix *f = efix_start(&o);
    efix_reset_counters(f);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    engine_pass_opts po = {.dry_run = true, .out = out};
    engine_pass_result r = {0};
    err e = {0};
    assert_int_equal(engine_pass(&r, &f->en, &po, &e), 0);
    fclose(out);
    assert_true(r.dry_ops > 0);
    assert_non_null(strstr(text, "ghl.create_contact"));
    free(text);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
    store_counts n = {0};
    assert_int_equal(store_count(&n, f->store, &e), 0);
    assert_int_equal(n.links + n.outbox_pending + n.inbox_pending + n.outbox_done, 0);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backfill_links_without_duplicates),
        cmocka_unit_test(test_second_pass_writes_nothing),
        cmocka_unit_test(test_incremental_pass_with_pollers),
        cmocka_unit_test(test_dry_run_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
