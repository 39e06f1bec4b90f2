/* test_pl_paging.c: the PheedLoop client's lists against the emulator: exact page boundaries
 * (no request past a last page), the 404 "Invalid page." that ends a list that shrank, other
 * 404s staying errors, and registrations read incrementally with a one-day overlap. */
#include "tests/support/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define DAY_MS 86400000LL

/* Requests the emulator answered for one operation, any status. */
static int64_t served(pl_fx *fx, const char *op)
{
    json_t *c = sbx_counters_json(fx->svc.counters);
    json_t *by = json_object_get(json_object_get(c, "by_operation"), op);
    int64_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(by, k, v)
    {
        n += json_integer_value(v);
    }
    json_decref(c);
    return n;
}

/* Walks the whole attendee list; checks that every code is new; returns the items seen. */
static size_t walk(pl_client *c, int *pages, bool *complete, int64_t *count)
{
    err e = {0};
    pl_iter *it = NULL;
    assert_int_equal(pl_client_attendees(&it, c, PLFX_EVENT, GOVERNOR_LANE_RECONCILE, &e), 0);
    json_t *seen = json_object();
    pl_attendee a;
    int rc;
    while ((rc = pl_iter_next_attendee(&a, it, &e)) == 1) {
        assert_null(json_object_get(seen, a.code));
        json_object_set_new(seen, a.code, json_true());
        pl_attendee_free(&a);
    }
    if (rc != 0)
        fail_msg("walk: %s", e.msg);
    /* The end is sticky: asking again fetches nothing more. */
    assert_int_equal(pl_iter_next_attendee(&a, it, &e), 0);
    *pages = pl_iter_pages(it);
    *complete = pl_iter_complete(it);
    *count = pl_iter_count(it);
    size_t n = json_object_size(seen);
    assert_int_equal(n, pl_iter_seen(it));
    json_decref(seen);
    pl_iter_free(it);
    return n;
}

static void page_boundaries_are_exact(void **state)
{
    pl_fx *fx = *state;
    pl_client *c = plfx_client(fx, &(plfx_knobs){.page_size = 5});
    /* total attendees after each step, and the pages a full walk needs */
    static const struct {
        int total, pages;
    } steps[] = {{0, 1}, {1, 1}, {4, 1}, {5, 1}, {6, 2}, {10, 2}, {11, 3}, {15, 3}};
    int have = 0;
    for (size_t i = 0; i < PS_ARRAY_LEN(steps); i++) {
        plfx_add_people(fx, PLFX_EVENT, have + 1, steps[i].total - have);
        have = steps[i].total;
        int64_t before = served(fx, "pl-list-attendees");
        int pages;
        bool complete;
        int64_t count;
        size_t n = walk(c, &pages, &complete, &count);
        assert_int_equal(n, (size_t)steps[i].total);
        assert_int_equal(pages, steps[i].pages);
        assert_true(complete);
        assert_int_equal(count, steps[i].total);
        /* Exactly one request per page: the client never asks past a null "next". */
        assert_int_equal(served(fx, "pl-list-attendees") - before, steps[i].pages);
    }
    pl_client_free(c);
}

static void invalid_page_ends_a_list_that_shrank(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    plfx_add_people(fx, PLFX_EVENT, 1, 10);
    pl_client *c = plfx_client(fx, &(plfx_knobs){.page_size = 5});
    pl_iter *it = NULL;
    assert_int_equal(pl_client_attendees(&it, c, PLFX_EVENT, GOVERNOR_LANE_RECONCILE, &e), 0);
    pl_attendee a;
    const char *gone[6];
    char codes[6][64];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(pl_iter_next_attendee(&a, it, &e), 1);
        snprintf(codes[i], sizeof codes[i], "%s", a.code);
        gone[i] = codes[i];
        pl_attendee_free(&a);
    }
    /* Someone deletes six attendees while we are on page 1: page 2 no longer exists. */
    pl_attendee sixth;
    assert_int_equal(pl_client_find_attendee_by_email(&sixth, fx->client, PLFX_EVENT,
                                                      "p6@example.com", NULL, &e),
                     0);
    snprintf(codes[5], sizeof codes[5], "%s", sixth.code);
    gone[5] = codes[5];
    pl_attendee_free(&sixth);
    pl_codes_result r;
    assert_int_equal(pl_client_bulk_delete_attendees(&r, fx->client, PLFX_EVENT, gone, 6, NULL, &e),
                     0);
    pl_codes_result_free(&r);

    assert_int_equal(pl_iter_next_attendee(&a, it, &e), 0); /* the end, not an error */
    assert_int_equal(pl_iter_call(it)->status, 404);
    assert_int_equal(pl_iter_seen(it), 5);
    assert_int_equal(pl_iter_count(it), 10);
    /* A scan that lost items on the way must not be trusted to infer deletes. */
    assert_false(pl_iter_complete(it));
    pl_iter_free(it);
    pl_client_free(c);
}

