/* test_pl_hooks.c: the PheedLoop emulator's REST hooks and signed webhooks over HTTP (the
 * signature checked here with OpenSSL), dashboard edits, welcome emails, admin and seeding. */
#include "tests/support/pl_fixture.h"
#include "crypto/verify.h"
#include "util/jsonx.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define EV "events/" PLFX_EVENT "/"
#define UI "/_sandbox/ui/events/" PLFX_EVENT "/"

static const char *field_error(const json_t *errors, const char *field)
{
    return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

static void subscribe(pl_fx *fx, const char *action)
{
    char body[256];
    snprintf(body, sizeof body, "{\"action\":\"%s\",\"endpoint\":\"%s\"}", action, fx->hook_url);
    th_response_free(plfx_expect(plfx_api(fx, "POST", EV "resthooks/", body), 201));
}

/* Waits for exactly n deliveries (draining the queue first) and checks each signature. */
static void expect_deliveries(pl_fx *fx, size_t n)
{
    assert_true(sbx_webhooks_drain(fx->svc.webhooks, 5000));
    if (n)
        assert_true(plfx_wait_received(fx, n));
    if (plfx_received(fx) != n)
        fail_msg("%zu deliveries, expected %zu", plfx_received(fx), n);
}

/* Delivery i: its action, after verifying the HMAC-SHA256 of the raw body under the secret. */
static json_t *verified(pl_fx *fx, size_t i)
{
    char secret[80], sig[160], want[65];
    plfx_event_secret(fx, PLFX_EVENT, secret);
    json_t *d = plfx_delivery(fx, i);
    assert_non_null(jsonx_str(d, "body"));
    char *raw = strdup(jsonx_str(d, "body"));
    snprintf(sig, sizeof sig, "%s", jsonx_str(d, "signature") ? jsonx_str(d, "signature") : "");
    json_decref(d);
    json_t *j = json_loads(raw, 0, NULL);
    assert_non_null(j);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)raw,
                         strlen(raw), mac, &mac_len));
    assert_int_equal(mac_len, 32);
    for (unsigned int k = 0; k < mac_len; k++)
        snprintf(want + 2 * k, 3, "%02x", mac[k]);
    assert_string_equal(sig, want);
    /* pheedsync's own verifier, as configured for PheedLoop, accepts it too. */
    crypto_webhook_verifier *v = NULL;
    err e = {0};
    assert_int_equal(crypto_verifier_new_hmac(&v, CRYPTO_SIG_HMAC_SHA256, secret, strlen(secret),
                                              CRYPTO_SIG_HEX, &e),
                     0);
    assert_int_equal(crypto_verify_webhook(v, sig, raw, strlen(raw), &e), 0);
    raw[0] = ' '; /* one changed byte breaks it */
    assert_int_equal(crypto_verify_webhook(v, sig, raw, strlen(raw), &e), ERR_AUTH);
    crypto_verifier_free(v);
    free(raw);
    return j;
}

static void expect_action(pl_fx *fx, size_t i, const char *action)
{
    json_t *j = verified(fx, i);
    if (strcmp(jsonx_str(j, "action"), action) != 0)
        fail_msg("delivery %zu: %s, expected %s", i, jsonx_str(j, "action"), action);
    json_decref(j);
}

static void test_resthooks_crud(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(
        plfx_api(fx, "POST", EV "resthooks/",
                 "{\"action\":\"attendee.updated\",\"endpoint\":\"https://example.com/pl\"}"),
        201);
    assert_true(json_is_integer(json_object_get(r->json, "id")));
    char path[128];
    snprintf(path, sizeof path, EV "resthooks/%lld/", (long long)jsonx_int(r->json, "id", 0));
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", EV "resthooks/",
                             "{\"action\":\"contact.exploded\",\"endpoint\":\"ftp://x\"}"),
                    400);
    assert_string_equal(field_error(r->json, "action"),
                        "\"contact.exploded\" is not a valid choice.");
    assert_string_equal(field_error(r->json, "endpoint"), "Enter a valid URL.");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "resthooks/", NULL), 200);
    assert_int_equal(jsonx_int(r->json, "count", 0), 1);
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", path, NULL), 200);
    assert_string_equal(jsonx_str(r->json, "endpoint"), "https://example.com/pl");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "PUT", path,
                             "{\"action\":\"registration.created\",\"endpoint\":\"http://h/x\"}"),
                    200);
    assert_string_equal(jsonx_str(r->json, "action"), "registration.created");
    th_response_free(r);
    /* PUT replaces: both fields are needed. */
    r = plfx_expect(plfx_api(fx, "PUT", path, "{\"action\":\"attendee.created\"}"), 400);
    assert_string_equal(field_error(r->json, "endpoint"), "This field is required.");
    th_response_free(r);
    th_response_free(plfx_expect(plfx_api(fx, "PATCH", path, "{}"), 405));
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    th_response_free(plfx_expect(plfx_api(fx, "GET", path, NULL), 404));
    th_response_free(plfx_expect(plfx_api(fx, "GET", EV "resthooks/abc/", NULL), 404));
}

