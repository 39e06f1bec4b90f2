/* test_links_orgs.c: two links over two locations AND two PheedLoop organizations of one
 * sandbox: the default link (the sandbox's location, ORGSANDBOX's first event) and "two" (LOC2,
 * ORGB's event, which has the same code as the first organization's). The backfill links each
 * location only with its own organization's attendees, duplicates nothing, and a second pass
 * writes nothing; a webhook of ORGB, delivered by the sandbox to the capture endpoints, is
 * stored as link two's and planned by link two's engine only. */
#include "engine/capture.h"
#include "tests/engine/efix.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define LOC2 "LOCATIONTWO0000000002"
#define ORGB "ORGB"

typedef struct two_orgs {
    efix *f;
    efix_links l;
    pl_client *pl2;
    char secret_b[80];
    /* The webhook endpoints of both links. */
    pl_webhook *wh[2];
    capture *cap;
    http_server *srv;
} two_orgs;

static int setup(void **state)
{
    two_orgs *t = calloc(1, sizeof *t);
    efix_opts o = {0};
    t->f = efix_start(&o);
    efix *f = t->f;
    err e = {0};
    /* The second organization has an event of the same code as the first one's EV1. */
    json_t *org = efix_admin(f, false, "POST", "/_sandbox/organizations",
                             "{\"org_code\": \"" ORGB "\", \"events\": [{\"code\": \"" EV1 "\"}]}");
    snprintf(t->secret_b, sizeof t->secret_b, "%s",
             jsonx_str(json_array_get(json_object_get(org, "events"), 0), "webhook_secret"));
    pl_client_config pc = {.base_url = f->pl_base,
                           .org_code = ORGB,
                           .api_key = jsonx_str(org, "api_key"),
                           .api_secret = jsonx_str(org, "api_secret"),
                           .http = f->http};
    assert_int_equal(pl_client_new(&t->pl2, &pc, &e), 0);
    json_decref(org);
    efix_links_start(&t->l, f, EV1, LOC2, ORGB, EV1, t->pl2);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    two_orgs *t = *state;
    if (t->srv)
        http_server_stop(t->srv);
    http_server_free(t->srv);
    capture_free(t->cap);
    pl_webhook_free(t->wh[0]);
    pl_webhook_free(t->wh[1]);
    efix_links_stop(&t->l);
    efix_stop(t->f);
    pl_client_free(t->pl2);
    free(t);
    return 0;
}

/* A dashboard sign-up in EV1 of org; its code (malloc'd). */
static char *register_in(efix *f, const char *org, const char *first, const char *email)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/" EV1 "/register?org=%s", org);
    snprintf(body, sizeof body, "{\"first_name\": \"%s\", \"last_name\": \"X\", \"email\": \"%s\"}",
             first, email);
    json_t *a = efix_admin(f, false, "POST", path, body);
    char *code = strdup(jsonx_str(a, "code"));
    json_decref(a);
    return code;
}

static size_t org_attendees(efix *f, const char *org)
{
    char path[64];
    snprintf(path, sizeof path, "/_sandbox/state?org=%s", org);
    json_t *st = efix_admin(f, false, "GET", path, NULL);
    size_t n = json_array_size(
        json_object_get(json_array_get(json_object_get(st, "events"), 0), "attendees"));
    json_decref(st);
    return n;
}

/* Every link: L1's contacts with ORGSANDBOX's attendees, L2's with ORGB's. */
static size_t assert_links_stay_in_their_org(two_orgs *t)
{
    store_links ls = {0};
    err e = {0};
    assert_int_equal(store_link_list(&ls, t->f->store, 0, 1000, &e), 0);
    size_t attendees = 0;
    for (size_t i = 0; i < ls.n; i++) {
        const store_link *l = &ls.v[i];
        const char *want = strcmp(l->location_id, LOC2) == 0 ? ORGB : t->f->org;
        for (size_t j = 0; j < l->n_attendees; j++, attendees++)
            if (strcmp(l->attendees[j].org, want) != 0)
                fail_msg("contact %s of %s is linked to an attendee of %s", l->contact_id,
                         l->location_id, l->attendees[j].org);
    }
    store_links_free(&ls);
    return attendees;
}

static void backfill_keeps_each_organization_to_its_location(void **state)
{
    two_orgs *t = *state;
    efix *f = t->f;
    const char *people[] = {"ann@example.com", "bob@example.com"};
    for (size_t i = 0; i < 2; i++) {
        free(efix_ui_contact_in(f, f->location, "C", people[i]));
        free(efix_ui_contact_in(f, LOC2, "C", people[i]));
    }
    free(register_in(f, f->org, "Ann", "ann@example.com"));
    free(register_in(f, f->org, "Cid", "cid@example.com"));
    free(register_in(f, ORGB, "Bob", "bob@example.com"));
    free(register_in(f, ORGB, "Dee", "dee@example.com"));

    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    assert_int_equal(assert_links_stay_in_their_org(t), 4);
    json_t *l1 = efix_emails_in(f, f->location), *l2 = efix_emails_in(f, LOC2);
    assert_int_equal(json_object_size(l1), 3); /* ann, bob, and cid of its organization */
    assert_int_equal(jsonx_int(l1, "cid@example.com", 0), 1);
    assert_int_equal(jsonx_int(l1, "dee@example.com", 0), 0);
    assert_int_equal(json_object_size(l2), 3); /* ann, bob, and dee of ORGB */
    assert_int_equal(jsonx_int(l2, "dee@example.com", 0), 1);
    assert_int_equal(jsonx_int(l2, "cid@example.com", 0), 0);
    const char *key;
    json_t *n;
    json_object_foreach(l1, key, n) assert_int_equal(json_integer_value(n), 1);
    json_object_foreach(l2, key, n) assert_int_equal(json_integer_value(n), 1);
    json_decref(l1);
    json_decref(l2);
    /* Neither organization got the other's people, nor a second copy of its own. */
    assert_int_equal(org_attendees(f, f->org), 2);
    assert_int_equal(org_attendees(f, ORGB), 2);

    efix_reset_counters(f);
    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
}