static void other_404s_are_errors(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    pl_iter *it = NULL;
    assert_int_equal(pl_client_attendees(&it, fx->client, "EVENOPE", GOVERNOR_LANE_LIVE, &e), 0);
    pl_attendee a;
    assert_int_equal(pl_iter_next_attendee(&a, it, &e), ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "Not found."));
    /* The iterator stays at its error: asking again asks again. */
    assert_int_equal(pl_iter_next_attendee(&a, it, &e), ERR_NOT_FOUND);
    assert_false(pl_iter_complete(it));
    pl_iter_free(it);
}

static void registrations_from_date_overlaps_a_day(void **state)
{
    (void)state;
    char d[32];
    pl_client_registrations_from_date(d, 0);
    assert_string_equal(d, "");
    int64_t t;
    assert_int_equal(clock_parse_iso(&t, "2027-01-02T00:30:00Z", NULL), 0);
    pl_client_registrations_from_date(d, t);
    assert_string_equal(d, "2027-01-01");
    assert_int_equal(clock_parse_iso(&t, "2027-03-01T23:59:59Z", NULL), 0);
    pl_client_registrations_from_date(d, t);
    assert_string_equal(d, "2027-02-28");
    assert_int_equal(clock_parse_iso(&t, "2028-03-01T00:00:00Z", NULL), 0);
    pl_client_registrations_from_date(d, t);
    assert_string_equal(d, "2028-02-29");
}

static int count_registrations(pl_fx *fx, int64_t since_ms, pl_registration *first)
{
    err e = {0};
    pl_iter *it = NULL;
    assert_int_equal(pl_client_registrations_since(&it, fx->client, PLFX_EVENT, since_ms,
                                                   GOVERNOR_LANE_BACKFILL, &e),
                     0);
    pl_registration r;
    int n = 0, rc;
    while ((rc = pl_iter_next_registration(&r, it, &e)) == 1) {
        if (n++ == 0 && first)
            *first = r;
        else
            pl_registration_free(&r);
    }
    assert_int_equal(rc, 0);
    pl_iter_free(it);
    return n;
}

static void registrations_since_a_cursor(void **state)
{
    pl_fx *fx = *state;
    plfx_add_people(fx, PLFX_EVENT, 1, 3);
    int64_t now = clock_now_ms(clock_system());
    pl_registration r;
    assert_int_equal(count_registrations(fx, 0, &r), 3);
    assert_non_null(r.attendee_code);
    assert_string_equal(r.event_code, PLFX_EVENT);
    assert_string_equal(r.ticket_name, "General Admission");
    assert_true(r.registration_complete);
    assert_false(r.canceled);
    assert_true(r.updated_ms > now - DAY_MS && r.updated_ms <= now + DAY_MS);
    pl_registration_free(&r);
    /* A cursor at today's last change still returns today's rows (the date filter cannot say
     * "after 14:03"); a cursor tomorrow still covers today thanks to the overlap; two days
     * ahead is past everything. */
    assert_int_equal(count_registrations(fx, now, NULL), 3);
    assert_int_equal(count_registrations(fx, now + DAY_MS, NULL), 3);
    assert_int_equal(count_registrations(fx, now + 2 * DAY_MS + 60000, NULL), 0);

    err e = {0};
    pl_iter *it = NULL;
    assert_int_equal(
        pl_client_registrations_since(&it, fx->client, "EVENOPE", 0, GOVERNOR_LANE_LIVE, &e), 0);
    assert_int_equal(pl_iter_next_registration(&r, it, &e), ERR_NOT_FOUND);
    pl_iter_free(it);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, plfx_client_setup, plfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(page_boundaries_are_exact),    T(invalid_page_ends_a_list_that_shrank),
        T(other_404s_are_errors),        cmocka_unit_test(registrations_from_date_overlaps_a_day),
        T(registrations_since_a_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