static void test_signed_delivery(void **state)
{
    pl_fx *fx = *state;
    subscribe(fx, "*");
    char code[64], path[128];
    plfx_create_attendee(fx, "hook@x.io", code);
    expect_deliveries(fx, 2);
    expect_action(fx, 0, "registration.created");
    json_t *j = verified(fx, 1);
    assert_string_equal(jsonx_str(j, "action"), "attendee.created");
    assert_string_equal(jsonx_str(j, "event_code"), PLFX_EVENT);
    assert_string_equal(jsonx_str(json_object_get(j, "data"), "code"), code);
    assert_string_equal(jsonx_str(json_object_get(j, "data"), "email"), "hook@x.io");
    assert_string_equal(jsonx_str(j, "timestamp"), "2026-11-27T08:00:00.000Z");
    assert_true(strlen(jsonx_str(j, "delivery_id")) >= 16);
    json_t *first = verified(fx, 0);
    assert_string_not_equal(jsonx_str(first, "delivery_id"), jsonx_str(j, "delivery_id"));
    json_decref(first);
    json_decref(j);

    snprintf(path, sizeof path, EV "attendees/%s/", code);
    th_response_free(plfx_expect(plfx_api(fx, "PATCH", path, "{\"title\":\"CTO\"}"), 200));
    /* A PATCH that changes nothing announces nothing. */
    th_response_free(plfx_expect(plfx_api(fx, "PATCH", path, "{\"title\":\"CTO\"}"), 200));
    expect_deliveries(fx, 3);
    j = verified(fx, 2);
    assert_string_equal(jsonx_str(j, "action"), "attendee.updated");
    assert_string_equal(jsonx_str(json_object_get(j, "data"), "title"), "CTO");
    json_decref(j);

    char body[128];
    snprintf(body, sizeof body, "{\"codes\":[\"%s\"]}", code);
    th_response_free(plfx_expect(plfx_api(fx, "POST", EV "checkin/", body), 200));
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", EV "checkout/", body), 200));
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    expect_deliveries(fx, 7);
    expect_action(fx, 3, "checkin.created");
    expect_action(fx, 4, "checkin.deleted");
    expect_action(fx, 5, "attendee.deleted");
    expect_action(fx, 6, "registration.deleted");
}

static void test_action_filter(void **state)
{
    pl_fx *fx = *state;
    subscribe(fx, "attendee.deleted");
    char code[64], path[128];
    plfx_create_attendee(fx, "only@x.io", code);
    snprintf(path, sizeof path, EV "attendees/%s/", code);
    th_response_free(plfx_expect(plfx_api(fx, "PATCH", path, "{\"title\":\"X\"}"), 200));
    expect_deliveries(fx, 0);
    th_response_free(plfx_expect(plfx_api(fx, "DELETE", path, NULL), 204));
    expect_deliveries(fx, 1);
    expect_action(fx, 0, "attendee.deleted");
    /* Hooks of another event hear nothing of this one. */
    th_response_free(
        plfx_expect(plfx_admin(fx, "POST", "/_sandbox/events", "{\"code\":\"EVEOTHER\"}"), 201));
    char body[256];
    snprintf(body, sizeof body, "{\"action\":\"*\",\"endpoint\":\"%s\"}", fx->hook_url);
    th_response_free(plfx_expect(plfx_api(fx, "POST", "events/EVEOTHER/resthooks/", body), 201));
    plfx_create_attendee(fx, "again@x.io", code);
    expect_deliveries(fx, 1);
}

