/* test_page_alerts.c: `pheedsync run` against the sandbox with [alert] url set to a local
 * receiver: when the HighLevel grant is revoked the next API call finds it refused, the daemon
 * sends ONE alert, /readyz turns 503 and /metrics says needs_reauth; after `pheedsync connect
 * ghl` stores a new grant, ONE recovery notice follows and /readyz is 200 again. */
#include "tests/ops/page_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define TOKEN "alert-test-admin-token"

typedef struct ready_wait {
    const char *base;
    long want;
} ready_wait;

static bool readyz_is(void *ctx)
{
    ready_wait *w = ctx;
    th_response *r = pfx_get(w->base, "/readyz", NULL);
    bool ok = r->status == w->want;
    th_response_free(r);
    return ok;
}

static void write_conf(afx *f, uint16_t port, const char *receiver)
{
    char extra[1024];
    snprintf(extra, sizeof extra,
             "\n[server]\nlisten = 127.0.0.1:%u\nadmin_token = %s\n"
             "[sync]\npoll_interval = 10\n"
             "[alert]\nurl = %s\n"
             "[log]\nlevel = info\nformat = json\n",
             (unsigned)port, TOKEN, receiver);
    afx_write_conf(f, &(afx_conf){.oauth = true, .extra = extra});
}

static void test_reauth_alert_fires_and_recovers(void **state)
{
    afx *f = *state;
    pfx_receiver *rcv = pfx_receiver_start();
    uint16_t port = pfx_free_port();
    write_conf(f, port, pfx_receiver_url(rcv));
    assert_int_equal(afx_connect_oauth(f, AFX_SCOPES), 0);

    pfx_daemon d = {0};
    const char *args[] = {"--capture-only", NULL};
    char key[600];
    snprintf(key, sizeof key, "PHEEDSYNC_GHL_WEBHOOK_PUBLIC_KEY=%s",
             jsonx_str(f->ghl, "webhook_public_key_b64"));
    const char *env[] = {key, NULL};
    pfx_daemon_start(&d, f, port, args, env);
    ready_wait ready = {d.base, 200}, unready = {d.base, 503};
    if (!th_wait_until(readyz_is, &ready, 15000)) {
        pfx_daemon_show_log(&d);
        fail_msg("not ready with a fresh grant (the daemon's log is above)");
    }
    assert_int_equal(pfx_receiver_count(rcv, "firing", "reauth"), 0);

    /* The connection breaks: the user removed the app. The next poll's call is refused, its
     * refresh gets invalid_grant, and the grant is marked needs_reauth in the store. */
    json_decref(afx_ghl_admin(f, "POST", "/_sandbox/oauth/revoke", "{}"));
    if (!pfx_receiver_wait(rcv, "firing", "reauth", 1, 45000)) {
        pfx_daemon_show_log(&d);
        fail_msg("no reauth alert reached the receiver (the daemon's log is above)");
    }
    const json_t *alert = pfx_receiver_get(rcv, 0);
    assert_string_equal(jsonx_str(alert, "service"), "ghl");
    assert_string_equal(jsonx_str(alert, "source"), "pheedsync");
    assert_non_null(strstr(jsonx_str(alert, "text"), "re-authoriz"));
    assert_true(th_wait_until(readyz_is, &unready, 10000));
    th_response *r = pfx_get(d.base, "/readyz", NULL);
    assert_int_equal(r->status, 503);
    assert_non_null(strstr(jsonx_str(json_object_get(r->json, "checks"), "ghl"), "needs_reauth"));
    assert_non_null(strstr(jsonx_str(json_object_get(r->json, "checks"), "pheedloop"), "ok"));
    th_response_free(r);
    assert_true(pfx_scrape(d.base, "pheedsync_needs_reauth{service=\"ghl\"}") == 1);
    r = pfx_get(d.base, "/api/status", NULL);
    assert_string_equal(
        jsonx_str(json_object_get(json_object_get(r->json, "services"), "ghl"), "auth"),
        "needs_reauth");
    assert_true(jsonx_int(r->json, "alerts_active", 0) >= 1);
    th_response_free(r);

    /* It is fixed: the user approves the app again. One recovery notice, ready again. */
    assert_int_equal(afx_connect_oauth(f, AFX_SCOPES), 0);
    if (!pfx_receiver_wait(rcv, "resolved", "reauth", 1, 20000)) {
        pfx_daemon_show_log(&d);
        fail_msg("no recovery notice reached the receiver (the daemon's log is above)");
    }
    assert_true(th_wait_until(readyz_is, &ready, 10000));
    assert_true(pfx_scrape(d.base, "pheedsync_needs_reauth{service=\"ghl\"}") == 0);

    /* One alert per incident: nothing more was sent for it meanwhile. */
    assert_int_equal(pfx_receiver_count(rcv, "firing", "reauth"), 1);
    assert_int_equal(pfx_receiver_count(rcv, "resolved", "reauth"), 1);
    assert_int_equal(pfx_daemon_stop(&d), 0);
    pfx_receiver_free(rcv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reauth_alert_fires_and_recovers, afx_setup,
                                        afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