/* The capture endpoints of both links, and ORGB's REST hook pointing at them. */
static void start_capture(two_orgs *t)
{
    efix *f = t->f;
    err e = {0};
    json_t *info = sbx_pl_emu_info(sbx_sandbox_pheedloop(f->sbx));
    char secret_a[80];
    snprintf(secret_a, sizeof secret_a, "%s",
             jsonx_str(json_array_get(json_object_get(info, "events"), 0), "webhook_secret"));
    json_decref(info);
    pl_webhook_secret sa[] = {{EV1, secret_a}}, sb[] = {{EV1, t->secret_b}};
    pl_webhook_config wa = {.event_secrets = sa, .n_event_secrets = 1};
    pl_webhook_config wb = {.event_secrets = sb, .n_event_secrets = 1};
    assert_int_equal(pl_webhook_new(&t->wh[0], &wa, &e), 0);
    assert_int_equal(pl_webhook_new(&t->wh[1], &wb, &e), 0);
    capture_link links[] = {
        {"", f->location, f->org, t->l.events1, t->wh[0]},
        {"two", LOC2, ORGB, t->l.events2, t->wh[1]},
    };
    capture_options co = {.store_url = f->store_url, .pl = t->wh[0], .links = links, .n_links = 2};
    assert_int_equal(capture_new(&t->cap, &co, &e), 0);
    http_server_options so = {0};
    assert_int_equal(http_server_new(&t->srv, &so, &e), 0);
    assert_int_equal(capture_mount(t->cap, t->srv, &e), 0);
    assert_int_equal(http_server_start(t->srv, &e), 0);
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u%s", (unsigned)http_server_port(t->srv),
             CAPTURE_PL_PATH);
    size_t added = 0;
    assert_int_equal(capture_register_pl_hooks(&added, t->pl2, t->l.events2, endpoint, &e), 0);
    assert_int_equal(added, capture_pl_actions_n);
}

static void a_webhook_of_orgb_is_planned_by_link_two(void **state)
{
    two_orgs *t = *state;
    efix *f = t->f;
    free(efix_ui_contact_in(f, LOC2, "C", "eve@example.com"));
    char *code = register_in(f, ORGB, "Eve", "eve@example.com");
    efix_pass_engine(&t->l.one);
    efix_pass_engine(&t->l.two);
    start_capture(t);

    /* Eve's attendee changes in ORGB's dashboard: the sandbox signs the delivery with ORGB's
     * event secret, and the endpoints store it as link two's. */
    char path[160];
    snprintf(path, sizeof path, "/_sandbox/ui/events/" EV1 "/attendees/%s?org=" ORGB, code);
    json_decref(efix_admin(f, false, "PATCH", path, "{\"first_name\": \"Evelyn\"}"));
    assert_true(sbx_webhooks_drain(sbx_sandbox_pheedloop_service(f->sbx)->webhooks, 10000));
    capture_stats cs;
    capture_stats_get(t->cap, "pheedloop", &cs);
    if (cs.accepted != 1)
        fail_msg("accepted %lld ignored %lld forged %lld stale %lld malformed %lld",
                 (long long)cs.accepted, (long long)cs.ignored, (long long)cs.forged,
                 (long long)cs.stale, (long long)cs.malformed);
    assert_int_equal(cs.forged, 0);

    size_t done = 9;
    err e = {0};
    assert_int_equal(engine_plan_some(&t->l.one, 16, &done, &e), 0);
    assert_int_equal(done, 0); /* not the default link's */
    assert_int_equal(engine_plan_some(&t->l.two, 16, &done, &e), 0);
    assert_int_equal(done, 1);
    assert_int_equal(engine_work_some(&t->l.one, 16, &done, &e), 0);
    assert_int_equal(done, 0);
    assert_int_equal(engine_work_some(&t->l.two, 16, &done, &e), 0);
    assert_int_equal(done, 1);
    json_t *st = efix_admin(f, true, "GET", "/_sandbox/state", NULL);
    size_t i, evelyn = 0;
    json_t *c;
    json_array_foreach(json_object_get(st, "contacts"), i, c)
    {
        if (strcmp(jsonx_str(c, "email"), "eve@example.com") == 0) {
            assert_string_equal(jsonx_str(c, "locationId"), LOC2);
            evelyn += strcmp(jsonx_str(c, "firstName"), "Evelyn") == 0;
        }
    }
    assert_int_equal(evelyn, 1);
    json_decref(st);
    free(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(backfill_keeps_each_organization_to_its_location, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_webhook_of_orgb_is_planned_by_link_two, setup, teardown),
    };
    return cmocka_run_group_tests_name("two links over two organizations", tests, NULL, NULL);
}