static void test_dashboard_edits(void **state)
{
    pl_fx *fx = *state;
    subscribe(fx, "*");
    th_response *r = plfx_expect(
        plfx_admin(fx, "POST", UI "register",
                   "{\"first_name\":\"Uma\",\"last_name\":\"I\",\"email\":\"ui@x.io\"}"),
        201);
    char code[64], path[160];
    snprintf(code, sizeof code, "%s", jsonx_str(r->json, "code"));
    th_response_free(r);
    expect_deliveries(fx, 2);
    expect_action(fx, 0, "registration.created");
    expect_action(fx, 1, "attendee.created");

    snprintf(path, sizeof path, UI "attendees/%s", code);
    th_response_free(plfx_expect(plfx_admin(fx, "PATCH", path, "{\"title\":\"Chair\"}"), 200));
    th_response_free(plfx_expect(plfx_admin(fx, "PATCH", path, "{\"email\":\"bad\"}"), 400));
    snprintf(path, sizeof path, UI "checkin/%s", code);
    th_response_free(plfx_expect(plfx_admin(fx, "POST", path, NULL), 200));
    snprintf(path, sizeof path, UI "checkout/%s", code);
    th_response_free(plfx_expect(plfx_admin(fx, "POST", path, NULL), 200));
    expect_deliveries(fx, 5);
    expect_action(fx, 2, "attendee.updated");
    expect_action(fx, 3, "checkin.created");
    expect_action(fx, 4, "checkin.deleted");

    r = plfx_expect(plfx_api(fx, "GET", EV "registrations/", NULL), 200);
    snprintf(path, sizeof path, UI "registrations/%s/cancel",
             jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "code"));
    th_response_free(r);
    th_response_free(plfx_expect(plfx_admin(fx, "POST", path, NULL), 200));
    expect_deliveries(fx, 6);
    json_t *j = verified(fx, 5);
    assert_string_equal(jsonx_str(j, "action"), "registration.updated");
    assert_true(jsonx_bool(json_object_get(j, "data"), "canceled", false));
    json_decref(j);

    snprintf(path, sizeof path, UI "attendees/%s", code);
    th_response_free(plfx_expect(plfx_admin(fx, "DELETE", path, NULL), 204));
    th_response_free(plfx_expect(plfx_admin(fx, "DELETE", path, NULL), 404));
    expect_deliveries(fx, 8);
    expect_action(fx, 6, "attendee.deleted");
    expect_action(fx, 7, "registration.deleted");
    /* Sign-ups in the dashboard are not API creates: no welcome emails counted. */
    json_t *st = sbx_pl_emu_state(fx->pl);
    assert_int_equal(jsonx_int(json_object_get(st, "welcome_emails"), "total", -1), 0);
    json_decref(st);
    /* The dashboard routes need the admin token. */
    char url[256];
    snprintf(url, sizeof url, "%s" UI "register", fx->base);
    r = plfx_expect(th_request("POST", url, NULL, "{}", 0), 401);
    th_response_free(r);
}

static int64_t welcome_total(pl_fx *fx)
{
    th_response *r = plfx_expect(plfx_admin(fx, "GET", "/_sandbox/state", NULL), 200);
    int64_t n = jsonx_int(json_object_get(r->json, "welcome_emails"), "total", -1);
    th_response_free(r);
    return n;
}

static void test_welcome_emails(void **state)
{
    pl_fx *fx = *state;
    char code[64];
    plfx_create_attendee(fx, "quiet@x.io", code); /* all three flags false */
    assert_int_equal(welcome_total(fx), 0);
    th_response_free(
        plfx_expect(plfx_api(fx, "POST", EV "attendees/",
                             "{\"first_name\":\"L\",\"last_name\":\"O\",\"email\":\"loud@x.io\"}"),
                    201));
    assert_int_equal(welcome_total(fx), 3); /* ASSUMED: an absent flag sends */
    th_response_free(plfx_expect(
        plfx_api(fx, "POST", EV "attendeesbulk/",
                 "[{\"first_name\":\"A\",\"last_name\":\"P\",\"email\":\"app@x.io\","
                 "\"send_app_welcome_email\":true,\"send_attendee_portal_welcome\":false,"
                 "\"send_welcome_virtual_portal_email\":\"false\"}]"),
        201));
    th_response *r = plfx_expect(plfx_admin(fx, "GET", "/_sandbox/state", NULL), 200);
    json_t *w = json_object_get(r->json, "welcome_emails");
    assert_int_equal(jsonx_int(w, "total", -1), 4);
    assert_int_equal(jsonx_int(w, "app", -1), 2);
    assert_int_equal(jsonx_int(w, "attendee_portal", -1), 1);
    json_t *last = json_array_get(json_object_get(w, "recent"), 3);
    assert_string_equal(jsonx_str(last, "email"), "app@x.io");
    assert_string_equal(jsonx_str(last, "kind"), "app");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "POST", EV "attendees/",
                             "{\"first_name\":\"L\",\"last_name\":\"O\",\"email\":\"z@x.io\","
                             "\"send_app_welcome_email\":\"maybe\"}"),
                    400);
    assert_string_equal(field_error(r->json, "send_app_welcome_email"), "Must be a valid boolean.");
    th_response_free(r);
}

static void test_admin_and_seed(void **state)
{
    pl_fx *fx = *state;
    th_response *r = plfx_expect(
        plfx_admin(fx, "POST", "/_sandbox/events",
                   "{\"code\":\"EVESEED\",\"event_name\":\"Seeded\",\"date\":\"2027-05-01\"}"),
        201);
    assert_int_equal(strlen(jsonx_str(r->json, "webhook_secret")), 64);
    th_response_free(r);
    th_response_free(
        plfx_expect(plfx_admin(fx, "POST", "/_sandbox/events", "{\"code\":\"EVESEED\"}"), 409));
    th_response_free(
        plfx_expect(plfx_admin(fx, "POST", "/_sandbox/events", "{\"date\":\"May 1\"}"), 400));
    char body[256];
    snprintf(body, sizeof body, "{\"action\":\"*\",\"endpoint\":\"%s\"}", fx->hook_url);
    th_response_free(plfx_expect(plfx_api(fx, "POST", "events/EVESEED/resthooks/", body), 201));

    r = plfx_expect(plfx_admin(fx, "POST", "/_sandbox/seed",
                               "{\"attendees\":30,\"members\":5,\"seed\":9,"
                               "\"events\":[\"EVESEED\",\"EVENEW\"]}"),
                    200);
    int64_t created = jsonx_int(r->json, "created", 0);
    assert_true(created >= 25);
    assert_int_equal(jsonx_int(r->json, "members", 0), 5);
    th_response_free(r);
    int64_t listed = 0;
    static const char *const lists[] = {"events/EVESEED/attendees/", "events/EVENEW/attendees/"};
    for (size_t i = 0; i < 2; i++) {
        r = plfx_expect(plfx_api(fx, "GET", lists[i], NULL), 200);
        listed += jsonx_int(r->json, "count", 0);
        th_response_free(r);
    }
    assert_int_equal(listed, created);
    expect_deliveries(fx, 0); /* seeding is not an edit: no webhooks */

    /* The same seed gives the same people. */
    r = plfx_expect(plfx_api(fx, "GET", "events/EVESEED/attendees/?page_size=1", NULL), 200);
    char email[128];
    snprintf(email, sizeof email, "%s",
             jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "email"));
    th_response_free(r);
    th_response_free(
        plfx_expect(plfx_admin(fx, "POST", "/_sandbox/seed",
                               "{\"attendees\":1,\"seed\":9,\"events\":[\"EVETEST1\"]}"),
                    200));
    r = plfx_expect(plfx_api(fx, "GET", EV "attendees/", NULL), 200);
    assert_string_equal(jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "email"),
                        email);
    th_response_free(r);
    th_response_free(
        plfx_expect(plfx_admin(fx, "POST", "/_sandbox/seed", "{\"attendees\":-1}"), 400));
}

static void test_seed_functions(void **state)
{
    pl_fx *fx = *state;
    err e = {0};
    char code[64] = "";
    json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "first_name", "S", "last_name", "F",
                          "email", " Seed@X.io", "ticket_name", "VIP Pass", "tags", "Speaker");
    assert_int_equal(sbx_pl_emu_seed_attendee(fx->pl, PLFX_EVENT, a, code, sizeof code, &e), 0);
    assert_memory_equal(code, "ATT", 3);
    assert_int_equal(sbx_pl_emu_seed_attendee(fx->pl, PLFX_EVENT, a, code, sizeof code, &e),
                     ERR_CONFLICT);
    assert_int_equal(sbx_pl_emu_seed_attendee(fx->pl, "EVENOPE", a, code, sizeof code, &e),
                     ERR_NOT_FOUND);
    json_decref(a);
    a = json_pack("{s:s}", "first_name", "S");
    assert_int_equal(sbx_pl_emu_seed_attendee(fx->pl, PLFX_EVENT, a, NULL, 0, &e), ERR_INVALID);
    json_decref(a);
    /* Seeding makes the ticket and the tag it names. */
    th_response *r = plfx_expect(plfx_api(fx, "GET", EV "registrations/", NULL), 200);
    assert_string_equal(
        jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "ticket_name"),
        "VIP Pass");
    th_response_free(r);
    r = plfx_expect(plfx_api(fx, "GET", EV "tags/", NULL), 200);
    assert_string_equal(jsonx_str(json_array_get(json_object_get(r->json, "results"), 0), "name"),
                        "Speaker");
    th_response_free(r);
    assert_int_equal(sbx_pl_emu_seed_event(fx->pl, PLFX_EVENT, "Again", NULL, &e), ERR_CONFLICT);
    assert_int_equal(sbx_pl_emu_seed_event(fx->pl, "bad code!", "X", NULL, &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resthooks_crud, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_signed_delivery, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_action_filter, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_dashboard_edits, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_welcome_emails, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_admin_and_seed, plfx_setup, plfx_teardown),
        cmocka_unit_test_setup_teardown(test_seed_functions, plfx_setup, plfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
